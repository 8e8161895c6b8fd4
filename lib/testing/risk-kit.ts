/**
 * Shared set-up of the risk engine's integration tests (never used by product code): a trader with simulator accounts,
 * real dispatch, exit and risk workers in the test process, the live feed streaming the simulator's prices into Redis,
 * prices held still so only `/_sim/market/jump` moves them, and runs opened through the real Execute path (which arms
 * them). Every wait is on observable state: the armed row, the exit, the simulator's books.
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { QUEUES } from "@/lib/queues/registry";
import { riskQueue, scheduleRiskJobs } from "@/lib/queues/risk";
import type { InstanceConfig } from "@/lib/simulator/types";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { syncAccountFills } from "@/lib/services/fills";
import { executeStrategy } from "@/lib/services/strategies";
import { liveKey, readQuotes, sweepStale } from "@/lib/services/market-data";
import { resetRiskEngineState, startRiskEngine, type RiskClock } from "@/lib/services/risk";
import type { RiskRulesInput } from "@/lib/trading/risk/rules";
import type { RiskSnapshot } from "@/lib/trading/risk/snapshot";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { processRiskJob } from "@/workers/processors/risk";
import { linkAccounts, startDispatchWorker, waitForRun } from "./dispatch-kit";
import { makeStrategy, startExitWorker, waitForExit } from "./exits-kit";
import { makeUser } from "./fixtures";
import { testFeed } from "./feed-kit";
import type { IntegrationWorld } from "./integration-world";
import { startQueueWorker } from "./queue-worker";
import { SIM_ADMIN } from "./simulator-instances";
import { waitFor } from "./wait";

export const WAIT = 30_000;

/** One futures leg (futures follow the index one for one, so a 1 % jump is a known P&L). */
export function futLeg(underlying: "NIFTY" | "BANKNIFTY", action: "BUY" | "SELL", lots = 1) {
  return {
    underlying,
    instrument: "futures",
    expiry: "current_month",
    action,
    lots,
    orderType: { kind: "MARKET" },
  } as const;
}

/** An NRML strategy of `legs` with `risk` armed on every run. */
export function riskStrategy(
  legs: ReturnType<typeof futLeg>[],
  risk: RiskRulesInput | null,
): StrategyDefinition & { risk: RiskRulesInput | null } {
  return { product: "NRML", sizing: { kind: "fixed" }, marketCondition: "other_days", legs, risk } as never;
}

/** The simulator's control API. */
export async function simPost(sim: RunningSimulator, path: string, body: unknown) {
  const res = await fetch(`${sim.httpUrl}/_sim${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SIM_ADMIN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sim ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Moves an index at once by `percent` (its futures and options follow). */
export const jump = (sim: RunningSimulator, percent: number, underlying = "NIFTY") =>
  simPost(sim, "/market/jump", { underlying, percent });

/**
 * A trader with the file's accounts, dispatch and exit workers, the live feed, prices held still. With `engine`
 * (default) the risk engine runs as the worker runs it: the tick evaluation and the queue's sweep every second.
 */
export async function riskDesk(
  world: IntegrationWorld,
  instances: InstanceConfig[],
  opts: { engine?: boolean; clock?: () => RiskClock } = {},
) {
  resetRiskEngineState();
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, instances);
  world.stopAfterTest(await startDispatchWorker());
  world.stopAfterTest(await startExitWorker());
  const feed = testFeed();
  world.stopAfterTest({ close: () => feed.stop() });
  await feed.start();
  await simPost(world.sim, "/market/hold-prices", { hold: true });
  if (opts.engine !== false) await startEngine(world, opts.clock);
  return { trader, accounts };
}

/** The tick evaluation (with `clock`) and a real risk queue worker running its sweep scheduler. */
export async function startEngine(world: IntegrationWorld, clock?: () => RiskClock) {
  const stop = await startRiskEngine(clock ? { clock } : {});
  world.stopAfterTest({ close: stop });
  world.stopAfterTest(await startQueueWorker(QUEUES.risk, processRiskJob));
  await scheduleRiskJobs();
}

/** Opens a run of the strategy through Execute (armed with its rules, or `risk` for this run) and books its fills. */
export async function openRun(
  trader: { id: string; role: "ADMIN" | "TRADER" | "VIEWER" },
  strategyId: string,
  risk?: RiskRulesInput | null,
) {
  const run = await executeStrategy(
    trader,
    strategyId,
    { idempotencyKey: `risk-${randomUUID()}`, ...(risk !== undefined ? { risk: risk as never } : {}) },
    "127.0.0.1",
  );
  expect((await waitForRun(run.runId)).status).toBe("COMPLETED");
  for (const a of await listAccountSecrets({ ownerId: trader.id }, { active: true })) await syncAccountFills(a.id);
  return run.runId;
}

/** Stores `definition` as the trader's strategy over all their accounts. */
export const strategyOf = (trader: { id: string; role: "ADMIN" | "TRADER" | "VIEWER" }, d: StrategyDefinition) =>
  makeStrategy(trader, d);

export const armed = (runId: string) => db().runRisk.findUniqueOrThrow({ where: { runId } });

/** Waits until the engine's snapshot of the run satisfies `ok` (evaluated on live prices, say). */
export async function snapshotWhen(
  runId: string,
  ok: (s: RiskSnapshot) => boolean,
  what = "the run's snapshot",
): Promise<RiskSnapshot> {
  const s = await waitFor(
    what,
    async () => (await armed(runId)).snapshot as RiskSnapshot | null,
    (s) => s !== null && ok(s),
    WAIT,
  );
  return s!;
}

/** Waits until the run's rule fired and its exit is recorded, then until that exit is done; returns both. */
export async function firedExit(runId: string) {
  const row = await waitFor(
    "the run's rule to fire with an exit",
    () => armed(runId),
    (r) => r.firedRule !== null && r.exitId !== null,
    WAIT,
  );
  const exit = await waitForExit(row.exitId!, WAIT);
  expect(exit.status).toBe("DONE");
  return { row, exit };
}

/** Waits until `n` more risk sweeps than now have completed (a sweep that found nothing to do still completes). */
export async function moreSweeps(n: number) {
  const finished = async () =>
    (await riskQueue().getJobs(["completed"])).filter((j) => j.name === "sweep" && (j.finishedOn ?? 0) > since).length;
  const since = Date.now();
  await waitFor(`${n} more risk sweeps`, finished, (k) => k >= n, WAIT);
}

/** Every exit with reason RISK and the risk events of a run. */
export async function riskTrail(runId: string) {
  const [exits, events] = await Promise.all([
    db().exit.findMany({ where: { runId, reason: "RISK" }, orderBy: { createdAt: "asc" } }),
    db().riskEvent.findMany({ where: { runId }, orderBy: { createdAt: "asc" } }),
  ]);
  return { exits, events };
}

/** Signed units the simulator instance holds per contract (`symbol|exchange|product`). */
export function heldAt(sim: RunningSimulator, instanceId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of sim.broker.instance(instanceId)?.account.positions.values() ?? [])
    if (p.qty !== 0) out.set(p.key, p.qty);
  return out;
}

/** The watchdog's thresholds while a test stalls a contract. */
export const WATCHDOG = { indexMs: 5_000, contractMs: 20_000, restEveryMs: 5_000 };

export interface RunContract {
  exchange: string;
  symbol: string;
  /** `EXCHANGE:SYMBOL`, the live quote store's key. */
  key: string;
}

/** The run's (first) contract. */
export async function contractOf(runId: string): Promise<RunContract> {
  const i = await db().orderIntent.findFirstOrThrow({ where: { runId } });
  return { exchange: i.exchange, symbol: i.symbol, key: liveKey(i.exchange, i.symbol) };
}

/** Stalls the contract's WebSocket ticks and runs the watchdog until it flags the contract stale. */
export async function stallAndFlagContract(sim: RunningSimulator, c: RunContract) {
  // The watchdog's first look starts its record of the contract being wanted: silence counts from then at the earliest.
  const first = Date.now();
  await sweepStale({ now: new Date(first), alwaysOpen: true }, WATCHDOG);
  await simPost(sim, "/market/stall-symbol", { symbol: c.symbol, exchange: c.exchange, stalled: true });
  await waitFor(
    "the watchdog to flag the stalled contract",
    async () => {
      const last = (await readQuotes("simulated", [c.key])).get(c.key);
      const now = Date.now();
      // A threshold just under the contract's silence so far: flagged only once no tick comes any more.
      const silent = now - Math.max(first, Date.parse(last!.receivedAt));
      const contractMs = Math.max(1, silent - 1);
      return (await sweepStale({ now: new Date(now), alwaysOpen: true }, { ...WATCHDOG, contractMs })).simulated.stale;
    },
    (n) => n === 1,
    WAIT,
  );
}

/** Unstalls the contract and runs the watchdog until a live tick has cleared its flag. */
export async function unstallContract(sim: RunningSimulator, c: RunContract) {
  await simPost(sim, "/market/stall-symbol", { symbol: c.symbol, exchange: c.exchange, stalled: false });
  await waitFor(
    "the flag cleared by a live tick",
    async () => (await sweepStale({ now: new Date(), alwaysOpen: true }, WATCHDOG)).simulated.stale,
    (n) => n === 0,
    WAIT,
  );
}
