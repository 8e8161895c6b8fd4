import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { db } from "@/lib/db/client";
import { insertAudit } from "@/lib/db/queries/audit";
import { route } from "@/lib/http/route";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { POST as login } from "@/app/api/login/route";
import { POST as createStrategy } from "@/app/api/strategies/route";
import { POST as killSwitch } from "@/app/api/kill-switch/route";
import { POST as logout } from "@/app/api/logout/route";
import { POST as nextAuthPost } from "@/app/api/auth/[...nextauth]/route";

beforeEach(resetState);
afterAll(closeConnections);

const strategyBody = {
  name: "csrf probe",
  definition: {
    product: "NRML",
    sizing: { kind: "fixed" },
    marketCondition: "other_days",
    legs: [
      {
        underlying: "NIFTY",
        instrument: "futures",
        expiry: "current_month",
        action: "BUY",
        lots: 1,
        orderType: { kind: "MARKET" },
      },
    ],
  },
};

/** A request as a foreign page can make a browser send it: a simple (no preflight) cross-site POST with the cookie. */
function crossSite(url: string, body: string, cookie: string | undefined, contentType = "text/plain;charset=UTF-8") {
  return jsonRequest(url, {
    body,
    cookie,
    origin: "https://evil.example",
    headers: { "content-type": contentType, "sec-fetch-site": "cross-site" },
  });
}

describe("cross-site request forgery", () => {
  it("refuses a cross-site text/plain or form POST that would create a strategy or engage the kill switch", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    for (const type of ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "application/json"]) {
      const res = await createStrategy(crossSite("/api/strategies", JSON.stringify(strategyBody), cookie, type));
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe("CROSS_ORIGIN");
      expect(
        (
          await killSwitch(
            crossSite("/api/kill-switch", JSON.stringify({ action: "engage", scope: "mine" }), cookie, type),
          )
        ).status,
      ).toBe(403);
    }
    // Same origin but not JSON: a form post from our own origin is refused too (415).
    const form = await createStrategy(
      jsonRequest("/api/strategies", {
        body: JSON.stringify(strategyBody),
        cookie,
        headers: { "content-type": "text/plain" },
      }),
    );
    expect(form.status).toBe(415);
    expect((await form.json()).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    // No Origin and no Sec-Fetch-Site: refused (only browsers carry the cookie, and they always send one of them).
    expect(
      (await createStrategy(jsonRequest("/api/strategies", { body: strategyBody, cookie, origin: null }))).status,
    ).toBe(403);
    expect(await db().strategy.count()).toBe(0);
    expect(await db().killSwitch.count()).toBe(0);

    const ok = await createStrategy(
      jsonRequest("/api/strategies", { body: strategyBody, cookie, headers: { "sec-fetch-site": "same-origin" } }),
    );
    expect(ok.status).toBe(201);
    expect(await db().strategy.count()).toBe(1);
  });

  it("refuses a cross-site login (signing the victim's browser into another account) and logout", async () => {
    const attacker = await makeUser("TRADER", "attacker-password-1");
    const body = JSON.stringify({ email: attacker.email, password: attacker.password });
    const res = await login(crossSite("/api/login", body, undefined));
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect((await login(crossSite("/api/login", body, undefined, "application/json"))).status).toBe(403);
    expect((await logout(jsonRequest("/api/logout", { method: "POST", origin: "https://evil.example" }))).status).toBe(
      403,
    );
    expect(await db().auditLog.count({ where: { action: { startsWith: "auth." } } })).toBe(0);
  });

  it("guards next-auth's own POST endpoints the same way (origin and body size)", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const form = (origin: string | null, body = "csrfToken=x&ticket=forged") =>
      nextAuthPost(
        new NextRequest(`${new URL(jsonRequest("/").url).origin}/api/auth/callback/credentials`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", cookie, ...(origin ? { origin } : {}) },
          body,
        }),
      );
    const foreign = await form("https://evil.example");
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.code).toBe("CROSS_ORIGIN");
    expect((await form(null)).status).toBe(403);
    expect((await form(new URL(jsonRequest("/").url).origin, `ticket=${"x".repeat(70_000)}`)).status).toBe(413);
    // From our own origin next-auth itself answers (it refuses the forged ticket; no session is issued).
    const own = await form(new URL(jsonRequest("/").url).origin);
    expect([302, 400, 401]).toContain(own.status);
    expect(own.headers.get("set-cookie") ?? "").not.toContain("authjs.session-token=ey");
  });

  it("lets a route opt out explicitly (machine ingress that authenticates each request itself)", async () => {
    const ingress = route(
      {
        access: "public",
        allowCrossOrigin: true,
        body: (await import("zod")).z.object({ n: (await import("zod")).z.int() }),
      },
      async ({ body }) => ({ got: body.n }),
    );
    const res = await ingress(jsonRequest("/hook", { body: { n: 7 }, origin: null }));
    expect(await res.json()).toEqual({ got: 7 });
  });
});

describe("request body limits", () => {
  it("answers 413 for a body over 64 KB by Content-Length, before any work, and stores nothing", async () => {
    const email = `${"a".repeat(1024 * 1024)}@test.in`;
    const res = await login(jsonRequest("/api/login", { body: { email, password: "whatever-123" } }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: "PAYLOAD_TOO_LARGE", message: "Request body too large: at most 64 KB is accepted" },
    });
    expect(await db().auditLog.count()).toBe(0);
  });

  it("answers 413 for a streamed body without Content-Length once it passes the limit", async () => {
    const trader = await makeUser("TRADER");
    let sent = 0;
    const chunk = new TextEncoder().encode(`{"name":"${"x".repeat(8 * 1024)}`);
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          sent += 1;
          if (sent > 10_000) return c.close();
          c.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    const headers = {
      "content-type": "application/json",
      origin: new URL(jsonRequest("/").url).origin,
      cookie: await sessionCookie(trader),
    };
    const req = new Request(jsonRequest("/api/strategies").url, {
      method: "POST",
      headers,
      body: stream,
      duplex: "half",
    } as RequestInit);
    const res = await createStrategy(req);
    expect(res.status).toBe(413);
    expect(sent).toBe(8);
    expect(await db().strategy.count()).toBe(0);
  });

  it("a per-route limit overrides the default", async () => {
    const { z } = await import("zod");
    const small = route(
      { access: "public", maxBodyBytes: 100, body: z.object({ s: z.string().max(1000) }) },
      async ({ body }) => ({ n: body.s.length }),
    );
    expect((await small(jsonRequest("/x", { body: { s: "y".repeat(80) } }))).status).toBe(200);
    const big = await small(jsonRequest("/x", { body: { s: "y".repeat(200) } }));
    expect(big.status).toBe(413);
    expect((await big.json()).error.message).toBe("Request body too large: at most 100 bytes is accepted");
  });

  it("a login email of 60 KB is a 400 naming the field, and the audit log keeps no unbounded text", async () => {
    const res = await login(
      jsonRequest("/api/login", { body: { email: `${"a".repeat(60_000)}@test.in`, password: "whatever-123" } }),
    );
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()).error.fields)).toEqual(["email"]);
    expect(await db().auditLog.count()).toBe(0);
  });

  it("an audit row never stores unbounded user-supplied text, whatever the caller passes", async () => {
    const typed = `${"a".repeat(1_000_000)}@test.in`;
    await insertAudit({
      action: "auth.login_failed",
      entity: "user",
      entityId: typed,
      details: { email: typed, tries: [typed, typed] },
      ip: "z".repeat(10_000),
    });
    const [row] = await db().$queryRawUnsafe<{ bytes: number; entity_id: string }[]>(
      `SELECT pg_column_size(audit_logs.*)::int AS bytes, entity_id FROM audit_logs`,
    );
    expect(row.bytes).toBeLessThan(2_000);
    expect(row.entity_id.startsWith(`${"a".repeat(256)}…[1000008 chars, sha256:`)).toBe(true);
  });
});
