import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { redis } from "@/lib/redis";
import { verifyPassword } from "@/lib/auth/password";
import { EMAIL_TRICKLE_S } from "@/lib/auth/throttle";
import { RateLimitedError, UnauthenticatedError } from "@/lib/errors";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { login } from "./auth";
import { POST as loginRoute } from "@/app/api/login/route";
import { POST as logoutRoute } from "@/app/api/logout/route";
import { PUT as changePasswordRoute } from "@/app/api/me/password/route";
import { GET as listAccounts } from "@/app/api/accounts/route";

beforeEach(resetState);
afterAll(closeConnections);

const auditCount = (action: string) => db().auditLog.count({ where: { action } });

describe("sign-in throttle", () => {
  it("40 parallel guesses for one email from one address reach exactly 5 password checks", async () => {
    const user = await makeUser("ADMIN", "the-right-password");
    const guesses = Array.from({ length: 40 }, (_, i) =>
      loginRoute(
        jsonRequest("/api/login", { body: { email: user.email, password: `guess-${i}` }, ip: "203.0.113.66" }),
      ),
    );
    const statuses = (await Promise.all(guesses)).map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(await auditCount("auth.login_failed")).toBe(5);
    expect(await auditCount("auth.login_throttled")).toBe(35);
  });

  it("a stranger's failures do not lock the owner out from the owner's own address", async () => {
    const admin = await makeUser("ADMIN", "the-right-password");
    for (let i = 0; i < 6; i++) {
      await login({ email: admin.email, password: "wrong" }, "198.51.100.9", Date.now()).catch((e) => e);
    }
    await expect(
      login({ email: admin.email, password: "the-right-password" }, "198.51.100.9", Date.now()),
    ).rejects.toThrow(RateLimitedError);
    const ok = await login({ email: admin.email, password: "the-right-password" }, "203.0.113.20", Date.now());
    expect(ok.userId).toBe(admin.id);
  });

  it("slows one email down across many addresses instead of locking it", async () => {
    const user = await makeUser("TRADER", "the-right-password");
    const attempt = (n: number) => login({ email: user.email, password: "wrong" }, `198.51.100.${n}`, Date.now());
    // The burst (4 × 5) and then one trickle attempt are checked; the next one waits for the trickle.
    for (let n = 1; n <= 21; n++) await expect(attempt(n)).rejects.toThrow(UnauthenticatedError);
    const waited = await attempt(22).catch((e) => e);
    expect(waited).toBeInstanceOf(RateLimitedError);
    expect((waited as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(EMAIL_TRICKLE_S);
    expect(await auditCount("auth.login_failed")).toBe(21);
  });

  it("guessing from many addresses does not slow the owner down at an address they signed in from before", async () => {
    const user = await makeUser("TRADER", "the-right-password");
    expect(
      (await login({ email: user.email, password: "the-right-password" }, "203.0.113.30", Date.now())).userId,
    ).toBe(user.id);
    const outcomes = [];
    for (let n = 1; n <= 24; n++)
      outcomes.push(
        await login({ email: user.email, password: "wrong" }, `198.51.100.${n}`, Date.now()).catch((e) => e),
      );
    expect(outcomes.filter((e) => e instanceof RateLimitedError)).toHaveLength(3);
    expect(
      (await login({ email: user.email, password: "the-right-password" }, "203.0.113.30", Date.now())).userId,
    ).toBe(user.id);
  });

  it("an attempt refused at its own address spends nothing from the email's shared budget", async () => {
    const user = await makeUser("TRADER", "the-right-password");
    for (let i = 0; i < 30; i++)
      await login({ email: user.email, password: "wrong" }, "198.51.100.77", Date.now()).catch((e) => e);
    expect(await auditCount("auth.login_failed")).toBe(5);
    // 5 spent by that address: a first-time address still gets straight in.
    expect(
      (await login({ email: user.email, password: "the-right-password" }, "203.0.113.31", Date.now())).userId,
    ).toBe(user.id);
    expect(await auditCount("auth.login_throttled")).toBe(25);
  });

  it("keys hold a hash of the email, never the text the client sent", async () => {
    const huge = `${"a".repeat(200_000)}@test.in`;
    await expect(login({ email: huge, password: "x" }, "203.0.113.7", Date.now())).rejects.toThrow(
      UnauthenticatedError,
    );
    const keys = await redis().keys("md:login*");
    expect(keys).toHaveLength(3);
    for (const k of keys) {
      expect(k.length).toBeLessThan(80);
      expect(k).not.toContain("aaaa");
      expect(k).not.toContain("203.0.113.7");
    }
  });
});

describe("password change throttle", () => {
  it("20 parallel wrong current passwords get exactly 5 checks; then even the right one waits", async () => {
    const user = await makeUser("TRADER", "the-right-password");
    const cookie = await sessionCookie(user);
    const put = (currentPassword: string) =>
      changePasswordRoute(
        jsonRequest("/api/me/password", {
          method: "PUT",
          body: { currentPassword, newPassword: "a-new-password-1" },
          cookie,
        }),
      );
    const statuses = (await Promise.all(Array.from({ length: 20 }, (_, i) => put(`wrong-${i}`)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const late = await put("the-right-password");
    expect(late.status).toBe(429);
    expect(Number(late.headers.get("retry-after"))).toBeGreaterThan(0);
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword("the-right-password", row.passwordHash)).toBe(true);
  });
});

describe("sign-out", () => {
  it("revokes the session: a cookie copied before sign-out no longer works", async () => {
    const user = await makeUser("TRADER");
    const copied = await sessionCookie(user);
    expect((await listAccounts(jsonRequest("/api/accounts", { cookie: copied }))).status).toBe(200);
    const out = await logoutRoute(jsonRequest("/api/logout", { method: "POST", cookie: copied }));
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^authjs\.session-token=; Path=\/; .*Max-Age=0; HttpOnly; SameSite=Lax$/),
    ]);
    expect((await listAccounts(jsonRequest("/api/accounts", { cookie: copied }))).status).toBe(401);
    expect(await auditCount("auth.logout")).toBe(1);
  });
});
