/**
 * Start-up warm-up (docs/performance.md "Warm-up at start"): pays at boot the first-use costs a trigger would
 * otherwise pay — the Postgres pool's connections, the first runs of the trigger path's queries, the Redis
 * connections and scripts, each traded account's adapter (its decrypted key and keep-alive pool) — so the first
 * trigger after a start is not much slower than later ones.
 *
 * Reads only, and nothing it does is needed for correctness: every step is timed, a failing step is reported and
 * skipped, and the whole warm-up gives up after a deadline. It never throws, so it can never keep a process from
 * starting.
 */
import { randomUUID } from "node:crypto";
import { openPoolConnections } from "@/lib/db/queries/health";
import { listAccountSecrets, listStrategyAccountSecrets } from "@/lib/db/queries/accounts";
import { entryGateRows } from "@/lib/db/queries/entry-gates";
import { findRunIdByKey } from "@/lib/db/queries/runs";
import { findStrategy } from "@/lib/db/queries/strategies";
import { findUserById } from "@/lib/db/queries/users";
import { readTradingSettings } from "@/lib/db/queries/trading-settings";
import { redis } from "@/lib/redis";
import { kindOfStored } from "@/lib/brokers/kinds";
import { rateGovernor } from "@/lib/brokers/rate-governor";
import { brokerEntry } from "@/lib/brokers/registry";
import { queue } from "@/lib/queues/queues";
import { DISPATCH_QUEUE } from "@/lib/queues/dispatch";
import { adapterFor } from "@/lib/services/broker-access";
import { istDateOf } from "@/lib/trading/calendar";

/** Connections the warm-up opens in the pool (its size, lib/db/client.ts): a burst of reads then finds them open. */
export const WARM_POOL_CONNECTIONS = 10;
/** The warm-up stops waiting after this long, ms; what is still running finishes (or fails) on its own. */
export const WARM_UP_DEADLINE_MS = 10_000;
/** The web app waits less: it answers no request (not even its health check) until the warm-up returns. */
export const WEB_WARM_UP_DEADLINE_MS = 5_000;

export interface WarmUpStep {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface WarmUpOptions {
  /** Extra steps of the caller (the worker's first funds refresh, say), run beside the shared ones. */
  extra?: Record<string, () => Promise<unknown>>;
  deadlineMs?: number;
}

async function step(name: string, work: () => Promise<unknown>): Promise<WarmUpStep> {
  const t0 = performance.now();
  try {
    await work();
    return { name, ok: true, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return {
      name,
      ok: false,
      ms: Math.round(performance.now() - t0),
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

/** The trigger path's reads once each, with ids that may match nothing: what is warmed is the query, not data. */
async function warmQueries(): Promise<void> {
  const none = randomUUID();
  const accounts = await listStrategyAccountSecrets();
  await Promise.all([
    findUserById(none),
    findStrategy({ ownerId: none }, none),
    findRunIdByKey(`${none}:warm-up`),
    readTradingSettings(),
    listAccountSecrets({ ownerId: accounts[0]?.ownerId ?? none }, { active: true }),
    entryGateRows(accounts.length ? accounts.map((a) => a.id) : [none], istDateOf(Date.now())),
  ]);
}

/**
 * Every account a live strategy trades gets its adapter (decrypted key, keep-alive pool per origin) built now, and
 * the connectors of their kinds loaded (a direct broker's loads on first use otherwise).
 */
async function warmAdapters(): Promise<void> {
  const accounts = await listStrategyAccountSecrets();
  await Promise.allSettled(
    [...new Set(accounts.map((a) => kindOfStored(a.kind)))].map((k) => brokerEntry(k).preload()),
  );
  for (const a of accounts) {
    try {
      adapterFor(a);
    } catch {
      // An account the host policy refuses fails the same way at a trigger; nothing to warm.
    }
  }
  await rateGovernor().warmUp([
    ...new Set(accounts.flatMap((a) => [`order:${a.orderRatePerSec}`, `other:${a.otherRatePerSec}`])),
  ]);
}

/**
 * Runs the warm-up steps in parallel and returns what each cost. Never throws; returns after WARM_UP_DEADLINE_MS at
 * the latest (unfinished steps are reported as such).
 */
export async function warmUp(opts: WarmUpOptions = {}): Promise<WarmUpStep[]> {
  const steps: Record<string, () => Promise<unknown>> = {
    "postgres pool": () => openPoolConnections(WARM_POOL_CONNECTIONS),
    "trigger queries": warmQueries,
    redis: () => redis().ping(),
    "dispatch queue": () => queue(DISPATCH_QUEUE).waitUntilReady(),
    "broker adapters": warmAdapters,
    ...opts.extra,
  };
  const results = new Map<string, WarmUpStep>();
  const all = Promise.all(
    Object.entries(steps).map(([name, work]) => step(name, work).then((r) => void results.set(name, r))),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = opts.deadlineMs ?? WARM_UP_DEADLINE_MS;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline)))]);
  clearTimeout(timer);
  return Object.keys(steps).map(
    (name) => results.get(name) ?? { name, ok: false, ms: deadline, error: `unfinished after ${deadline} ms` },
  );
}
