import { describe, expect, it } from "vitest";
import { canAccessOwned, canAdminister, canWrite, ownerFilter, scopeOf, type Role } from "@/lib/auth/roles";

const actor = (role: Role, id = "me") => ({ id, role });

describe("role checks", () => {
  it.each<[Role, boolean, boolean]>([
    ["ADMIN", true, true],
    ["TRADER", true, false],
    ["VIEWER", false, false],
  ])("%s: write=%s admin=%s", (role, write, admin) => {
    expect(canWrite(actor(role))).toBe(write);
    expect(canAdminister(actor(role))).toBe(admin);
  });

  it.each<[Role, string, "read" | "write", boolean]>([
    ["TRADER", "me", "read", true],
    ["TRADER", "me", "write", true],
    ["TRADER", "other", "read", false],
    ["TRADER", "other", "write", false],
    ["VIEWER", "me", "read", true],
    ["VIEWER", "me", "write", false],
    ["VIEWER", "other", "read", false],
    ["ADMIN", "other", "read", true],
    ["ADMIN", "other", "write", true],
  ])("%s on a thing owned by %s (%s) → %s", (role, owner, mode, allowed) => {
    expect(canAccessOwned(actor(role), owner, mode)).toBe(allowed);
  });

  it("a viewer attached to traders reads their rows and can write nothing", () => {
    const viewer = { id: "v", role: "VIEWER" as const, viewsOwnerIds: ["t1", "t2"] };
    expect(canAccessOwned(viewer, "t1", "read")).toBe(true);
    expect(canAccessOwned(viewer, "t1", "write")).toBe(false);
    expect(canAccessOwned(viewer, "t3", "read")).toBe(false);
    expect(ownerFilter(scopeOf(viewer))).toEqual({ ownerId: { in: ["v", "t1", "t2"] } });
  });

  it("attachments mean nothing for other roles; admins are unscoped", () => {
    expect(ownerFilter(scopeOf({ id: "t", role: "TRADER", viewsOwnerIds: ["t9"] }))).toEqual({ ownerId: "t" });
    expect(canAccessOwned({ id: "t", role: "TRADER", viewsOwnerIds: ["t9"] }, "t9", "read")).toBe(false);
    expect(ownerFilter(scopeOf({ id: "v", role: "VIEWER" }))).toEqual({ ownerId: "v" });
    expect(ownerFilter(scopeOf({ id: "a", role: "ADMIN" }))).toEqual({});
  });
});
