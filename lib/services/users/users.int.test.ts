import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis } from "@/lib/redis";
import { ConflictError, ForbiddenError } from "@/lib/errors";
import {
  changePassword,
  changeUser,
  createUser,
  register,
  setRegistrationOpen,
  setViewerTraders,
} from "@/lib/services/users";
import { makeUser, resetState } from "@/lib/testing/fixtures";

beforeEach(resetState);
afterAll(async () => {
  await disconnectRedis();
  await disconnectDb();
});

const person = (n: number) => ({ name: `Person ${n}`, email: `Person${n}@Example.in`, password: "a-good-password" });

describe("registration", () => {
  it("makes the first user ADMIN, then is closed until an admin opens it", async () => {
    const first = await register(person(1), "198.51.100.1");
    expect(first.role).toBe("ADMIN");
    expect(first.email).toBe("person1@example.in");

    await expect(register(person(2), "198.51.100.2")).rejects.toBeInstanceOf(ForbiddenError);
    expect(await db().user.count()).toBe(1);

    await setRegistrationOpen({ id: first.id, role: "ADMIN" }, true, "198.51.100.1");
    const second = await register(person(2), "198.51.100.2");
    expect(second.role).toBe("TRADER");
  });

  it("two simultaneous first registrations yield exactly one ADMIN", async () => {
    const results = await Promise.allSettled([register(person(1), "ip"), register(person(2), "ip")]);
    const created = results.filter((r) => r.status === "fulfilled");
    expect(created).toHaveLength(1);
    expect(await db().user.count({ where: { role: "ADMIN" } })).toBe(1);
  });

  it("refuses a duplicate email with a field error", async () => {
    const admin = await register(person(1), "ip");
    await setRegistrationOpen({ id: admin.id, role: "ADMIN" }, true, "ip");
    const err = await register({ ...person(1), name: "Again" }, "ip").catch((e) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.fields).toEqual({ email: ["Already registered"] });
  });

  it("writes audit rows for registration and settings changes", async () => {
    const admin = await register(person(1), "198.51.100.1");
    await setRegistrationOpen({ id: admin.id, role: "ADMIN" }, true, "198.51.100.1");
    const rows = await db().auditLog.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.action, r.actorId, r.ip])).toEqual([
      ["user.register", admin.id, "198.51.100.1"],
      ["settings.registration", admin.id, "198.51.100.1"],
    ]);
    expect(rows[1].details).toEqual({ open: true });
  });
});

describe("user administration", () => {
  it("the last active admin cannot demote or deactivate themselves", async () => {
    const admin = await makeUser("ADMIN");
    await expect(changeUser(admin, admin.id, { role: "TRADER" }, "ip")).rejects.toBeInstanceOf(ConflictError);
    await expect(changeUser(admin, admin.id, { active: false }, "ip")).rejects.toBeInstanceOf(ConflictError);
    const other = await makeUser("ADMIN");
    const demoted = await changeUser(admin, other.id, { role: "VIEWER" }, "ip");
    expect(demoted.role).toBe("VIEWER");
  });

  it("the services themselves refuse a non-admin, whoever calls them (not only the admin routes)", async () => {
    const trader = await makeUser("TRADER");
    const viewer = await makeUser("VIEWER");
    const newcomer = {
      email: "newcomer@test.in",
      name: "Newcomer",
      password: "a-good-password",
      role: "ADMIN" as const,
    };
    for (const actor of [trader, viewer]) {
      const refusals = [
        () => createUser(actor, newcomer, "ip"),
        () => changeUser(actor, actor.id, { role: "ADMIN" }, "ip"),
        () => setViewerTraders(actor, viewer.id, { traderIds: [trader.id] }, "ip"),
        () => setRegistrationOpen(actor, true, "ip"),
      ];
      for (const r of refusals) await expect(r()).rejects.toMatchObject({ status: 403, message: "Admins only" });
    }
    expect(await db().user.count({ where: { role: "ADMIN" } })).toBe(0);
    expect(await db().viewerTrader.count()).toBe(0);
    expect(await db().auditLog.count()).toBe(0);
  });

  it("re-roling ends the user's sessions (session version bumps)", async () => {
    const admin = await makeUser("ADMIN");
    const trader = await makeUser("TRADER");
    await changeUser(admin, trader.id, { role: "VIEWER" }, "ip");
    const after = await db().user.findUniqueOrThrow({ where: { id: trader.id } });
    expect(after.sessionVersion).toBe(trader.sessionVersion + 1);
  });

  it("changing a password needs the current one and is audited", async () => {
    const trader = await makeUser("TRADER", "old-password-1");
    await expect(
      changePassword(trader, { currentPassword: "wrong-password", newPassword: "new-password-1" }, "ip"),
    ).rejects.toMatchObject({
      status: 400,
      fields: { currentPassword: ["Incorrect password"] },
    });
    await changePassword(trader, { currentPassword: "old-password-1", newPassword: "new-password-1" }, "ip");
    expect(await db().auditLog.count({ where: { action: "user.password_change", actorId: trader.id } })).toBe(1);
  });
});

describe("audit log", () => {
  it("is append-only at the database level", async () => {
    const admin = await register(person(1), "ip");
    const row = await db().auditLog.findFirstOrThrow({ where: { actorId: admin.id } });
    await expect(db().auditLog.update({ where: { id: row.id }, data: { action: "tampered" } })).rejects.toThrow(
      /append-only/,
    );
    await expect(db().auditLog.delete({ where: { id: row.id } })).rejects.toThrow(/append-only/);
  });
});
