import { describe, expect, it } from "vitest";
import { DUMMY_HASH, hashPassword, passwordSchema, verifyPassword } from "@/lib/auth/password";

describe("password policy", () => {
  it.each([
    ["", false],
    ["123456789", false],
    ["1234567890", true],
    [" leading-space-pass", false],
    ["trailing-space-pass ", false],
    ["a".repeat(200), true],
    ["a".repeat(201), false],
  ])("%j accepted: %s", (pw, ok) => {
    expect(passwordSchema.safeParse(pw).success).toBe(ok);
  });

  it("says why a short password is refused", () => {
    const r = passwordSchema.safeParse("short");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe("Password must be at least 10 characters");
  });
});

describe("hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct-horse-42");
    expect(hash).not.toContain("correct-horse-42");
    expect(await verifyPassword("correct-horse-42", hash)).toBe(true);
    expect(await verifyPassword("correct-horse-43", hash)).toBe(false);
  });

  it("the dummy hash is a real bcrypt hash that matches nothing a user types", async () => {
    expect(DUMMY_HASH).toMatch(/^\$2b\$11\$/);
    expect(await verifyPassword("password123", DUMMY_HASH)).toBe(false);
  });
});
