/** Route handlers that no other integration test calls: each is called here through its route module, with the
 * session, role and scope cases that matter for it. */
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { verifyPassword } from "@/lib/auth/password";
import { QUEUES } from "@/lib/queues/registry";
import { recordHeartbeat } from "@/lib/services/system";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { GET as alertsGet } from "@/app/api/alerts/route";
import { DELETE as alertDelete } from "@/app/api/alerts/[id]/route";
import { GET as auditGet } from "@/app/api/audit/route";
import { POST as logoutPost } from "@/app/api/logout/route";
import { PUT as passwordPut } from "@/app/api/me/password/route";
import { POST as cancelPost } from "@/app/api/runs/[id]/cancel/route";
import { GET as registrationGet, PUT as registrationPut } from "@/app/api/settings/registration/route";
import { GET as systemGet } from "@/app/api/system/route";
import { GET as usersGet } from "@/app/api/users/route";

const instances = instanceConfigs(2, "rc");
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim(instances);
});
beforeEach(resetState);
afterEach(() => sim.broker.reset());
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const as = async (user: { id: string; sessionVersion: number }) => sessionCookie(user);

describe("alerts", () => {
  it("GET lists the caller's open alerts (an admin sees all); DELETE dismisses one, 404 for another owner's", async () => {
    const [alice, bob, viewer, admin] = [
      await makeUser("TRADER"),
      await makeUser("TRADER"),
      await makeUser("VIEWER"),
      await makeUser("ADMIN"),
    ];
    const alert = await db().alert.create({
      data: { ownerId: alice.id, kind: "account_down", severity: "CRITICAL", message: "Account down" },
    });
    const list = async (u: typeof alice) =>
      (await (await alertsGet(jsonRequest("/api/alerts", { cookie: await as(u) }))).json()).alerts as { id: string }[];

    expect(await list(alice)).toEqual([
      {
        id: alert.id,
        kind: "account_down",
        severity: "CRITICAL",
        message: "Account down",
        title: "Account down",
        cause: null,
        accountId: null,
        accountName: null,
        createdAt: alert.createdAt.toISOString(),
      },
    ]);
    expect(await list(bob)).toEqual([]);
    expect((await list(admin)).map((a) => a.id)).toEqual([alert.id]);
    expect((await alertsGet(jsonRequest("/api/alerts"))).status).toBe(401);

    const dismiss = async (u: typeof alice) =>
      alertDelete(
        jsonRequest(`/api/alerts/${alert.id}`, { method: "DELETE", cookie: await as(u) }),
        paramsOf({ id: alert.id }),
      );
    expect((await dismiss(bob)).status).toBe(404);
    expect((await dismiss(viewer)).status).toBe(403);
    expect((await list(alice)).map((a) => a.id)).toEqual([alert.id]);
    const ok = await dismiss(alice);
    expect([ok.status, await ok.json()]).toEqual([200, { ok: true }]);
    expect(await list(alice)).toEqual([]);
    expect((await db().alert.findUniqueOrThrow({ where: { id: alert.id } })).resolvedAt).not.toBeNull();
    expect((await dismiss(alice)).status).toBe(404);
  });
});

describe("audit log", () => {
  it("admins page through it newest first and filter by action; bad cursors are 400s; others get 403", async () => {
    const admin = await makeUser("ADMIN");
    let cookie = await as(admin);
    for (const open of [true, false, true]) {
      expect(
        (await registrationPut(jsonRequest("/api/settings/registration", { method: "PUT", body: { open }, cookie })))
          .status,
      ).toBe(200);
    }
    await logoutPost(jsonRequest("/api/logout", { method: "POST", cookie }));
    // Sign-out revoked that session: read the log with a new one.
    cookie = await as(await db().user.findUniqueOrThrow({ where: { id: admin.id } }));
    const page = async (query: string) => {
      const res = await auditGet(jsonRequest(`/api/audit${query}`, { cookie }));
      expect(res.status).toBe(200);
      return (await res.json()).entries as { id: string; action: string; actor: string; details: { open?: boolean } }[];
    };
    const all = await page("");
    expect(all.map((e) => e.action)).toEqual([
      "auth.logout",
      "settings.registration",
      "settings.registration",
      "settings.registration",
    ]);
    expect(all.every((e) => e.actor === admin.email)).toBe(true);
    const first = await page("?limit=2");
    expect(first.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    expect((await page(`?limit=2&before=${first[1].id}`)).map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
    expect((await page("?action=settings.registration")).map((e) => e.details.open)).toEqual([true, false, true]);
    expect(await page("?before=9223372036854775807")).toHaveLength(4);

    for (const before of ["1".repeat(26), "9223372036854775808", "-1", "abc", ""]) {
      const res = await auditGet(jsonRequest(`/api/audit?before=${before}`, { cookie }));
      expect(res.status).toBe(400);
      expect(Object.keys((await res.json()).error.fields)).toEqual(["before"]);
    }
    expect((await auditGet(jsonRequest("/api/audit", { cookie: await as(await makeUser("TRADER")) }))).status).toBe(
      403,
    );
    expect((await auditGet(jsonRequest("/api/audit"))).status).toBe(401);
  });
});

describe("sign-out and password change", () => {
  it("logout audits the signed-in user and clears the session cookie; without a session it only answers ok", async () => {
    const trader = await makeUser("TRADER");
    const res = await logoutPost(jsonRequest("/api/logout", { method: "POST", cookie: await as(trader) }));
    expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
    const cleared = res.headers.getSetCookie();
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatch(
      /^authjs\.session-token=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly/,
    );
    expect(
      await db().auditLog.count({ where: { action: "auth.logout", actorId: trader.id, entityId: trader.id } }),
    ).toBe(1);
    const anonymous = await logoutPost(jsonRequest("/api/logout", { method: "POST" }));
    expect(anonymous.status).toBe(200);
    // An https session (its `__Secure-` cookie) is cleared under its own name, with Secure.
    const secure = await logoutPost(
      jsonRequest("/api/logout", { method: "POST", cookie: (await as(trader)).replace(/^authjs/, "__Secure-authjs") }),
    );
    expect(
      secure.headers
        .getSetCookie()
        .filter((c) => c.startsWith("__Secure-authjs.session-token=;"))
        .map((c) => c.endsWith("; Secure")),
    ).toEqual([true]);
    expect(await db().auditLog.count({ where: { action: "auth.logout" } })).toBe(1);
  });

  it("PUT /api/me/password needs the current password, then ends every session of the user", async () => {
    const viewer = await makeUser("VIEWER", "old-password-123");
    const cookie = await as(viewer);
    const change = (body: unknown, c = cookie) =>
      passwordPut(jsonRequest("/api/me/password", { method: "PUT", body, cookie: c }));

    const wrong = await change({ currentPassword: "not-my-password", newPassword: "new-password-456" });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.fields).toEqual({ currentPassword: ["Incorrect password"] });
    const weak = await change({ currentPassword: "old-password-123", newPassword: "short" });
    expect(weak.status).toBe(400);
    expect(Object.keys((await weak.json()).error.fields)).toEqual(["newPassword"]);
    expect(
      (
        await passwordPut(
          jsonRequest("/api/me/password", {
            method: "PUT",
            body: { currentPassword: "x", newPassword: "new-password-456" },
          }),
        )
      ).status,
    ).toBe(401);

    const ok = await change({ currentPassword: "old-password-123", newPassword: "new-password-456" });
    expect([ok.status, await ok.json()]).toEqual([200, { ok: true }]);
    const row = await db().user.findUniqueOrThrow({ where: { id: viewer.id } });
    expect(await verifyPassword("new-password-456", row.passwordHash)).toBe(true);
    expect(await verifyPassword("old-password-123", row.passwordHash)).toBe(false);
    expect(row.sessionVersion).toBe(viewer.sessionVersion + 1);
    expect(await db().auditLog.count({ where: { action: "user.password_change", actorId: viewer.id } })).toBe(1);
    // The old session is over: the same cookie no longer reaches anything.
    expect((await change({ currentPassword: "new-password-456", newPassword: "third-password-789" })).status).toBe(401);
  });
});

describe("self-registration setting", () => {
  it("anyone reads it; only an admin changes it, and the change is audited", async () => {
    const admin = await makeUser("ADMIN");
    const read = async () => (await (await registrationGet(jsonRequest("/api/settings/registration"))).json()).open;
    expect(await read()).toBe(false);
    const put = async (u: typeof admin | undefined, open: boolean) =>
      registrationPut(
        jsonRequest("/api/settings/registration", {
          method: "PUT",
          body: { open },
          cookie: u ? await as(u) : undefined,
        }),
      );
    expect((await put(undefined, true)).status).toBe(401);
    expect((await put(await makeUser("TRADER"), true)).status).toBe(403);
    expect(await read()).toBe(false);
    const ok = await put(admin, true);
    expect([ok.status, await ok.json()]).toEqual([200, { open: true }]);
    expect(await read()).toBe(true);
    const bad = await registrationPut(
      jsonRequest("/api/settings/registration", { method: "PUT", body: { open: "yes" }, cookie: await as(admin) }),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields)).toEqual(["open"]);
    expect(await db().auditLog.count({ where: { action: "settings.registration", actorId: admin.id } })).toBe(1);
  });
});

describe("system status", () => {
  it("shows admins the database, Redis, worker heartbeats and every queue's counts", async () => {
    const admin = await makeUser("ADMIN");
    const beat = await recordHeartbeat(new Date("2026-12-01T03:30:00Z"), 10_000, new Date("2026-12-01T03:31:00Z"));
    const res = await systemGet(jsonRequest("/api/system", { cookie: await as(admin) }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.health.status).toBe("ok");
    expect(body.workers).toEqual([beat]);
    expect(Object.keys(body.queues).sort()).toEqual(Object.values(QUEUES).sort());
    for (const counts of Object.values(body.queues))
      expect(Object.keys(counts as object).sort()).toEqual(["active", "completed", "delayed", "failed", "waiting"]);
    expect((await systemGet(jsonRequest("/api/system", { cookie: await as(await makeUser("TRADER")) }))).status).toBe(
      403,
    );
    expect((await usersGet(jsonRequest("/api/users", { cookie: await as(admin) }))).status).toBe(200);
  });
});

describe("run cancel", () => {
  it("cancels every open order of the caller's run at the broker; 404 for another trader, 403 for a viewer", async () => {
    const worker = await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 });
    try {
      const trader = await makeUser("TRADER");
      await linkAccounts(sim, trader, instances);
      const base = ironCondor();
      // Limit prices far from the market: every order is accepted and rests.
      const resting: StrategyDefinition = {
        ...base,
        legs: base.legs.map((l) => ({
          ...l,
          orderType: { kind: "LIMIT", price: new Decimal(l.action === "BUY" ? "0.05" : "9000") },
        })),
      };
      const { runId } = await startRun(trader.id, resting);
      await waitForRun(runId);
      const statuses = () => instances.flatMap((i) => sim.broker.receivedOrders(i.id)).map((o) => o.status);
      expect(statuses()).toEqual(Array(8).fill("open"));

      const cancel = async (u: { id: string; sessionVersion: number }) =>
        cancelPost(
          jsonRequest(`/api/runs/${runId}/cancel`, { method: "POST", cookie: await as(u) }),
          paramsOf({ id: runId }),
        );
      expect((await cancel(await makeUser("TRADER"))).status).toBe(404);
      expect((await cancel(await makeUser("VIEWER"))).status).toBe(403);
      expect(statuses()).toEqual(Array(8).fill("open"));
      const res = await cancel(trader);
      expect([res.status, await res.json()]).toEqual([200, { cancelled: 8, failed: [] }]);
      expect(statuses()).toEqual(Array(8).fill("cancelled"));
      expect(await db().auditLog.count({ where: { action: "run.cancel", entityId: runId, actorId: trader.id } })).toBe(
        1,
      );
    } finally {
      await worker.close();
    }
  });
});
