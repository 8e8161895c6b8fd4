/**
 * Webhook benchmark (`npm run bench:webhook -- --rps 100 --seconds 30 [--accounts 20] [--strategies 10] [--latency 50]`).
 *
 * Starts its own world (bench/world.ts) on a dedicated database (mirrordesk_bench_webhook) and Redis index (11): the
 * exchange simulator with N accounts whose every reply takes `--latency` ms, the web app and the worker. It creates
 * `--strategies` one-leg NIFTY futures strategies over every account, each with a webhook, then posts TradingView-
 * shaped alerts (MirrorDesk JSON with `id` and `ts`) open-loop at `--rps` for `--seconds`, round-robin over the
 * strategies. Each strategy alternates ENTRY and EXIT phases of `--phase` seconds (5), so one alert of a phase trades
 * and the rest find the strategy already there; one alert in ten is an exact repeat of a recent one (a duplicate).
 * The runs and exits execute while alerts keep coming. Afterwards it waits for every run and exit to settle and counts,
 * from the simulator's own order lists, orders sent more than once for one intent (dup_orders), and checks that no
 * duplicate alert created a run.
 * Last line: `webhook rps=<n> accepted=<n> ack_p50_ms=<n> ack_p99_ms=<n> dup_orders=<n>`.
 */
import { request } from "node:http";
import { arg, benchEnv, closeConnections, pct, sleep, startWorld, treeCpuSeconds } from "./world";

const RPS = arg("rps", 100);
const SECONDS = arg("seconds", 30);
const ACCOUNTS = arg("accounts", 20);
const STRATEGIES = arg("strategies", 10);
const LATENCY = arg("latency", 50);
/** How long each strategy stays in one phase (ENTRY alerts, then EXIT alerts), s: long enough for its orders to go. */
const PHASE_SECONDS = arg("phase", 5);

benchEnv(
  process.env.BENCH_WEBHOOK_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench_webhook",
  process.env.BENCH_WEBHOOK_REDIS_URL ?? "redis://127.0.0.1:6379/11",
);
// The bench is one sender posting far more than any real alert source: lift the per-webhook and per-address limits
// (they are tested, not measured, here), and name the sender through one trusted proxy hop.
Object.assign(process.env, {
  WEBHOOK_RATE_PER_MIN: "1000000",
  WEBHOOK_IP_RATE_PER_MIN: "1000000",
  TRUSTED_PROXY_HOPS: "1",
});
const { db } = await import("@/lib/db/client");

/** A one-leg strategy: 1 lot of the current-month NIFTY future, bought at market. */
const futureLeg = {
  underlying: "NIFTY",
  instrument: "futures",
  expiry: "current_month",
  action: "BUY",
  lots: 1,
  orderType: { kind: "MARKET" },
};

interface Sent {
  strategy: number;
  status: number;
  ackMs: number;
  duplicate: boolean;
}

async function main() {
  // BENCH_WEB_PROFILE=<dir> writes the web app's V8 CPU profile there (for finding the hot path of the ack).
  const profile = process.env.BENCH_WEB_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_WEB_PROFILE}`]
    : [];
  const world = await startWorld({ name: "webhook", accounts: ACCOUNTS, latency: LATENCY, webArgs: profile });
  const { say, post } = world;
  try {
    const hooks: string[] = [];
    for (let s = 0; s < STRATEGIES; s++) {
      const { strategy } = await post("/api/strategies", {
        name: `bench signals ${s + 1}`,
        definition: { product: "NRML", sizing: { kind: "fixed" }, marketCondition: "other_days", legs: [futureLeg] },
        accountIds: world.accountIds,
      });
      const { url } = await post(`/api/strategies/${strategy.id}/webhook`, {});
      hooks.push(url);
    }
    say(`${STRATEGIES} strategies with webhooks over ${ACCOUNTS} accounts; posting ${RPS}/s for ${SECONDS} s`);

    // Each strategy's alerts: a phase of ENTRY alerts, then a phase of EXIT alerts, and so on (~3 s per phase).
    const perStrategyPerSecond = RPS / STRATEGIES;
    const phaseLength = Math.max(2, Math.round(PHASE_SECONDS * perStrategyPerSecond));
    const counts = new Array<number>(STRATEGIES).fill(0);
    const recent: { strategy: number; body: string }[] = [];
    const results: Promise<Sent>[] = [];
    const total = RPS * SECONDS;
    const cpu0 = { web: treeCpuSeconds(world.web!.pid!), worker: treeCpuSeconds(world.worker.pid!) };
    const started = performance.now();
    for (let n = 0; n < total; n++) {
      // Open loop: alert n leaves at its own instant, whatever happened to the ones before.
      const due = started + (n * 1000) / RPS;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      let strategy: number;
      let body: string;
      const duplicate = n % 10 === 9 && recent.length > 0;
      if (duplicate) {
        ({ strategy, body } = recent[recent.length - 1 - (n % Math.min(recent.length, 20))]);
      } else {
        strategy = n % STRATEGIES;
        const k = counts[strategy]++;
        const action = Math.floor(k / phaseLength) % 2 === 0 ? "ENTRY" : "EXIT";
        body = JSON.stringify({ action, id: `s${strategy}-${k}`, ts: new Date().toISOString() });
        recent.push({ strategy, body });
        if (recent.length > 200) recent.shift();
      }
      results.push(send(hooks[strategy], strategy, body, duplicate));
    }
    const sent = await Promise.all(results);
    const elapsed = (performance.now() - started) / 1000;
    const cores = (pid: number, before: number) => ((treeCpuSeconds(pid) - before) / elapsed).toFixed(2);
    say(
      `CPU while posting: web ${cores(world.web!.pid!, cpu0.web)} cores, worker ${cores(world.worker.pid!, cpu0.worker)}`,
    );
    const accepted = sent.filter((s) => s.status === 202).length;
    const byStatus = new Map<number, number>();
    for (const s of sent) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
    say(`answers: ${[...byStatus].map(([k, v]) => `${k}×${v}`).join(" ")} in ${elapsed.toFixed(1)} s`);
    const dupAnswers = sent.filter((s) => s.duplicate);
    say(`repeats answered 200 duplicate: ${dupAnswers.filter((s) => s.status === 200).length} of ${dupAnswers.length}`);

    say("waiting for every run and exit to settle");
    for (;;) {
      const [running, pending, unprocessed] = await Promise.all([
        db().strategyRun.count({ where: { status: "RUNNING" } }),
        db().exit.count({ where: { status: "PENDING" } }),
        db().signal.count({ where: { verdict: "ACCEPTED", processedAt: null } }),
      ]);
      if (running + pending + unprocessed === 0) break;
      await sleep(500);
    }
    const dupOrders = await duplicateOrders(world);
    const runs = await db().strategyRun.count({ where: { kind: "STRATEGY" } });
    const entries = await db().signal.count({ where: { verdict: "ACCEPTED", action: { not: "EXIT" } } });
    say(`entry runs ${runs} for ${entries} accepted entries; orders sent twice: ${dupOrders}`);
    const acks = sent.map((s) => s.ackMs);
    await world.stop();
    console.log(
      `webhook rps=${RPS} accepted=${accepted} ack_p50_ms=${Math.round(pct(acks, 50))} ack_p99_ms=${Math.round(pct(acks, 99))} dup_orders=${dupOrders + Math.max(0, runs - entries)}`,
    );
  } finally {
    await world.stop();
  }
}

/**
 * Posts one alert as TradingView does: a fresh connection per alert, a JSON body, no header but the proxy's. Timed
 * from the request leaving to the whole answer read; a request that fails on the wire counts as status 0.
 */
function send(url: string, strategy: number, body: string, duplicate: boolean): Promise<Sent> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const done = (status: number) => resolve({ strategy, status, ackMs: performance.now() - t0, duplicate });
    const req = request(
      url,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-forwarded-for": "52.89.214.238",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => done(res.statusCode ?? 0));
        res.on("error", () => done(0));
      },
    );
    req.on("error", () => done(0));
    req.end(body);
  });
}

/** Orders the simulator received more than once for one intent (the intent id is the order's `strategy` tag). */
async function duplicateOrders(world: Awaited<ReturnType<typeof startWorld>>): Promise<number> {
  const seen = new Map<string, number>();
  for (const id of world.instanceIds) {
    const { orders } = (await world.control(`/instances/${id}/orders`)) as { orders: { strategy: string }[] };
    for (const o of orders) seen.set(o.strategy, (seen.get(o.strategy) ?? 0) + 1);
  }
  return [...seen.values()].reduce((n, c) => n + c - 1, 0);
}

try {
  await main();
} finally {
  await closeConnections();
}
