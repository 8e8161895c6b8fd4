/**
 * Shared set-up of the exit integration tests (never used by product code): a real exits worker in the test process,
 * runs of real strategies opened through the real planner and dispatch, and the simulator's view of positions and
 * orders (its books are the truth the tests assert on).
 */
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { QUEUES } from "@/lib/queues/registry";
import { startQueueWorker } from "./queue-worker";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { createRun } from "@/lib/services/runs";
import { createStrategy, planFor } from "@/lib/services/strategies";
import { makeExitProcessor } from "@/workers/processors/exits";
import type { DriveOptions } from "@/lib/services/exits";
import { newWorkerId } from "@/lib/queues/liveness";

/** A real exits worker (as workers/index.ts runs it). */
export async function startExitWorker(options: DriveOptions = {}) {
  const { errors, close } = await startQueueWorker(QUEUES.exits, makeExitProcessor(newWorkerId(), options), 20);
  return { errors, close };
}

/** Stores `definition` as a strategy of `owner` over all of the owner's active accounts. */
export async function makeStrategy(
  owner: { id: string; role: "ADMIN" | "TRADER" | "VIEWER" },
  definition: StrategyDefinition,
  name = `exit test ${randomUUID().slice(0, 6)}`,
) {
  const accounts = await listAccountSecrets({ ownerId: owner.id }, { active: true });
  return createStrategy(
    owner,
    {
      name,
      definition: { ...definition, legs: [...definition.legs] },
      accountIds: accounts.map((a) => a.id),
      accountTags: [],
    },
    "127.0.0.1",
  );
}

/** Plans and stores a run of the strategy for every active account of the owner (as Execute does). */
export async function runStrategy(ownerId: string, strategyId: string, definition: StrategyDefinition) {
  const accounts = await listAccountSecrets({ ownerId }, { active: true });
  const triggeredAt = new Date();
  const preview = await planFor(ownerId, definition, accounts, triggeredAt);
  return createRun({ ownerId, strategyId, kind: "STRATEGY", idempotencyKey: randomUUID(), triggeredAt, preview });
}

/** Net positions of a simulator instance: `symbol|exchange|product` → signed units (zero rows left out). */
export function simPositions(sim: RunningSimulator, instanceId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of sim.broker.instance(instanceId)?.account.positions.values() ?? [])
    if (p.qty !== 0) out.set(p.key, p.qty);
  return out;
}

/**
 * Replays an instance's fills in the order the simulator took the orders, from order `from` on, starting at
 * `start`: how many times a position crossed zero to the other side (an over-exit or a flip). Market orders fill on
 * arrival, so the replay is the position's exact history.
 */
export function signFlips(
  sim: RunningSimulator,
  instanceId: string,
  start: ReadonlyMap<string, number>,
  from: number,
): number {
  const net = new Map(start);
  const sign0 = new Map([...start].map(([k, v]) => [k, Math.sign(v)]));
  let flips = 0;
  for (const o of sim.broker.receivedOrders(instanceId).slice(from)) {
    const key = `${o.symbol}|${o.exchange}|${o.product}`;
    const next = (net.get(key) ?? 0) + (o.action === "BUY" ? o.filledQuantity : -o.filledQuantity);
    net.set(key, next);
    const s0 = sign0.get(key) ?? 0;
    if (next !== 0 && Math.sign(next) !== s0) flips += 1;
  }
  return flips;
}

/** Waits until the exit is DONE (or the timeout passes); returns its row with accounts. */
export async function waitForExit(exitId: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const exit = await db().exit.findUniqueOrThrow({ where: { id: exitId }, include: { accounts: true } });
    if (exit.status === "DONE" || Date.now() > until) return exit;
    await new Promise((r) => setTimeout(r, 50));
  }
}
