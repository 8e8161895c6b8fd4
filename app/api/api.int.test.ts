import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis } from "@/lib/redis";
import { route } from "@/lib/http/route";
import { jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { POST as login } from "@/app/api/login/route";
import { POST as registerRoute } from "@/app/api/register/route";
import { GET as listUsers, POST as createUser } from "@/app/api/users/route";
import { PATCH as patchUser } from "@/app/api/users/[id]/route";
import { GET as health } from "@/app/api/health/route";
import { GET as metrics } from "@/app/api/metrics/route";

beforeEach(resetState);
afterAll(async () => {
  await disconnectRedis();
  await disconnectDb();
});

describe("authentication and roles over the API", () => {
  it("answers 401 without a session and 403 for a VIEWER or TRADER on admin routes", async () => {
    expect((await listUsers(jsonRequest("/api/users"))).status).toBe(401);
    const viewer = await makeUser("VIEWER");
    const trader = await makeUser("TRADER");
    const body = { name: "New", email: "new@test.in", password: "long-enough-1", role: "TRADER" };
    for (const u of [viewer, trader]) {
      const res = await createUser(jsonRequest("/api/users", { body, cookie: await sessionCookie(u) }));
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: "FORBIDDEN", message: "Admins only" } });
    }
    expect(await db().user.count({ where: { email: "new@test.in" } })).toBe(0);
  });

  it("a VIEWER gets 403 on a write route, a TRADER passes", async () => {
    const writeRoute = route({ access: "write" }, async ({ user }) => ({ wrote: user.id }));
    const viewer = await makeUser("VIEWER");
    const trader = await makeUser("TRADER");
    const denied = await writeRoute(jsonRequest("/x", { method: "POST", cookie: await sessionCookie(viewer) }));
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.message).toBe("Your role is read-only");
    const allowed = await writeRoute(jsonRequest("/x", { method: "POST", cookie: await sessionCookie(trader) }));
    expect(await allowed.json()).toEqual({ wrote: trader.id });
  });

  it("a stale session (deactivated user or bumped session version) is refused", async () => {
    const admin = await makeUser("ADMIN");
    const cookie = await sessionCookie(admin);
    expect((await listUsers(jsonRequest("/api/users", { cookie }))).status).toBe(200);
    await db().user.update({ where: { id: admin.id }, data: { sessionVersion: { increment: 1 } } });
    expect((await listUsers(jsonRequest("/api/users", { cookie }))).status).toBe(401);
  });

  it("bad input gets 400 naming the field, and nothing is created", async () => {
    const admin = await makeUser("ADMIN");
    const res = await createUser(
      jsonRequest("/api/users", {
        body: { name: "X", email: "not-an-email", password: "short", role: "KING" },
        cookie: await sessionCookie(admin),
      }),
    );
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("BAD_REQUEST");
    expect(Object.keys(error.fields).sort()).toEqual(["email", "password", "role"]);
    expect(await db().user.count()).toBe(1);

    const bad = await patchUser(
      jsonRequest("/api/users/nope", { method: "PATCH", body: { role: "VIEWER" }, cookie: await sessionCookie(admin) }),
      paramsOf({ id: "nope" }),
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields).toEqual({ id: ["Not a user id"] });
  });

  it("a second self-registration is refused with 403 while registration is closed", async () => {
    await makeUser("ADMIN");
    const res = await registerRoute(
      jsonRequest("/api/register", { body: { name: "Late", email: "late@test.in", password: "long-enough-1" } }),
    );
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/Registration is closed/);
  });
});

describe("login throttling", () => {
  it("returns 429 with Retry-After after repeated failures for one email, and audits them", async () => {
    const user = await makeUser("TRADER", "the-right-password");
    const attempt = (password: string, ip = "203.0.113.9") =>
      login(jsonRequest("/api/login", { body: { email: user.email, password }, ip }));

    for (let i = 0; i < 5; i++) expect((await attempt("wrong-password")).status).toBe(401);
    const throttled = await attempt("wrong-password");
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(800);
    expect((await throttled.json()).error.code).toBe("RATE_LIMITED");
    // Even the right password waits out the throttle from that address (the lock is per email and address).
    expect((await attempt("the-right-password")).status).toBe(429);

    const actions = (await db().auditLog.findMany({ orderBy: { id: "asc" } })).map((r) => r.action);
    expect(actions.filter((a) => a === "auth.login_failed")).toHaveLength(5);
    expect(actions.filter((a) => a === "auth.login_throttled")).toHaveLength(2);
  });

  it("throttles one IP trying many emails", async () => {
    const ip = "203.0.113.50";
    for (let i = 0; i < 20; i++) {
      const res = await login(
        jsonRequest("/api/login", { body: { email: `nobody${i}@test.in`, password: "whatever-123" }, ip }),
      );
      expect(res.status).toBe(401);
    }
    const res = await login(
      jsonRequest("/api/login", { body: { email: "someone-else@test.in", password: "whatever-123" }, ip }),
    );
    expect(res.status).toBe(429);
  });

  it("a malformed login body is a 400 naming the field", async () => {
    const res = await login(jsonRequest("/api/login", { body: { email: "x" } }));
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()).error.fields).sort()).toEqual(["email", "password"]);
  });
});

describe("health and metrics", () => {
  it("reports database and Redis", async () => {
    const res = await health(jsonRequest("/api/health"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
  });

  it("metrics need an admin session", async () => {
    expect((await metrics(jsonRequest("/api/metrics"))).status).toBe(401);
    expect(
      (await metrics(jsonRequest("/api/metrics", { cookie: await sessionCookie(await makeUser("TRADER")) }))).status,
    ).toBe(403);
    const res = await metrics(jsonRequest("/api/metrics", { cookie: await sessionCookie(await makeUser("ADMIN")) }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('mirrordesk_dependency_up{dependency="database",app="mirrordesk"} 1');
    expect(text).toContain("mirrordesk_process_cpu_seconds_total");
  });
});
