/**
 * Shared set-up of the broker-side leg stop tests (never used by product code): runs armed with risk rules in the
 * transaction that stores them (as the risk engine arms every run), a real risk-stops worker, and the simulator's
 * view of the stop orders and of the order of events at the broker.
 */
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { insertRunRisk } from "@/lib/db/queries/run-risks";
import { queue } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { riskRulesSchema, type RiskRulesInput } from "@/lib/trading/risk/rules";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { jsonify } from "@/lib/util/jsonify";
import { createRun } from "@/lib/services/runs";
import { planFor } from "@/lib/services/strategies";
import { processRiskStopsJob } from "@/workers/processors/risk-stops";
import { startQueueWorker } from "./queue-worker";
import { waitUntil } from "./wait";

/** A real risk-stops worker (as workers/index.ts runs it). */
export function startRiskStopsWorker() {
  return startQueueWorker(QUEUES.riskStops, processRiskStopsJob, 20);
}

/** One short NIFTY call (the first OTM strike of `expiry`), `lots` lots, NRML, at market (or the given order). */
export function shortCall(
  lots: number,
  orderType: StrategyDefinition["legs"][number]["orderType"] = { kind: "MARKET" },
  expiry: StrategyDefinition["legs"][number]["expiry"] = "current_week",
): StrategyDefinition {
  return {
    product: "NRML",
    sizing: { kind: "fixed" },
    marketCondition: "other_days",
    legs: [
      {
        underlying: "NIFTY",
        instrument: "options",
        expiry,
        action: "SELL",
        optionType: "CE",
        strike: { kind: "OTM", n: 1 },
        lots,
        orderType,
      },
    ],
  };
}

/**
 * Plans `definition` for every active account of the owner and stores the run with its `run_risks` row in one
 * transaction, so the rules are armed before any fill can arrive.
 */
export async function startProtectedRun(
  ownerId: string,
  strategyId: string,
  definition: StrategyDefinition,
  rules: RiskRulesInput,
) {
  const accounts = await listAccountSecrets({ ownerId }, { active: true });
  const triggeredAt = new Date();
  const preview = await planFor(ownerId, definition, accounts, triggeredAt);
  const parsed = riskRulesSchema.parse(rules);
  const runId = randomUUID();
  const data = { ownerId, strategyId, rules: jsonify(parsed) as object, legStopMode: parsed.legStopMode };
  return createRun({
    runId,
    ownerId,
    strategyId,
    kind: "STRATEGY",
    idempotencyKey: randomUUID(),
    triggeredAt,
    preview,
    andThen: (tx) => insertRunRisk(tx, { runId, ...data }),
  });
}

/** The orders of an instance that are stops (SL-M) or take-profits (LIMIT BUY/SELL placed by a STOP_ORDERS run). */
export async function stopOrdersAt(sim: RunningSimulator, instanceId: string) {
  const tags = new Set(
    (await db().orderIntent.findMany({ where: { run: { kind: "STOP_ORDERS" } }, select: { id: true } })).map(
      (i) => i.id,
    ),
  );
  return sim.broker.receivedOrders(instanceId).filter((o) => tags.has(o.strategy));
}

/** Every order update the simulator emits, in order, as `instance orderid status`. */
export function recordOrderEvents(sim: RunningSimulator) {
  const events: string[] = [];
  const stop = sim.broker.onOrderUpdate((instanceId, u) =>
    events.push(`${instanceId} ${String(u.orderid)} ${String(u.order_status)}`),
  );
  return { events, stop };
}

/** Waits until the risk-stops queue has nothing waiting, delayed or running. */
export async function stopsQueueIdle(timeoutMs = 20_000): Promise<void> {
  const q = queue(QUEUES.riskStops);
  await waitUntil(
    async () => {
      const c = await q.getJobCounts("waiting", "delayed", "active", "prioritized");
      return c.waiting + c.delayed + c.active + c.prioritized === 0;
    },
    timeoutMs,
    "risk-stops queue idle",
    50,
  );
}
