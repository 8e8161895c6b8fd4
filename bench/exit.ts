/**
 * Kill-switch benchmark (`npm run bench:exit -- --accounts 50 [--lots 1] [--latency 50] [--errors 0.2]`).
 *
 * Starts its own world (bench/world.ts) on a dedicated database (mirrordesk_bench_exit) and Redis index (9), each
 * part in its own process: the exchange simulator with N accounts whose every reply takes `--latency` ms, the web app
 * and the worker. It signs in over HTTP, opens positions in every account by executing a 4-leg NIFTY strategy (2 long
 * wings, 2 short legs, `--lots` lots each), then injects transient errors — `--errors` of EVERY broker call fails (a quarter of them HTTP 429, the rest HTTP 500
 * without acting) and 5 % of placements are executed with their answer lost — and engages the kill switch with
 * `POST /api/kill-switch`. It watches every account's orders through the simulator's control API (never faulted):
 * positions are replayed from the order lists, so every change of sign is seen, and flat_ms is from the engage
 * request to every account flat with no working order.
 * Last line: `exit accounts=<n> flat_ms=<n> orders=<n> expected_orders=<n> sign_flips=<n> runs=<n> cpu_ms_per_order=<x>
 * db_commits=<n>`, where orders = exit orders the simulator recorded, expected_orders = the fewest that flatten every
 * position (one per freeze slice), runs = the exit's EXIT runs (one per pass and owner), and cpu_ms_per_order and
 * db_commits are the web app's and worker's CPU and the database's committed transactions from the engage until the
 * exit is done (figures that do not depend on the machine's load as wall-clock times do). BENCH_WORKER_PROFILE=<dir> /
 * BENCH_WEB_PROFILE=<dir> write the worker's / web app's V8 CPU profiles there.
 */
import { arg, benchEnv, closeConnections, condorLegs, sleep, startWorld, treeCpuSeconds } from "./world";

const ACCOUNTS = arg("accounts", 50);
const LOTS = arg("lots", 1);
const LATENCY = arg("latency", 50);
const ERRORS = arg("errors", 0.2);
const LOST = 0.05;

benchEnv(
  process.env.BENCH_EXIT_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench_exit",
  process.env.BENCH_EXIT_REDIS_URL ?? "redis://127.0.0.1:6379/9",
);
const { db } = await import("@/lib/db/client");
const { sliceQuantities } = await import("@/lib/trading/instruments");

interface SimOrder {
  orderid: string;
  /** Epoch ms the simulator took the order (its clock follows the wall clock here). */
  receivedAt: number;
  symbol: string;
  exchange: string;
  product: string;
  action: "BUY" | "SELL";
  quantity: number;
  filledQuantity: number;
  status: string;
}

async function main() {
  // BENCH_WORKER_PROFILE=<dir> / BENCH_WEB_PROFILE=<dir> write the worker's / web app's V8 CPU profiles there.
  const cpuProf = (dir?: string) => (dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []);
  const world = await startWorld({
    name: "exit",
    accounts: ACCOUNTS,
    latency: LATENCY,
    workerArgs: cpuProf(process.env.BENCH_WORKER_PROFILE),
    webArgs: cpuProf(process.env.BENCH_WEB_PROFILE),
  });
  const { say, post, control, instanceIds } = world;
  const ordersOf = async (id: string) => ((await control(`/instances/${id}/orders`)) as { orders: SimOrder[] }).orders;
  try {
    say(`lots=${LOTS} errors=${ERRORS}`);
    // Positions in every account: the 4-leg condor, market orders.
    const { strategy } = await post("/api/strategies", {
      name: "bench exit condor",
      definition: { product: "NRML", sizing: { kind: "fixed" }, marketCondition: "other_days", legs: condorLegs(LOTS) },
      accountIds: world.accountIds,
    });
    const { runId } = await post(`/api/strategies/${strategy.id}/execute`, {
      idempotencyKey: `bench-exit-${Date.now()}`,
    });
    const run = await world.settledRun(runId, 100);
    say(`entry run ${run.status}`);
    const plan = run.plan as { legs: { symbol: string; lotSize: number; freezeQty: number | null }[] };
    const sizes = new Map(plan.legs.map((l) => [l.symbol, l]));

    // The book before the switch: every account's net per contract, and where its order list stands.
    const keyOf = (o: SimOrder) => `${o.symbol}|${o.exchange}|${o.product}`;
    const startNet = new Map<string, Map<string, number>>();
    const from = new Map<string, number>();
    let expected = 0;
    for (const id of instanceIds) {
      const orders = await ordersOf(id);
      if (orders.some((o) => o.status === "open" || o.status === "trigger pending"))
        throw new Error(`${id}: entry orders still working`);
      const net = new Map<string, number>();
      for (const o of orders)
        net.set(keyOf(o), (net.get(keyOf(o)) ?? 0) + (o.action === "BUY" ? o.filledQuantity : -o.filledQuantity));
      for (const [k, q] of net) {
        if (q === 0) continue;
        const s = sizes.get(k.split("|")[0]);
        expected += s ? sliceQuantities(Math.abs(q), s.lotSize, s.freezeQty ?? 1).length : 1;
      }
      startNet.set(id, net);
      from.set(id, orders.length);
    }
    const open = [...startNet.values()].reduce((n, m) => n + [...m.values()].filter((q) => q !== 0).length, 0);
    say(`${open} open positions in ${ACCOUNTS} accounts; the fewest exit orders: ${expected}`);

    const http429Rate = ERRORS / 4;
    const http500Rate = 1 - (1 - ERRORS) / (1 - http429Rate);
    for (const id of instanceIds)
      await control(`/instances/${id}/faults`, { http429Rate, http500Rate, lostResponseRate: LOST });
    say(
      `faults: every call ${Math.round(ERRORS * 100)} % (429 ${(http429Rate * 100).toFixed(1)} %, 500 ${(http500Rate * 100).toFixed(1)} % of the rest), placements also ${LOST * 100} % lost answers`,
    );

    // CPU of the web app and the worker, and the database's committed transactions (every statement outside a
    // transaction is one), from the engage until the exit is done: what the way out costs whatever the load.
    const cpuSeconds = () => [world.web!.pid!, world.worker.pid!].reduce((s, pid) => s + treeCpuSeconds(pid), 0);
    const commits = async () =>
      Number(
        (
          await db().$queryRawUnsafe<{ n: string }[]>(
            `SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`,
          )
        )[0].n,
      );
    const cpu0 = cpuSeconds();
    const commits0 = await commits();
    // Engage, then watch: positions replayed from each account's order list, in order.
    const t0 = Date.now();
    const engaged = post("/api/kill-switch", { action: "engage", scope: "mine", reason: "bench" });
    // The moment the last account became flat for good, from the simulator's own order times (market orders fill on
    // arrival), so the watcher can poll gently instead of loading the simulator it measures.
    const replay = (lists: SimOrder[][]) => {
      let flips = 0;
      let orders = 0;
      let allFlat = true;
      let flatSince = 0;
      for (const [k, id] of instanceIds.entries()) {
        const before = startNet.get(id)!;
        const net = new Map(before);
        const later = lists[k].slice(from.get(id));
        orders += later.length;
        let lastChange = 0;
        for (const o of later) {
          const next = (net.get(keyOf(o)) ?? 0) + (o.action === "BUY" ? o.filledQuantity : -o.filledQuantity);
          net.set(keyOf(o), next);
          if (next !== 0 && Math.sign(next) !== Math.sign(before.get(keyOf(o)) ?? 0)) flips += 1;
          if (o.filledQuantity > 0) lastChange = Math.max(lastChange, o.receivedAt);
        }
        if (
          [...net.values()].some((q) => q !== 0) ||
          later.some((o) => o.status === "open" || o.status === "trigger pending")
        )
          allFlat = false;
        flatSince = Math.max(flatSince, lastChange);
      }
      return { flips, orders, allFlat, flatSince };
    };
    let flatAt = 0;
    const deadline = t0 + 120_000;
    while (!flatAt && Date.now() < deadline) {
      const r = replay(await Promise.all(instanceIds.map((id) => ordersOf(id))));
      if (r.allFlat) flatAt = r.flatSince;
      else await sleep(200);
    }
    const { exitId } = (await engaged) as { exitId: string };
    if (!flatAt) say("NOT FLAT after 120 s");
    const flatMs = flatAt ? flatAt - t0 : -1;
    // Counted once the exit reports done, so an order arriving after flat (there must be none) is counted too.
    let exit = await db().exit.findUniqueOrThrow({ where: { id: exitId }, include: { accounts: true } });
    for (let i = 0; i < 100 && exit.status !== "DONE"; i++) {
      await sleep(200);
      exit = await db().exit.findUniqueOrThrow({ where: { id: exitId }, include: { accounts: true } });
    }
    const cpuMs = 1000 * (cpuSeconds() - cpu0);
    const final = replay(await Promise.all(instanceIds.map((id) => ordersOf(id))));
    // Statistics reach pg_stat_database when a backend's pending counts are flushed (at most a second later).
    await sleep(1_200);
    const statements = (await commits()) - commits0;
    const attempts = exit.accounts.map((a) => a.attempts).sort((a, b) => a - b);
    say(
      `exit ${exit.status}: ${exit.runIds.length} run(s); attempts per account p50 ${attempts[Math.floor(attempts.length / 2)]} max ${attempts.at(-1)}`,
    );
    await world.stop();
    if (!final.allFlat) say("NOT FLAT at the end");
    console.log(
      `exit accounts=${ACCOUNTS} flat_ms=${flatMs} orders=${final.orders} expected_orders=${expected} sign_flips=${final.flips} runs=${exit.runIds.length} cpu_ms_per_order=${(cpuMs / Math.max(1, final.orders)).toFixed(1)} db_commits=${statements}`,
    );
  } finally {
    await world.stop();
  }
}

try {
  await main();
} finally {
  await closeConnections();
}
