import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { findSwitchCovering } from "@/lib/db/queries/kill-switches";
import { touchesStops } from "@/lib/db/queries/leg-stops";
import { inSqlTransaction } from "@/lib/db/transaction";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";

beforeEach(async () => {
  await resetState();
});
afterAll(async () => {
  await closeConnections();
});

describe("the kill switch covering an owner", () => {
  it("reads the same outside a transaction (plain SQL, shared) as inside one", async () => {
    const [a, b, admin] = [await makeUser("TRADER"), await makeUser("TRADER"), await makeUser("ADMIN")];
    const both = async (ownerId: string) => {
      const inside = await inSqlTransaction((tx) => findSwitchCovering(ownerId, tx));
      const outside = await Promise.all([findSwitchCovering(ownerId), findSwitchCovering(b.id)]);
      expect(outside[0]).toEqual(inside);
      return inside;
    };
    expect(await both(a.id)).toBeNull();
    const engagedAt = new Date("2026-12-07T04:05:06.789Z");
    await db().killSwitch.create({ data: { scope: "OWNER", ownerId: a.id, engagedAt, engagedById: admin.id } });
    await db().killSwitch.create({
      data: { scope: "OWNER", ownerId: b.id, engagedAt, rearmedAt: new Date(), engagedById: admin.id },
    });
    const adminName = (await db().user.findUniqueOrThrow({ where: { id: admin.id } })).name;
    expect(await both(a.id)).toEqual({ scope: "OWNER", engagedAt, engagedBy: adminName });
    expect(await both(b.id)).toBeNull();
    await db().killSwitch.create({ data: { scope: "GLOBAL", engagedAt: new Date(engagedAt.getTime() + 1) } });
    expect(await both(a.id)).toMatchObject({ scope: "GLOBAL", engagedBy: null });
    expect(await both(b.id)).toMatchObject({ scope: "GLOBAL", engagedBy: null });
  });
});

describe("runs that touch stops", () => {
  it("answers false for no runs and for runs that do not exist", async () => {
    expect(await touchesStops([])).toBe(false);
    expect(await touchesStops(["00000000-0000-4000-8000-000000000000"])).toBe(false);
  });
});
