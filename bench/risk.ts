/**
 * Risk engine benchmark (`npm run bench:risk -- --runs 200 [--latency 20] [--window 10]`).
 *
 * Starts its own world (bench/world.ts, no web app) on a dedicated database (mirrordesk_bench_risk) and Redis index
 * (11): the exchange simulator with one account per run whose every reply takes `--latency` ms, and the worker (its
 * risk sweep every second and its tick evaluation). It opens `--runs` live runs through Execute — one NRML NIFTY future
 * per run, each in its own account — armed with a max loss: ₹8,000 on every other run (within reach of a −1 % jump,
 * about −₹16,900), ₹60,000 on the rest. Prices are held still; once every run is watched on live prices it watches
 * `--window` seconds of steady sweeps, then jumps NIFTY −1 % once.
 *
 * tick → exit sent, per breached run: from the feed's receipt of the jump's first tick of the future (the tick's
 * `receivedAt` on the server tick channel) to the first EXIT order of that run's exit sent to its broker (the intent's
 * `sent_at`). sweep_ms: the median duration of the full sweeps over all the live runs in the steady window (the sweep
 * job's own measure). worker_cpu_cores: the worker's CPU time over the steady window and the exits, per wall second.
 * Last line: `risk runs=<n> positions=<n> tick_to_exit_sent_p99_ms=<n> sweep_ms=<n> worker_cpu_cores=<n>`; the line
 * before it says how many runs fired against how many should have (and any second exit of a run).
 */
import { arg, benchEnv, closeConnections, pct, sleep, startWorld, treeCpuSeconds } from "./world";

const RUNS = arg("runs", 200);
const LATENCY = arg("latency", 20);
const WINDOW_S = arg("window", 10);
const JUMP = -1;
const TIMEOUT_MS = 120_000;

benchEnv(
  process.env.BENCH_RISK_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench_risk",
  process.env.BENCH_RISK_REDIS_URL ?? "redis://127.0.0.1:6379/11",
);
// The simulator trades at any hour; the worker's clock-bound rules follow it.
process.env.MARKET_ALWAYS_OPEN = "true";
const { db } = await import("@/lib/db/client");
const { createBlockingRedis } = await import("@/lib/redis");
const { createStrategy, executeStrategy } = await import("@/lib/services/strategies");
const { LIVE } = await import("@/lib/services/market-data");
const { riskQueue } = await import("@/lib/queues/risk");

async function inBatches<T>(items: readonly T[], size: number, each: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += size)
    await Promise.all(items.slice(i, i + size).map((item, j) => each(item, i + j)));
}

async function main() {
  const world = await startWorld({ name: "risk", accounts: RUNS, latency: LATENCY, web: false });
  const { say } = world;
  const trader = { id: world.ownerId, role: "TRADER" as const };
  try {
    await world.control("/market/hold-prices", { hold: true });
    say(`opening ${RUNS} armed runs (one NIFTY future each, every other one within reach of a ${JUMP} % jump)`);
    const runIds: string[] = [];
    const breached = new Set<string>();
    await inBatches(world.accountIds, 20, async (accountId, i) => {
      const near = i % 2 === 0;
      const strategy = await createStrategy(
        trader,
        {
          name: `bench risk ${String(i + 1).padStart(4, "0")}`,
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
            risk: { maxLoss: near ? "8000" : "60000" },
          } as never,
          accountIds: [accountId],
          accountTags: [],
        },
        "127.0.0.1",
      );
      const run = await executeStrategy(
        trader,
        strategy.id,
        { idempotencyKey: `bench-risk-${i}-${Date.now()}` },
        "127.0.0.1",
      );
      runIds[i] = run.runId;
      if (near) breached.add(run.runId);
    });
    await Promise.all(runIds.map((id) => world.settledRun(id, 200)));

    // Every run filled (the worker's fill polls) and watched on live prices (interest, feed and sweep).
    const until = Date.now() + TIMEOUT_MS;
    const count = async (sql: string) => Number((await db().$queryRawUnsafe<{ n: bigint }[]>(sql, runIds))[0].n);
    let positions = 0;
    while (positions < RUNS) {
      if (Date.now() > until) throw new Error(`only ${positions} of ${RUNS} positions filled`);
      await sleep(500);
      positions = await count(
        `SELECT count(DISTINCT run_id::text || account_id::text || symbol) AS n FROM order_intents
          WHERE run_id = ANY($1::uuid[]) AND filled_quantity = quantity`,
      );
    }
    // Evaluated on live prices by a sweep whose book (read at most a second before) holds every fill.
    const filledAt = new Date(Date.now() + 1_000).toISOString();
    let live = 0;
    while (live < RUNS) {
      if (Date.now() > until) throw new Error(`only ${live} of ${RUNS} runs watched live`);
      await sleep(500);
      live = await count(
        `SELECT count(*) AS n FROM run_risks WHERE run_id = ANY($1::uuid[]) AND fired_rule IS NULL
            AND snapshot->>'live' = 'true' AND snapshot->>'pnl' IS NOT NULL AND evaluated_at > '${filledAt}'`,
      );
    }
    say(`${live} runs watched live, ${positions} positions; ${WINDOW_S} s of steady sweeps`);

    const cpu0 = treeCpuSeconds(world.worker.pid!);
    const wall0 = Date.now();
    await sleep(WINDOW_S * 1000);
    const sweeps = (await riskQueue().getJobs(["completed"], 0, 200))
      .filter(
        (j) => j.name === "sweep" && (j.finishedOn ?? 0) > wall0 && (j.returnvalue as { runs?: number })?.runs === RUNS,
      )
      .map((j) => (j.returnvalue as { ms: number }).ms);
    if (sweeps.length === 0) throw new Error("no full sweep finished in the steady window");

    // The jump's first tick of the future, as the feed received it.
    const future = (await db().orderIntent.findFirstOrThrow({ where: { runId: runIds[0] } })).symbol;
    const sub = createBlockingRedis();
    let before: string | null = null;
    let tickAt: number | null = null;
    sub.on("message", (_c: string, text: string) => {
      const q = JSON.parse(text) as { symbol: string; exchange: string; ltp: string; receivedAt: string };
      if (q.exchange !== "NFO" || q.symbol !== future) return;
      if (before === null) before = q.ltp;
      else if (tickAt === null && q.ltp !== before) tickAt = Date.parse(q.receivedAt);
    });
    await sub.subscribe(LIVE.ticks("simulated"));
    while (before === null) await sleep(20);
    await world.control("/market/jump", { underlying: "NIFTY", percent: JUMP });
    say(`jumped NIFTY ${JUMP} %`);

    const sentAt = new Map<string, number>();
    const deadline = Date.now() + TIMEOUT_MS;
    while (sentAt.size < breached.size && Date.now() < deadline) {
      await sleep(100);
      const rows = await db().$queryRawUnsafe<{ run_id: string; sent: Date }[]>(
        `SELECT e.run_id::text AS run_id, min(i.sent_at) AS sent
           FROM exits e JOIN exit_accounts ea ON ea.exit_id = e.id
           JOIN order_intents i ON i.run_id::text = ANY(e.run_ids) AND i.account_id = ea.account_id
          WHERE e.reason = 'RISK' AND e.scope = 'RUN' AND i.sent_at IS NOT NULL
          GROUP BY e.run_id`,
      );
      for (const r of rows) sentAt.set(r.run_id, r.sent.getTime());
    }
    const cores = (treeCpuSeconds(world.worker.pid!) - cpu0) / ((Date.now() - wall0) / 1000);
    await sub.quit();
    if (tickAt === null) throw new Error("the jump's tick never arrived");
    const fired = await db().runRisk.count({ where: { firedRule: { not: null } } });
    const exits = await db().exit.groupBy({ by: ["runId"], where: { reason: "RISK" }, _count: true });
    const wrong = [...sentAt.keys()].filter((id) => !breached.has(id)).length;
    const latencies = [...sentAt].filter(([id]) => breached.has(id)).map(([, at]) => at - tickAt!);
    // The engine's own part: the trigger recorded (its EXIT event) and the exit started, from the same tick.
    const engine = await db().$queryRawUnsafe<{ fired: Date; exit: Date }[]>(
      `SELECT ev.created_at AS fired, e.created_at AS exit FROM risk_events ev JOIN exits e ON e.id = ev.exit_id
        WHERE ev.action = 'EXIT' AND ev.run_id = ANY($1::uuid[])`,
      [...breached],
    );
    const toFire = engine.map((r) => r.fired.getTime() - tickAt!);
    const toExit = engine.map((r) => r.exit.getTime() - tickAt!);
    say(
      `engine: tick → trigger recorded p50 ${Math.round(pct(toFire, 50))} ms, p99 ${Math.round(pct(toFire, 99))} ms; ` +
        `tick → exit started p50 ${Math.round(pct(toExit, 50))} ms, p99 ${Math.round(pct(toExit, 99))} ms`,
    );
    const p99 = Math.round(pct(latencies, 99));
    say(
      `fired ${fired} of ${breached.size} expected (${wrong} outside them, ${exits.filter((e) => e._count > 1).length} runs with a second exit); ` +
        `exit orders sent for ${latencies.length}; tick → exit sent p50 ${Math.round(pct(latencies, 50))} ms, p99 ${p99} ms, ` +
        `max ${Math.round(Math.max(...latencies))} ms; sweeps p50 ${pct(sweeps, 50)} ms, p90 ${pct(sweeps, 90)} ms, max ${Math.max(...sweeps)} ms over ${sweeps.length}`,
    );
    console.log(
      `risk runs=${RUNS} positions=${positions} tick_to_exit_sent_p99_ms=${p99} sweep_ms=${Math.round(pct(sweeps, 50))} worker_cpu_cores=${cores.toFixed(2)}`,
    );
  } finally {
    await world.stop();
    await closeConnections();
  }
}

main().catch(async (err) => {
  console.error(err);
  await closeConnections().catch(() => undefined);
  process.exit(1);
});
