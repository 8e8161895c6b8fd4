import { describe, expect, it } from "vitest";
import { canAccessOwned, canAdminister, canWrite, type Role } from "@/lib/auth/roles";

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
});
