/**
 * Fan-out benchmark (`npm run bench:fanout -- --accounts 200 --legs 4 --latency 50 [--lots 1] [--triggers 5] [--workers 1] [--idle 0]`).
 *
 * Starts its own world on a dedicated database (mirrordesk_bench) and Redis index (7), each part in its own process:
 * the exchange simulator (`workers/simulator.ts`) with N accounts whose every reply takes `--latency` ms, the web
 * app (`next start`, rebuilt when older than the sources) and `--workers` worker processes (`workers/index.ts`) sharing
 * the queues, set up by bench/world.ts. It signs in over HTTP, creates a
 * 4-leg strategy (2 BUY wings, 2 SELL legs on NIFTY) over every account with `POST /api/strategies`, and triggers
 * it `--triggers` times with `POST /api/strategies/{id}/execute`. Per account and trigger, latency = last broker
 * acknowledgement − the run's trigger time. Then it drives the same orders with the staggered schedule of the
 * best-known open-source peer (per leg: accounts in batches of 5, account i of a batch waiting i × 300 ms, 200 ms
 * between batches; all BUY legs, then all SELL legs) as the baseline. Stops everything it started.
 * `--skip-baseline` (iterating on dispatch only) reports baseline_p99_ms=0 and speedup=0. `--idle <s>` then waits 10 s
 * and another <s> with the triggers' positions open, and reports the workers' CPU per second over the latter (what is
 * paid all day).
 *
 * The first trigger after the world starts is the cold one (cold_p99_ms); p50/p99 are over the later, warm triggers;
 * speedup = baseline p99 ÷ the worse of warm and cold p99. cpu_ms_per_order = CPU time the web app and the workers
 * used from each warm trigger's request until its run settled, ÷ the orders those triggers sent. rss_mb: the highest
 * resident memory of web + workers together while triggering. Before the last line it checks that every intent of the
 * triggers reached the simulator exactly once (by its tag) and fails otherwise.
 * Last line: `fanout accounts=<n> legs=<n> p50_ms=<n> p99_ms=<n> cold_p99_ms=<n> floor_ms=<n> baseline_p99_ms=<n>
 * speedup=<x> cpu_ms_per_order=<x> rss_mb=<n> workers=<n>`.
 */
import {
  arg,
  benchEnv,
  closeConnections,
  condorLegs,
  pct,
  sleep,
  startWorld,
  treeCpuSeconds,
  treeRssMb,
  type World,
} from "./world";

const ACCOUNTS = arg("accounts", 200);
const LEGS = arg("legs", 4);
const LATENCY = arg("latency", 50);
const LOTS = arg("lots", 1);
const TRIGGERS = Math.max(5, arg("triggers", 5));
const WORKERS = Math.max(1, arg("workers", 1));
const IDLE_S = arg("idle", 0);
if (LEGS !== 4) throw new Error("--legs: only the 4-leg condor (2 BUY wings, 2 SELL legs) is benchmarked");

benchEnv(
  process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench",
  process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/7",
);
const { db } = await import("@/lib/db/client");
const { adapterFor } = await import("@/lib/services/broker-access");
const { listAccountSecrets } = await import("@/lib/db/queries/accounts");

async function main() {
  // BENCH_WORKER_PROFILE=<dir> / BENCH_WEB_PROFILE=<dir> write the workers' / web app's V8 CPU profiles there.
  const cpuProf = (dir?: string) => (dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []);
  const profile = cpuProf(process.env.BENCH_WORKER_PROFILE);
  const world = await startWorld({
    name: "fanout",
    accounts: ACCOUNTS,
    latency: LATENCY,
    workerArgs: profile,
    webArgs: cpuProf(process.env.BENCH_WEB_PROFILE),
    workers: WORKERS,
  });
  const { say, post } = world;
  const pids = () => [world.web!.pid!, ...world.workers.map((w) => w.pid!)];
  const cpuSeconds = () => pids().reduce((s, pid) => s + treeCpuSeconds(pid), 0);
  try {
    say(`lots=${LOTS} triggers=${TRIGGERS} workers=${WORKERS}`);
    const { strategy } = await post("/api/strategies", {
      name: "bench condor",
      definition: { product: "NRML", sizing: { kind: "fixed" }, marketCondition: "other_days", legs: condorLegs(LOTS) },
      // Every account, by the tag the world gives them (1,000 accounts are more than a strategy may name by id).
      accountIds: [],
      accountTags: ["bench"],
    });

    let rss = 0;
    const sampler = setInterval(
      () =>
        (rss = Math.max(
          rss,
          pids().reduce((s, pid) => s + treeRssMb(pid), 0),
        )),
      100,
    );
    const latencies: number[] = [];
    let cold: number[] = [];
    let warmCpu = 0;
    let warmOrders = 0;
    let ordersPerAccount = 0;
    const runIds: string[] = [];
    for (let t = 1; t <= TRIGGERS; t++) {
      const cpu0 = cpuSeconds();
      const webCpu0 = treeCpuSeconds(world.web!.pid!);
      const { runId } = await post(`/api/strategies/${strategy.id}/execute`, {
        idempotencyKey: `bench-${Date.now()}-${t}`,
      });
      // The web app's CPU from the request until its answer: the trigger's request path (ms, /proc's 10 ms ticks).
      const webMs = Math.round(1000 * (treeCpuSeconds(world.web!.pid!) - webCpu0));
      runIds.push(runId);
      const run = await world.settledRun(runId);
      const cpu = cpuSeconds() - cpu0;
      const intents = await db().orderIntent.findMany({
        where: { runId },
        select: { accountId: true, acknowledgedAt: true },
      });
      const byAccount = new Map<string, number>();
      for (const i of intents)
        byAccount.set(i.accountId, Math.max(byAccount.get(i.accountId) ?? 0, i.acknowledgedAt?.getTime() ?? Infinity));
      const ms = [...byAccount.values()].map((ack) => ack - run.triggeredAt.getTime());
      if (t === 1) cold = ms;
      else {
        latencies.push(...ms);
        warmCpu += cpu;
        warmOrders += intents.length;
      }
      ordersPerAccount = intents.length / Math.max(1, byAccount.size);
      const planned =
        (await db().orderIntent.aggregate({ where: { runId }, _min: { createdAt: true } }))._min.createdAt!.getTime() -
        run.triggeredAt.getTime();
      say(
        `trigger ${t}${t === 1 ? " (cold)" : ""}: ${run.status}, ${intents.length} orders, planning ${planned} ms, p50 ${pct(ms, 50)} ms, p99 ${pct(ms, 99)} ms, cpu ${((1000 * cpu) / intents.length).toFixed(2)} ms/order, web request cpu ${webMs} ms`,
      );
      await sleep(500);
    }
    clearInterval(sampler);
    if (IDLE_S > 0) {
      // What the open positions cost while nothing trades: the workers' CPU over --idle seconds after the triggers.
      // After 10 s, so the triggers' tail (last fill polls, funds refreshed after the trades) is not counted.
      const workerCpu = () => world.workers.reduce((s, w) => s + treeCpuSeconds(w.pid!), 0);
      await sleep(10_000);
      const idle0 = workerCpu();
      await sleep(1000 * IDLE_S);
      say(`idle: worker cpu ${((1000 * (workerCpu() - idle0)) / IDLE_S).toFixed(1)} ms/s over ${IDLE_S} s`);
    }
    const orders = await simulatorOrders(world);
    await exactlyOnce(world, runIds, orders);
    await breakdown(world, runIds.at(-1)!, orders);

    const baseline = process.argv.includes("--skip-baseline") ? 0 : await runBaseline(say, runIds.at(-1)!);
    const p50 = pct(latencies, 50);
    const p99 = pct(latencies, 99);
    const coldP99 = pct(cold, 99);
    const floor = 2 * LATENCY + 1000 * (Math.ceil(ordersPerAccount / 10) - 1);
    const speedup = baseline / Math.max(p99, coldP99);
    await world.stop();
    console.log(
      `fanout accounts=${ACCOUNTS} legs=${LEGS} p50_ms=${Math.round(p50)} p99_ms=${Math.round(p99)} cold_p99_ms=${Math.round(coldP99)} floor_ms=${floor} baseline_p99_ms=${Math.round(baseline)} speedup=${speedup.toFixed(1)} cpu_ms_per_order=${((1000 * warmCpu) / warmOrders).toFixed(2)} rss_mb=${Math.round(rss)} workers=${WORKERS}`,
    );
  } finally {
    await world.stop();
  }
}

type SimOrder = { strategy: string; receivedAt: number };

/** Every order the simulator's accounts received, read through its control API (never faulted). */
async function simulatorOrders(world: World): Promise<SimOrder[]> {
  const out: SimOrder[] = [];
  for (const id of world.instanceIds)
    out.push(...((await world.control(`/instances/${id}/orders`)) as { orders: SimOrder[] }).orders);
  return out;
}

/**
 * Every intent of the triggers' runs reached its broker exactly once: the simulator received one order tagged with
 * its id, and no order carries a tag no intent has. Throws otherwise (a duplicate or a lost order fails the bench).
 */
async function exactlyOnce(world: World, runIds: readonly string[], orders: readonly SimOrder[]) {
  const intents = new Set(
    (await db().orderIntent.findMany({ where: { runId: { in: [...runIds] } }, select: { id: true } })).map((i) => i.id),
  );
  const counts = new Map<string, number>();
  for (const o of orders) counts.set(o.strategy, (counts.get(o.strategy) ?? 0) + 1);
  const missing = [...intents].filter((id) => !counts.has(id)).length;
  const duplicated = [...counts].filter(([, n]) => n > 1).length;
  const strangers = [...counts.keys()].filter((tag) => !intents.has(tag)).length;
  world.say(
    `exactly once: ${intents.size} intents over ${runIds.length} runs, ${orders.length} orders at the brokers, ${missing} missing, ${duplicated} duplicated, ${strangers} not ours`,
  );
  if (missing + duplicated + strangers > 0) throw new Error("an intent was not placed exactly once");
}

/** Where the last run's time went: our send → the broker receiving it → our acknowledgement (p50/p99, ms). */
async function breakdown(world: World, runId: string, orders: readonly SimOrder[]) {
  const intents = await db().orderIntent.findMany({
    where: { runId },
    select: { id: true, sentAt: true, acknowledgedAt: true },
  });
  const received = new Map(orders.map((o) => [o.strategy, o.receivedAt]));
  const toBroker: number[] = [];
  const back: number[] = [];
  for (const i of intents) {
    const at = received.get(i.id);
    if (at === undefined || !i.sentAt || !i.acknowledgedAt) continue;
    toBroker.push(at - i.sentAt.getTime());
    back.push(i.acknowledgedAt.getTime() - at);
  }
  world.say(
    `last run: sent→received p50 ${pct(toBroker, 50)} p99 ${pct(toBroker, 99)} ms; received→acknowledged p50 ${pct(back, 50)} p99 ${pct(back, 99)} ms`,
  );
}

/**
 * The peer's staggered schedule over the same orders (the last run's intents): per leg, BUY legs first, accounts in
 * batches of 5 with account i of a batch waiting i × 300 ms and 200 ms between batches. Returns p99 over accounts of
 * (last acknowledgement − start), ms. Orders go through the same adapters and rate budgets as dispatch.
 */
async function runBaseline(say: (m: string) => void, runId: string): Promise<number> {
  say("baseline: the peer's staggered schedule (this takes a while at 200 accounts)");
  const intents = await db().orderIntent.findMany({
    where: { runId },
    orderBy: [{ phase: "asc" }, { legIndex: "asc" }, { sliceIndex: "asc" }],
  });
  const accounts = new Map((await listAccountSecrets({ ownerId: null })).map((a) => [a.id, a]));
  const accountIds = [...new Set(intents.map((i) => i.accountId))].sort();
  const legOrder = [...new Set(intents.map((i) => `${i.phase}|${i.legIndex}`))];
  const lastAck = new Map<string, number>();
  const started = Date.now();
  for (const leg of legOrder) {
    for (let b = 0; b < accountIds.length; b += 5) {
      await Promise.all(
        accountIds.slice(b, b + 5).map(async (accountId, i) => {
          await sleep(i * 300);
          const adapter = adapterFor(accounts.get(accountId)!);
          for (const it of intents.filter((x) => x.accountId === accountId && `${x.phase}|${x.legIndex}` === leg)) {
            const r = await adapter.placeOrder({
              symbol: it.symbol,
              exchange: it.exchange as "NFO",
              action: it.action as "BUY" | "SELL",
              quantity: it.quantity,
              priceType: "MARKET",
              product: it.product as "NRML",
              strategy: "baseline",
            });
            if (r.kind !== "accepted") throw new Error(`baseline order not accepted: ${JSON.stringify(r)}`);
          }
          lastAck.set(accountId, Date.now());
        }),
      );
      await sleep(200);
    }
  }
  return pct(
    [...lastAck.values()].map((t) => t - started),
    99,
  );
}

try {
  await main();
} finally {
  await closeConnections();
}
