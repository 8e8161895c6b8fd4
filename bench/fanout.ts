/**
 * Fan-out benchmark (`npm run bench:fanout -- --accounts 200 --legs 4 --latency 50 [--lots 1] [--triggers 5]`).
 *
 * Starts its own world on a dedicated database (mirrordesk_bench) and Redis index (7), each part in its own process:
 * the exchange simulator (`workers/simulator.ts`) with N accounts whose every reply takes `--latency` ms, the web
 * app (`next start`, built first if .next is missing) and the worker (`workers/index.ts`). It signs in over HTTP, creates a
 * 4-leg strategy (2 BUY wings, 2 SELL legs on NIFTY) over every account with `POST /api/strategies`, and triggers
 * it `--triggers` times with `POST /api/strategies/{id}/execute`. Per account and trigger, latency = last broker
 * acknowledgement − the run's trigger time. Then it drives the same orders with the staggered schedule of the
 * best-known open-source peer (per leg: accounts in batches of 5, account i of a batch waiting i × 300 ms, 200 ms
 * between batches; all BUY legs, then all SELL legs) as the baseline. Stops everything it started.
 * `--skip-baseline` (iterating on dispatch only) reports baseline_p99_ms=0 and speedup=0.
 * Last line: `fanout accounts=<n> legs=<n> p50_ms=<n> p99_ms=<n> floor_ms=<n> baseline_p99_ms=<n> speedup=<x> rss_mb=<n>`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";

const ROOT = path.resolve(import.meta.dirname, "..");
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ACCOUNTS = arg("accounts", 200);
const LEGS = arg("legs", 4);
const LATENCY = arg("latency", 50);
const LOTS = arg("lots", 1);
const TRIGGERS = Math.max(5, arg("triggers", 5));
if (LEGS !== 4) throw new Error("--legs: only the 4-leg condor (2 BUY wings, 2 SELL legs) is benchmarked");

// This process, the web app and the worker all read these (lib/env.ts); nothing touches the dev or test data.
Object.assign(process.env, {
  NODE_ENV: "production",
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench",
  REDIS_URL: process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/7",
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
const { adapterFor } = await import("@/lib/services/broker-access");
const { listAccountSecrets } = await import("@/lib/db/queries/accounts");
const { closeRateGovernor } = await import("@/lib/brokers/rate-governor");

const children: ChildProcess[] = [];
const say = (m: string) => console.log(`[fanout] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

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

/** Resident memory of a process and all its descendants, MB. */
function treeRssMb(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) kb += Number(m[1]);
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(c));
      }
    } catch {
      // The process ended between listing and reading.
    }
  };
  visit(pid);
  return kb / 1024;
}

let stopping = false;
async function stopAll() {
  stopping = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  const deadline = Date.now() + 10_000;
  while (children.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(100);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

const legs = (["SELL CE 1", "BUY CE 4", "SELL PE 1", "BUY PE 4"] as const).map((spec) => {
  const [action, optionType, n] = spec.split(" ");
  return { underlying: "NIFTY", instrument: "options", expiry: "current_week", action, optionType, strike: { kind: "OTM", n: Number(n) }, lots: LOTS, orderType: { kind: "MARKET" } };
});

async function main() {
  say(`preparing database and Redis (accounts=${ACCOUNTS} latency=${LATENCY}ms lots=${LOTS})`);
  execFileSync(process.execPath, ["scripts/ensure-db.mjs", "--recreate"], { cwd: ROOT, stdio: "inherit" });
  execFileSync("npm", ["run", "-s", "db:migrate"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  await redis().flushdb();
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    say("building the web app (.next is missing)");
    execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { cwd: ROOT, stdio: "inherit" });
  }

  const instances = Array.from({ length: ACCOUNTS }, (_, i) => ({ id: `b${i + 1}`, apiKey: randomBytes(24).toString("hex"), capital: "100000000" }));
  const sim = await startSimulatorProcess();
  const control = async (url: string, body: unknown) => {
    const r = await fetch(`${sim.httpUrl}/_sim${url}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${SIM_ADMIN}` }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`simulator control ${url}: ${r.status} ${await r.text()}`);
  };
  for (const inst of instances) await control("/instances", inst);
  try {
    const password = "bench-password-1";
    const user = await db().user.create({ data: { email: "bench@bench.in", name: "Bench", role: "TRADER", passwordHash: await hashPassword(password) } });
    for (const [i, inst] of instances.entries()) {
      await createAccount(user, { name: `bench ${String(i + 1).padStart(4, "0")}`, kind: "OPENALGO", hostUrl: `${accountOrigin(sim.httpUrl, i)}/i/${inst.id}`, wsUrl: sim.wsUrl, apiKey: inst.apiKey, isPrimary: i === 0, active: true, tags: [], lotMultiplier: 1, maxLotsPerLeg: null, orderRatePerSec: 10, otherRatePerSec: 10 }, "127.0.0.1");
    }
    // Latency only now: linking is set-up, not the benchmark.
    for (const inst of instances) await control(`/instances/${inst.id}/faults`, { latencyMs: LATENCY });

    const port = await freePort();
    const web = start("web", ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], { APP_URL: `http://127.0.0.1:${port}` });
    // BENCH_WORKER_PROFILE=<dir> writes the worker's V8 CPU profile there (for finding the hot path).
    const profile = process.env.BENCH_WORKER_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}`] : [];
    const worker = start("worker", [...profile, "--import", "tsx", "workers/index.ts"]);
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
    const accountIds = (await listAccountSecrets({ ownerId: user.id })).map((a) => a.id);
    const { strategy } = await post("/api/strategies", { name: "bench condor", definition: { product: "NRML", sizing: { kind: "fixed" }, marketCondition: "other_days", legs }, accountIds });

    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, treeRssMb(web.pid!) + treeRssMb(worker.pid!))), 100);
    const latencies: number[] = [];
    let ordersPerAccount = 0;
    let lastRunId = "";
    for (let t = 1; t <= TRIGGERS; t++) {
      const { runId } = await post(`/api/strategies/${strategy.id}/execute`, { idempotencyKey: `bench-${Date.now()}-${t}` });
      lastRunId = runId;
      let run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
      while (run.status === "RUNNING") {
        await sleep(50);
        run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
      }
      const intents = await db().orderIntent.findMany({ where: { runId }, select: { accountId: true, acknowledgedAt: true } });
      const byAccount = new Map<string, number>();
      for (const i of intents) byAccount.set(i.accountId, Math.max(byAccount.get(i.accountId) ?? 0, i.acknowledgedAt?.getTime() ?? Infinity));
      const ms = [...byAccount.values()].map((ack) => ack - run.triggeredAt.getTime());
      latencies.push(...ms);
      ordersPerAccount = intents.length / Math.max(1, byAccount.size);
      const planned = (await db().orderIntent.aggregate({ where: { runId }, _min: { createdAt: true } }))._min.createdAt!.getTime() - run.triggeredAt.getTime();
      say(`trigger ${t}: ${run.status}, ${intents.length} orders, planning ${planned} ms, p50 ${pct(ms, 50)} ms, p99 ${pct(ms, 99)} ms`);
      await sleep(500);
    }
    clearInterval(sampler);
    await breakdown(sim.httpUrl, lastRunId, instances.map((i) => i.id), accountIds);

    const baseline = process.argv.includes("--skip-baseline") ? 0 : await runBaseline(lastRunId);
    const p50 = pct(latencies, 50);
    const p99 = pct(latencies, 99);
    const floor = 2 * LATENCY + 1000 * (Math.ceil(ordersPerAccount / 10) - 1);
    const speedup = baseline / p99;
    await stopAll();
    console.log(`fanout accounts=${ACCOUNTS} legs=${LEGS} p50_ms=${Math.round(p50)} p99_ms=${Math.round(p99)} floor_ms=${floor} baseline_p99_ms=${Math.round(baseline)} speedup=${speedup.toFixed(1)} rss_mb=${Math.round(rss)}`);
  } finally {
    await stopAll();
  }
}

/** Where the last run's time went: our send → the broker receiving it → our acknowledgement (p50/p99, ms). */
async function breakdown(httpUrl: string, runId: string, instanceIds: string[], accountIds: string[]) {
  const names = new Map((await listAccountSecrets({ ownerId: null })).map((a) => [a.id, a.hostUrl.split("/i/")[1]]));
  const intents = await db().orderIntent.findMany({ where: { runId }, select: { id: true, accountId: true, sentAt: true, acknowledgedAt: true } });
  const received = new Map<string, number>();
  for (const id of instanceIds.filter((_, k) => accountIds.length > 0 && k < instanceIds.length)) {
    const r = await fetch(`${httpUrl}/_sim/instances/${id}/orders`, { headers: { authorization: `Bearer ${SIM_ADMIN}` } });
    for (const o of ((await r.json()) as { orders: { strategy: string; receivedAt: number }[] }).orders) received.set(o.strategy, o.receivedAt);
  }
  const toBroker: number[] = [];
  const back: number[] = [];
  for (const i of intents) {
    const at = received.get(i.id);
    if (at === undefined || !i.sentAt || !i.acknowledgedAt || !names.has(i.accountId)) continue;
    toBroker.push(at - i.sentAt.getTime());
    back.push(i.acknowledgedAt.getTime() - at);
  }
  say(`last run: sent→received p50 ${pct(toBroker, 50)} p99 ${pct(toBroker, 99)} ms; received→acknowledged p50 ${pct(back, 50)} p99 ${pct(back, 99)} ms`);
}

/**
 * In production every account is its own OpenAlgo server, and the HTTP client pools sockets per origin (16 each).
 * One simulator serves all accounts here, so each account gets its own loopback address (127.0.x.y) as its origin;
 * with a single origin all accounts would queue behind one 16-socket pool, which no real deployment does.
 */
function accountOrigin(httpUrl: string, i: number): string {
  const url = new URL(httpUrl);
  url.hostname = `127.0.${Math.floor(i / 250) + 1}.${(i % 250) + 1}`;
  return url.origin;
}

// Random per run: the simulator listens on every interface (to answer on 127.0.x.y) for the benchmark's minutes.
const SIM_ADMIN = randomBytes(24).toString("hex");
const RAISED = "100000 per second";

/** The simulator in its own process (its CPU is not the worker's), with no demo instances and OpenAlgo's limits lifted. */
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

/**
 * The peer's staggered schedule over the same orders (the last run's intents): per leg, BUY legs first, accounts in
 * batches of 5 with account i of a batch waiting i × 300 ms and 200 ms between batches. Returns p99 over accounts of
 * (last acknowledgement − start), ms. Orders go through the same adapters and rate budgets as dispatch.
 */
async function runBaseline(runId: string): Promise<number> {
  say("baseline: the peer's staggered schedule (this takes a while at 200 accounts)");
  const intents = await db().orderIntent.findMany({ where: { runId }, orderBy: [{ phase: "asc" }, { legIndex: "asc" }, { sliceIndex: "asc" }] });
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
            const r = await adapter.placeOrder({ symbol: it.symbol, exchange: it.exchange as "NFO", action: it.action as "BUY" | "SELL", quantity: it.quantity, priceType: "MARKET", product: it.product as "NRML", strategy: "baseline" });
            if (r.kind !== "accepted") throw new Error(`baseline order not accepted: ${JSON.stringify(r)}`);
          }
          lastAck.set(accountId, Date.now());
        }),
      );
      await sleep(200);
    }
  }
  return pct([...lastAck.values()].map((t) => t - started), 99);
}

try {
  await main();
} finally {
  await closeRateGovernor();
  await disconnectRedis();
  await disconnectDb();
}
