/**
 * The /api/v1 routes over real Postgres, Redis, the dispatch worker and the simulator, called with real API keys:
 * every route answers a key of the right scope, nothing answers without one, a READ key cannot trade, another
 * trader's ids are 404, one Idempotency-Key is one run, bad input names the field as the session route does, and the
 * kill switch engaged through the API blocks an execute through the API.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { makeApiKey, keyRequest } from "@/lib/testing/api-key-kit";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { syncAccountFills } from "@/lib/services/fills";
import { GET as meGet } from "@/app/api/v1/me/route";
import { GET as accountsGet } from "@/app/api/v1/accounts/route";
import { GET as accountGet } from "@/app/api/v1/accounts/[id]/route";
import { GET as bookGet } from "@/app/api/v1/accounts/[id]/books/[book]/route";
import { GET as positionsGet } from "@/app/api/v1/positions/route";
import { GET as strategiesGet } from "@/app/api/v1/strategies/route";
import { GET as strategyGet } from "@/app/api/v1/strategies/[id]/route";
import { GET as strategyPositionsGet } from "@/app/api/v1/strategies/[id]/positions/route";
import { POST as previewPost } from "@/app/api/v1/strategies/[id]/preview/route";
import { POST as executePost } from "@/app/api/v1/strategies/[id]/execute/route";
import { GET as runsGet } from "@/app/api/v1/runs/route";
import { GET as runGet } from "@/app/api/v1/runs/[id]/route";
import { POST as cancelPost } from "@/app/api/v1/runs/[id]/cancel/route";
import { GET as exitsGet, POST as exitsPost } from "@/app/api/v1/exits/route";
import { GET as killGet, POST as killPost } from "@/app/api/v1/kill-switch/route";
import { GET as openApiGet } from "@/app/api/v1/openapi.json/route";
import { POST as sessionPreviewPost } from "@/app/api/strategies/[id]/preview/route";
import { POST as sessionExecutePost } from "@/app/api/strategies/[id]/execute/route";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const INSTANCES = instanceConfigs(2, "v1").map((c) => ({ ...c, showStrategy: true }));
const world = useIntegrationWorld(INSTANCES);
beforeEach(async () => {
  world.stopAfterTest(await startDispatchWorker(FAST));
  world.stopAfterTest(await startExitWorker());
});

async function desk() {
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, INSTANCES);
  const strategy = await makeStrategy(trader, ironCondor());
  return { trader, accounts, strategy, read: await makeApiKey(trader, "READ"), trade: await makeApiKey(trader) };
}
const orders = () => INSTANCES.reduce((n, i) => n + world.sim.broker.receivedOrders(i.id).length, 0);
const execute = (strategyId: string, key: string, idempotencyKey?: string, body: unknown = {}) =>
  executePost(
    keyRequest("/x", { key, body, headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {} }),
    paramsOf({ id: strategyId }),
  );

describe("/api/v1 with API keys", () => {
  it("executes once per Idempotency-Key, then every route answers a READ key (GETs) or a TRADE key (POSTs)", async () => {
    const { trader, accounts, strategy, read, trade } = await desk();
    const first = await execute(strategy.id, trade, "api-run-0001");
    expect(first.status, await first.clone().text()).toBe(201);
    const { runId } = await first.json();
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    const sent = orders();
    expect(sent).toBe(8);

    const again = await execute(strategy.id, trade, "api-run-0001");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ runId, created: false });
    // The body's key is the same key as the header's.
    expect(await (await execute(strategy.id, trade, undefined, { idempotencyKey: "api-run-0001" })).json()).toEqual({
      runId,
      created: false,
    });
    expect(await db().strategyRun.count()).toBe(1);
    expect(orders()).toBe(sent);
    for (const a of accounts) await syncAccountFills(a.id);

    const id = (v: string) => paramsOf({ id: v });
    const reads: [string, Response][] = [
      ["me", await meGet(keyRequest("/api/v1/me", { key: read }))],
      ["accounts", await accountsGet(keyRequest("/api/v1/accounts", { key: read }))],
      ["account", await accountGet(keyRequest("/x", { key: read }), id(accounts[0].id))],
      ["book", await bookGet(keyRequest("/x", { key: read }), paramsOf({ id: accounts[0].id, book: "positions" }))],
      ["positions", await positionsGet(keyRequest("/api/v1/positions", { key: read }))],
      ["strategies", await strategiesGet(keyRequest("/api/v1/strategies", { key: read }))],
      ["strategy", await strategyGet(keyRequest("/x", { key: read }), id(strategy.id))],
      ["strategy positions", await strategyPositionsGet(keyRequest("/x", { key: read }), id(strategy.id))],
      ["preview", await previewPost(keyRequest("/x", { key: read, body: {} }), id(strategy.id))],
      ["runs", await runsGet(keyRequest(`/api/v1/runs?strategyId=${strategy.id}`, { key: read }))],
      ["run", await runGet(keyRequest("/x", { key: read }), id(runId))],
      ["exits", await exitsGet(keyRequest("/api/v1/exits", { key: read }))],
      ["kill switch", await killGet(keyRequest("/api/v1/kill-switch", { key: read }))],
      ["openapi", await openApiGet(keyRequest("/api/v1/openapi.json"))],
    ];
    const json: Record<string, Record<string, unknown>> = {};
    for (const [name, res] of reads) {
      expect(res.status, `${name}: ${await res.clone().text()}`).toBe(200);
      json[name] = await res.json();
    }
    expect(json.me).toEqual({
      user: { id: trader.id, email: trader.email, name: trader.name, role: "TRADER" },
      apiKey: { id: expect.any(String), scope: "READ" },
    });
    expect((json.accounts.accounts as { id: string }[]).map((a) => a.id).sort()).toEqual(
      accounts.map((a) => a.id).sort(),
    );
    expect((json.strategy.strategy as { id: string }).id).toBe(strategy.id);
    expect((json.runs.runs as { id: string }[]).map((r) => r.id)).toEqual([runId]);
    expect((json.run.run as { id: string }).id).toBe(runId);
    expect((json.positions.positions as unknown[]).length).toBeGreaterThan(0);
    expect((json.preview.preview as { totals: { orders: number } }).totals.orders).toBe(8);
    expect(json.openapi.openapi).toBe("3.1.0");
    expect(JSON.stringify(json)).not.toContain(INSTANCES[0].apiKey);

    const cancelled = await cancelPost(keyRequest("/x", { key: trade, method: "POST" }), id(runId));
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    const exit = await exitsPost(keyRequest("/api/v1/exits", { key: trade, body: { scope: "run", runId } }));
    expect(exit.status, await exit.clone().text()).toBe(200);
    const { exitId } = await exit.json();
    expect((await waitForExit(exitId)).status).toBe("DONE");
  }, 120_000);

  it("answers 401 without a key or with an unknown one, and a READ key may not trade (403)", async () => {
    const { strategy, read } = await desk();
    for (const res of [
      await meGet(keyRequest("/api/v1/me")),
      await accountsGet(keyRequest("/api/v1/accounts", { key: "mdk_" + "x".repeat(43) })),
      await execute(strategy.id, "", "no-key-00001"),
      // A session cookie is no key: /api/v1 authenticates by key only.
      await accountsGet(jsonRequest("/api/v1/accounts", { cookie: await sessionCookie(await makeUser("TRADER")) })),
    ])
      expect(res.status).toBe(401);

    const refused = await execute(strategy.id, read, "read-key-0001");
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toBe("This API key is read-only");
    const engage = await killPost(
      keyRequest("/api/v1/kill-switch", { key: read, body: { action: "engage", scope: "mine" } }),
    );
    expect(engage.status).toBe(403);
    expect(await db().strategyRun.count()).toBe(0);
    expect(await db().killSwitch.count()).toBe(0);
  });

  it("answers 404 for another trader's strategy, account and run, and sends nothing", async () => {
    const { accounts, strategy } = await desk();
    const { runId } = await startRun(strategy.ownerId, ironCondor());
    await waitForRun(runId);
    const sent = orders();
    const intruder = await makeUser("TRADER");
    const [read, trade] = [await makeApiKey(intruder, "READ"), await makeApiKey(intruder)];
    const id = (v: string) => paramsOf({ id: v });
    const answers: [string, Response][] = [
      ["account", await accountGet(keyRequest("/x", { key: read }), id(accounts[0].id))],
      ["book", await bookGet(keyRequest("/x", { key: read }), paramsOf({ id: accounts[0].id, book: "funds" }))],
      ["strategy", await strategyGet(keyRequest("/x", { key: read }), id(strategy.id))],
      ["strategy positions", await strategyPositionsGet(keyRequest("/x", { key: read }), id(strategy.id))],
      ["preview", await previewPost(keyRequest("/x", { key: read, body: {} }), id(strategy.id))],
      ["execute", await execute(strategy.id, trade, "intruder-0001")],
      ["run", await runGet(keyRequest("/x", { key: read }), id(runId))],
      ["cancel", await cancelPost(keyRequest("/x", { key: trade, method: "POST" }), id(runId))],
      ["exit", await exitsPost(keyRequest("/x", { key: trade, body: { scope: "strategy", strategyId: strategy.id } }))],
    ];
    for (const [name, res] of answers) expect(res.status, `${name}: ${await res.clone().text()}`).toBe(404);
    const runs = await (await runsGet(keyRequest("/api/v1/runs", { key: read }))).json();
    expect(runs.runs).toEqual([]);
    expect(await db().strategyRun.count()).toBe(1);
    expect(await db().exit.count()).toBe(0);
    expect(orders()).toBe(sent);
  }, 60_000);

  it("names the bad field as the session route does, and a missing idempotency key is a 400 naming it", async () => {
    const { trader, strategy, trade } = await desk();
    const cookie = await sessionCookie(trader);
    const bad = { legIndexes: [-1] };
    const viaKey = await previewPost(keyRequest("/x", { key: trade, body: bad }), paramsOf({ id: strategy.id }));
    const viaSession = await sessionPreviewPost(
      jsonRequest("/x", { body: bad, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(viaKey.status).toBe(400);
    const keyBody = await viaKey.json();
    expect(keyBody).toEqual(await viaSession.json());
    expect(Object.keys(keyBody.error.fields)).toEqual(["legIndexes.0"]);

    const badExecute = { idempotencyKey: "field-check-01", legIndexes: "all" };
    const executeViaKey = await execute(strategy.id, trade, undefined, badExecute);
    const executeViaSession = await sessionExecutePost(
      jsonRequest("/x", { body: badExecute, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(executeViaKey.status).toBe(400);
    expect(await executeViaKey.json()).toEqual(await executeViaSession.json());

    const missing = await execute(strategy.id, trade);
    expect(missing.status).toBe(400);
    expect(Object.keys((await missing.json()).error.fields)).toEqual(["idempotencyKey"]);
    const short = await execute(strategy.id, trade, "short");
    expect(short.status).toBe(400);
    expect(Object.keys((await short.json()).error.fields)).toEqual(["idempotencyKey"]);
    const differ = await execute(strategy.id, trade, "header-key-0001", { idempotencyKey: "body-key-00001" });
    expect(differ.status).toBe(400);
    expect(Object.keys((await differ.json()).error.fields)).toEqual(["idempotencyKey"]);
    expect(await db().strategyRun.count()).toBe(0);
    expect(orders()).toBe(0);
  });

  it("blocks an execute with 423 once the kill switch is engaged through the API", async () => {
    const { strategy, trade, read } = await desk();
    const engaged = await killPost(
      keyRequest("/api/v1/kill-switch", { key: trade, body: { action: "engage", scope: "mine", reason: "api" } }),
    );
    expect(engaged.status, await engaged.clone().text()).toBe(200);
    const status = await (await killGet(keyRequest("/api/v1/kill-switch", { key: read }))).json();
    expect(status.engaged).toBe(true);
    const refused = await execute(strategy.id, trade, "after-kill-0001");
    expect(refused.status).toBe(423);
    expect(await db().strategyRun.count({ where: { kind: { not: "EXIT" } } })).toBe(0);
    expect(orders()).toBe(0);
  });
});
