/**
 * Kill-switch benchmark (`npm run bench:exit -- --accounts 50 [--lots 1] [--latency 50] [--errors 0.2]`).
 *
 * Starts its own world on a dedicated database (mirrordesk_bench_exit) and Redis index (9), each part in its own
 * process: the exchange simulator with N accounts whose every reply takes `--latency` ms, the web app (`next start`,
 * built first when .next is missing or predates the kill-switch route) and the worker. It signs in over HTTP, opens
 * positions in every account by executing a 4-leg NIFTY strategy (2 long wings, 2 short legs, `--lots` lots each),
 * then injects transient errors — `--errors` of EVERY broker call fails (a quarter of them HTTP 429, the rest HTTP 500
 * without acting) and 5 % of placements are executed with their answer lost — and engages the kill switch with
 * `POST /api/kill-switch`. It watches every account's orders through the simulator's control API (never faulted):
 * positions are replayed from the order lists, so every change of sign is seen, and flat_ms is from the engage
 * request to every account flat with no working order.
 * Last line: `exit accounts=<n> flat_ms=<n> orders=<n> expected_orders=<n> sign_flips=<n>`, where orders = exit
 * orders the simulator recorded and expected_orders = the fewest that flatten every position (one per freeze slice).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";

const ROOT = path.resolve(import.meta.dirname, "..");
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ACCOUNTS = arg("accounts", 50);
const LOTS = arg("lots", 1);
const LATENCY = arg("latency", 50);
const ERRORS = arg("errors", 0.2);
const LOST = 0.05;

Object.assign(process.env, {
  NODE_ENV: "production",
  DATABASE_URL: process.env.BENCH_EXIT_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench_exit",
  REDIS_URL: process.env.BENCH_EXIT_REDIS_URL ?? "redis://127.0.0.1:6379/9",
  AUTH_SECRET: "bench-secret-bench-secret-bench-secret-01",
  AUTH_TRUST_HOST: "true",
  LOG_LEVEL: "error",
  NEXT_TELEMETRY_DISABLED: "1",
  CREDENTIAL_KEYS: "v1:YmVuY2gtb25seS1jcmVkZW50aWFsLWtleS0zMmJ5dGU=",
});

const { db, disconnectDb } = await import("@/lib/db/client");
const { redis, disconnectRedis } = await import("@/lib/redis");
const { hashPassword } = await import("@/lib/auth/password");
const { createAccount } = await import("@/lib/services/accounts");
const { listAccountSecrets } = await import("@/lib/db/queries/accounts");
const { closeRateGovernor } = await import("@/lib/brokers/rate-governor");
const { sliceQuantities } = await import("@/lib/trading/instruments");

const children: ChildProcess[] = [];
const say = (m: string) => console.log(`[exit] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stopping = false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function start(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] });
  child.on("exit", (code, signal) => {
    if (!stopping) say(`${name} exited early (${code ?? signal})`);
  });
  children.push(child);
  return child;
}

async function stopAll() {
  stopping = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  const deadline = Date.now() + 10_000;
  while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(100);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

const SIM_ADMIN = randomBytes(24).toString("hex");
const RAISED = "100000 per second";

async function startSimulatorProcess(): Promise<{ httpUrl: string; wsUrl: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/simulator.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", SIM_ADMIN_TOKEN: SIM_ADMIN, SIM_HOST: "0.0.0.0", SIM_HTTP_PORT: "0", SIM_WS_PORT: "0", SIM_SEED: "7", SIM_ALWAYS_OPEN: "true", SIM_DEMO_INSTANCES: "0", SIM_RATE_LIMIT_API: RAISED, SIM_RATE_LIMIT_ORDER: RAISED, SIM_RATE_LIMIT_SMART_ORDER: RAISED },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const msg = JSON.parse(line) as { httpUrl?: string; wsUrl?: string };
        if (msg.httpUrl && msg.wsUrl) resolve({ httpUrl: msg.httpUrl.replace("0.0.0.0", "127.0.0.1"), wsUrl: msg.wsUrl.replace("0.0.0.0", "127.0.0.1") });
      } catch {
        // not a JSON log line
      }
    });
    child.once("exit", (code) => reject(new Error(`simulator exited early (${code})`)));
  });
}

/** Each account its own loopback origin, as each is its own OpenAlgo server in production (see bench/fanout.ts). */
function accountOrigin(httpUrl: string, i: number): string {
  const url = new URL(httpUrl);
  url.hostname = `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`;
  return url.origin;
}

/** The web app needs a build that has the kill-switch route; (re)build when it is missing or older than the route. */
function ensureBuild() {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  const route = path.join(ROOT, "app", "api", "kill-switch", "route.ts");
  if (existsSync(buildId) && statSync(buildId).mtimeMs > statSync(route).mtimeMs) return;
  say("building the web app (.next is missing or older than the kill-switch route)");
  execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { cwd: ROOT, stdio: "inherit" });
}

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
  say(`preparing database and Redis (accounts=${ACCOUNTS} lots=${LOTS} latency=${LATENCY}ms errors=${ERRORS})`);
  execFileSync(process.execPath, ["scripts/ensure-db.mjs", "--recreate"], { cwd: ROOT, stdio: "inherit" });
  execFileSync("npm", ["run", "-s", "db:migrate"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  await redis().flushdb();
  ensureBuild();

  const instances = Array.from({ length: ACCOUNTS }, (_, i) => ({ id: `x${i + 1}`, apiKey: randomBytes(24).toString("hex"), capital: "100000000" }));
  const sim = await startSimulatorProcess();
  const control = async (url: string, body?: unknown) => {
    const r = await fetch(`${sim.httpUrl}/_sim${url}`, { method: body === undefined ? "GET" : "POST", headers: { "content-type": "application/json", authorization: `Bearer ${SIM_ADMIN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`simulator control ${url}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const ordersOf = async (id: string) => ((await control(`/instances/${id}/orders`)) as { orders: SimOrder[] }).orders;
  for (const inst of instances) await control("/instances", inst);
  try {
    const password = "bench-password-1";
    const user = await db().user.create({ data: { email: "bench-exit@bench.in", name: "Bench", role: "TRADER", passwordHash: await hashPassword(password) } });
    for (const [i, inst] of instances.entries()) {
      await createAccount(user, { name: `bench ${String(i + 1).padStart(4, "0")}`, kind: "OPENALGO", hostUrl: `${accountOrigin(sim.httpUrl, i)}/i/${inst.id}`, wsUrl: sim.wsUrl, apiKey: inst.apiKey, isPrimary: i === 0, active: true, tags: [], lotMultiplier: 1, maxLotsPerLeg: null, orderRatePerSec: 10, otherRatePerSec: 10 }, "127.0.0.1");
    }
    for (const inst of instances) await control(`/instances/${inst.id}/faults`, { latencyMs: LATENCY });

    const port = await freePort();
    start("web", ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], { APP_URL: `http://127.0.0.1:${port}` });
    start("worker", ["--import", "tsx", "workers/index.ts"]);
    const base = `http://127.0.0.1:${port}`;
    for (let ok = false; !ok; await sleep(250)) ok = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
    const login = await fetch(`${base}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: user.email, password }) });
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const post = async (url: string, body: unknown) => {
      const r = await fetch(`${base}${url}`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
      return r.json();
    };

    // Positions in every account: the 4-leg condor, market orders.
    const legs = (["SELL CE 1", "BUY CE 4", "SELL PE 1", "BUY PE 4"] as const).map((spec) => {
      const [action, optionType, n] = spec.split(" ");
      return { underlying: "NIFTY", instrument: "options", expiry: "current_week", action, optionType, strike: { kind: "OTM", n: Number(n) }, lots: LOTS, orderType: { kind: "MARKET" } };
    });
    const accountIds = (await listAccountSecrets({ ownerId: user.id })).map((a) => a.id);
    const { strategy } = await post("/api/strategies", { name: "bench exit condor", definition: { product: "NRML", sizing: { kind: "fixed" }, marketCondition: "other_days", legs }, accountIds });
    const { runId } = await post(`/api/strategies/${strategy.id}/execute`, { idempotencyKey: `bench-exit-${Date.now()}` });
    let run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
    while (run.status === "RUNNING") {
      await sleep(100);
      run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
    }
    say(`entry run ${run.status}`);
    const plan = run.plan as { legs: { symbol: string; lotSize: number; freezeQty: number | null }[] };
    const sizes = new Map(plan.legs.map((l) => [l.symbol, l]));

    // The book before the switch: every account's net per contract, and where its order list stands.
    const keyOf = (o: SimOrder) => `${o.symbol}|${o.exchange}|${o.product}`;
    const startNet = new Map<string, Map<string, number>>();
    const from = new Map<string, number>();
    let expected = 0;
    for (const inst of instances) {
      const orders = await ordersOf(inst.id);
      if (orders.some((o) => o.status === "open" || o.status === "trigger pending")) throw new Error(`${inst.id}: entry orders still working`);
      const net = new Map<string, number>();
      for (const o of orders) net.set(keyOf(o), (net.get(keyOf(o)) ?? 0) + (o.action === "BUY" ? o.filledQuantity : -o.filledQuantity));
      for (const [k, q] of net) {
        if (q === 0) continue;
        const s = sizes.get(k.split("|")[0]);
        expected += s ? sliceQuantities(Math.abs(q), s.lotSize, s.freezeQty ?? 1).length : 1;
      }
      startNet.set(inst.id, net);
      from.set(inst.id, orders.length);
    }
    const open = [...startNet.values()].reduce((n, m) => n + [...m.values()].filter((q) => q !== 0).length, 0);
    say(`${open} open positions in ${ACCOUNTS} accounts; the fewest exit orders: ${expected}`);

    const http429Rate = ERRORS / 4;
    const http500Rate = 1 - (1 - ERRORS) / (1 - http429Rate);
    for (const inst of instances) await control(`/instances/${inst.id}/faults`, { http429Rate, http500Rate, lostResponseRate: LOST });
    say(`faults: every call ${Math.round(ERRORS * 100)} % (429 ${(http429Rate * 100).toFixed(1)} %, 500 ${(http500Rate * 100).toFixed(1)} % of the rest), placements also ${LOST * 100} % lost answers`);

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
      for (const [k, inst] of instances.entries()) {
        const before = startNet.get(inst.id)!;
        const net = new Map(before);
        const later = lists[k].slice(from.get(inst.id));
        orders += later.length;
        let lastChange = 0;
        for (const o of later) {
          const next = (net.get(keyOf(o)) ?? 0) + (o.action === "BUY" ? o.filledQuantity : -o.filledQuantity);
          net.set(keyOf(o), next);
          if (next !== 0 && Math.sign(next) !== Math.sign(before.get(keyOf(o)) ?? 0)) flips += 1;
          if (o.filledQuantity > 0) lastChange = Math.max(lastChange, o.receivedAt);
        }
        if ([...net.values()].some((q) => q !== 0) || later.some((o) => o.status === "open" || o.status === "trigger pending")) allFlat = false;
        flatSince = Math.max(flatSince, lastChange);
      }
      return { flips, orders, allFlat, flatSince };
    };
    let flatAt = 0;
    const deadline = t0 + 120_000;
    while (!flatAt && Date.now() < deadline) {
      const r = replay(await Promise.all(instances.map((inst) => ordersOf(inst.id))));
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
    const final = replay(await Promise.all(instances.map((inst) => ordersOf(inst.id))));
    const attempts = exit.accounts.map((a) => a.attempts).sort((a, b) => a - b);
    say(`exit ${exit.status}: ${exit.runIds.length} run(s); attempts per account p50 ${attempts[Math.floor(attempts.length / 2)]} max ${attempts.at(-1)}`);
    await stopAll();
    if (!final.allFlat) say("NOT FLAT at the end");
    console.log(`exit accounts=${ACCOUNTS} flat_ms=${flatMs} orders=${final.orders} expected_orders=${expected} sign_flips=${final.flips}`);
  } finally {
    await stopAll();
  }
}

try {
  await main();
} finally {
  await closeRateGovernor();
  await disconnectRedis();
  await disconnectDb();
}
