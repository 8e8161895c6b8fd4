/**
 * Shared set-up of the dispatch integration tests (never used by product code): simulator accounts linked through
 * the real account service, a 4-leg strategy planned by the real planner against the simulator's market, runs
 * created with createRun, and a real BullMQ dispatch worker in the test process.
 */
import { randomUUID } from "node:crypto";
import { Worker } from "bullmq";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { BULL_PREFIX } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import { createBlockingRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { hostOf } from "./simulator-instances";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { createAccount } from "@/lib/services/accounts";
import { createRun } from "@/lib/services/runs";
import { planFor } from "@/lib/services/strategies";
import { makeDispatchProcessor } from "@/workers/processors/dispatch";
import type { DispatchOptions } from "@/lib/services/dispatch";
import { newWorkerId, startWorkerLiveness } from "@/lib/queues/liveness";

/** Iron condor on NIFTY's current weekly expiry: 2 BUY wings (OTM 4), 2 SELL legs (OTM 1), market orders. */
export function ironCondor(lots = 1): StrategyDefinition {
  const leg = (action: "BUY" | "SELL", optionType: "CE" | "PE", n: number) =>
    ({
      underlying: "NIFTY",
      instrument: "options",
      expiry: "current_week",
      action,
      optionType,
      strike: { kind: "OTM", n },
      lots,
      orderType: { kind: "MARKET" },
    }) as const;
  return {
    product: "NRML",
    sizing: { kind: "fixed" },
    marketCondition: "other_days",
    legs: [leg("SELL", "CE", 1), leg("BUY", "CE", 4), leg("SELL", "PE", 1), leg("BUY", "PE", 4)],
  };
}

/** Links each simulator instance as an account of `owner` (names sort in instance order). */
export async function linkAccounts(
  sim: RunningSimulator,
  owner: { id: string; role: "ADMIN" | "TRADER" | "VIEWER" },
  instances: readonly InstanceConfig[],
  lotMultiplier: (i: number) => number = () => 1,
) {
  const out = [];
  for (const [i, inst] of instances.entries()) {
    out.push(
      await createAccount(
        owner,
        {
          name: `acct ${String(i + 1).padStart(3, "0")} ${inst.id}`,
          kind: "OPENALGO",
          hostUrl: hostOf(sim, inst.id),
          wsUrl: sim.wsUrl,
          apiKey: inst.apiKey,
          isPrimary: i === 0,
          active: true,
          tags: [],
          lotMultiplier: lotMultiplier(i),
          maxLotsPerLeg: null,
          orderRatePerSec: 10,
          otherRatePerSec: 10,
        },
        "127.0.0.1",
      ),
    );
  }
  return out;
}

/**
 * Plans `definition` for every account of `ownerId` with the real planner and stores it as a run (one job per
 * account). `afterPlan` runs between the two: faults set there hit the orders, not the planner's market reads.
 */
export async function startRun(
  ownerId: string,
  definition: StrategyDefinition = ironCondor(),
  afterPlan: () => void = () => undefined,
) {
  const accounts = await listAccountSecrets({ ownerId }, { active: true });
  const triggeredAt = new Date();
  const preview = await planFor(ownerId, definition, accounts, triggeredAt);
  afterPlan();
  const run = await createRun({
    ownerId,
    strategyId: null,
    kind: "STRATEGY",
    idempotencyKey: randomUUID(),
    triggeredAt,
    preview,
  });
  return { ...run, preview };
}

/** A real dispatch worker in this process, with its liveness key (as workers/index.ts runs it). */
export async function startDispatchWorker(options: Partial<DispatchOptions> = {}) {
  const workerId = newWorkerId();
  const stopLiveness = await startWorkerLiveness(workerId);
  const connection = createBlockingRedis();
  const worker = new Worker(QUEUES.dispatch, makeDispatchProcessor(workerId, options), {
    connection,
    prefix: BULL_PREFIX,
    concurrency: 200,
  });
  const errors: Error[] = [];
  worker.on("failed", (_job, err) => errors.push(err));
  worker.on("error", (err) => errors.push(err));
  return {
    workerId,
    errors,
    async close() {
      await worker.close();
      await stopLiveness();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/** Waits until the run leaves RUNNING; returns its row. */
export async function waitForRun(runId: string, timeoutMs = 45_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
    if (run.status !== "RUNNING") return run;
    if (Date.now() > until) throw new Error(`run ${runId} still RUNNING after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** How many orders each tag (intent id) produced at the simulator, over the given instances. */
export function ordersByTag(sim: RunningSimulator, instanceIds: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of instanceIds)
    for (const o of sim.broker.receivedOrders(id)) counts.set(o.strategy, (counts.get(o.strategy) ?? 0) + 1);
  return counts;
}
