/**
 * The world the product benchmarks run in (bench/fanout.ts, bench/exit.ts), each part in its own process as in
 * production: a dedicated database and Redis index, the exchange simulator with N accounts whose every reply takes
 * `latency` ms, the web app (`next start`, rebuilt when older than the sources) and the worker, and a trader signed in
 * over HTTP who owns every account. `stop()` ends every process the world started.
 *
 * Call `benchEnv()` before `startWorld()`: lib/env.ts reads the environment once, so the product's modules are only
 * imported (dynamically) after it is set.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The p-th percentile (nearest rank) of `xs`. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Calls `each` for a process and every descendant (a process that ends meanwhile is skipped). */
function visitTree(pid: number, each: (pid: number) => void): void {
  try {
    each(pid);
    for (const t of readdirSync(`/proc/${pid}/task`))
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean))
        visitTree(Number(c), each);
  } catch {
    // The process ended between listing and reading.
  }
}

/** Resident memory of a process and all its descendants, MB. */
export function treeRssMb(pid: number): number {
  let kb = 0;
  visitTree(pid, (p) => (kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0)));
  return kb / 1024;
}

/** CPU time (user + system) a process and all its descendants have used, seconds. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  visitTree(pid, (p) => {
    const stat = readFileSync(`/proc/${p}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  });
  return ticks / 100; // USER_HZ
}

/** Sets the environment this process, the web app and the worker read; nothing touches the dev or test data. */
export function benchEnv(databaseUrl: string, redisUrl: string): void {
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    AUTH_SECRET: "bench-secret-bench-secret-bench-secret-01",
    AUTH_TRUST_HOST: "true",
    LOG_LEVEL: "error",
    // The simulator trades at any hour; so do the product's clock-bound parts (the funds warm-up among them).
    MARKET_ALWAYS_OPEN: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    CREDENTIAL_KEYS: "v1:YmVuY2gtb25seS1jcmVkZW50aWFsLWtleS0zMmJ5dGU=",
  });
}

/** The benchmarked 4-leg NIFTY condor: 2 BUY wings (OTM 4) and 2 SELL legs (OTM 1), market orders. */
export function condorLegs(lots: number) {
  return (["SELL CE 1", "BUY CE 4", "SELL PE 1", "BUY PE 4"] as const).map((spec) => {
    const [action, optionType, n] = spec.split(" ");
    return {
      underlying: "NIFTY",
      instrument: "options",
      expiry: "current_week",
      action,
      optionType,
      strike: { kind: "OTM", n: Number(n) },
      lots,
      orderType: { kind: "MARKET" },
    };
  });
}

export interface WorldOptions {
  /** Log prefix, also used for the simulator instance ids and the trader's email. */
  name: string;
  accounts: number;
  /** Added to every simulator reply, ms. */
  latency: number;
  /** Extra node arguments for the worker and the web app (a CPU profile, say). */
  workerArgs?: string[];
  webArgs?: string[];
  /** Start the web app and sign the trader in (default true); a bench that only needs the worker says false. */
  web?: boolean;
  /** Worker processes sharing the queues (default 1), as more machines would run them. */
  workers?: number;
}

export interface World {
  say(message: string): void;
  simUrl: string;
  instanceIds: string[];
  /** Each instance's OpenAlgo API key (for a bench that trades in an account directly, as a terminal would). */
  instanceKeys: string[];
  ownerId: string;
  accountIds: string[];
  /** Null when the world was started without the web app. */
  web: ChildProcess | null;
  /** The first worker process (`workers[0]`). */
  worker: ChildProcess;
  /** Every worker process, all consuming the same queues. */
  workers: ChildProcess[];
  /** The simulator's control API (`/_sim/...`): GET without a body, POST with one. */
  control(url: string, body?: unknown): Promise<unknown>;
  /** A GET from the web app as the signed-in trader; throws on a non-2xx answer. */
  get(url: string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The web app's origin and the signed-in trader's session cookie (for clients the world does not provide). */
  base: string;
  cookie: string;
  /** A POST to the web app as the signed-in trader; throws on a non-2xx answer. */
  post(url: string, body: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Resolves with the run once it is no longer RUNNING. */
  settledRun(
    runId: string,
    everyMs?: number,
  ): Promise<{ id: string; status: string; triggeredAt: Date; plan: unknown }>;
  stop(): Promise<void>;
}

const RAISED = "100000 per second";

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

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "generated" || e.name === "node_modules") continue;
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the web app when .next is missing or older than any source it is built from. */
function ensureBuild(say: (m: string) => void): void {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  const sources = Math.max(...["app", "components", "lib"].map((d) => newestSource(path.join(ROOT, d))));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return;
  say("building the web app (.next is missing or older than the sources)");
  execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { cwd: ROOT, stdio: "inherit" });
}

export async function startWorld(opts: WorldOptions): Promise<World> {
  const say = (m: string) => console.log(`[${opts.name}] ${m}`);
  const { db } = await import("@/lib/db/client");
  const { redis } = await import("@/lib/redis");
  const { hashPassword } = await import("@/lib/auth/password");
  const { createAccount } = await import("@/lib/services/accounts");
  const { listAccountSecrets } = await import("@/lib/db/queries/accounts");

  say(`preparing database and Redis (accounts=${opts.accounts} latency=${opts.latency}ms)`);
  execFileSync(process.execPath, ["scripts/ensure-db.mjs", "--recreate"], { cwd: ROOT, stdio: "inherit" });
  execFileSync("npm", ["run", "-s", "db:migrate"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  await redis().flushdb();
  const withWeb = opts.web ?? true;
  if (withWeb) ensureBuild(say);

  const children: ChildProcess[] = [];
  let stopping = false;
  const start = (
    name: string,
    args: string[],
    env: Record<string, string> = {},
    stdout: "inherit" | "pipe" = "inherit",
  ) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", stdout, "inherit"],
    });
    child.on("exit", (code, signal) => {
      if (!stopping) say(`${name} exited early (${code ?? signal})`);
    });
    children.push(child);
    return child;
  };
  const stop = async () => {
    stopping = true;
    const alive = () => children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive()) c.kill("SIGTERM");
    const deadline = Date.now() + 10_000;
    while (alive().length > 0 && Date.now() < deadline) await sleep(100);
    for (const c of alive()) c.kill("SIGKILL");
  };

  try {
    // The simulator listens on every interface (to answer on 127.0.x.y), with a random admin token and OpenAlgo's
    // own rate limits lifted (the product's governor is what is measured).
    const simAdmin = randomBytes(24).toString("hex");
    const sim = start(
      "simulator",
      ["--import", "tsx", "workers/simulator.ts"],
      {
        LOG_LEVEL: "info",
        SIM_ADMIN_TOKEN: simAdmin,
        SIM_HOST: "0.0.0.0",
        SIM_HTTP_PORT: "0",
        SIM_WS_PORT: "0",
        SIM_SEED: "7",
        SIM_ALWAYS_OPEN: "true",
        SIM_DEMO_INSTANCES: "0",
        SIM_RATE_LIMIT_API: RAISED,
        SIM_RATE_LIMIT_ORDER: RAISED,
        SIM_RATE_LIMIT_SMART_ORDER: RAISED,
      },
      "pipe",
    );
    const { httpUrl, wsUrl } = await new Promise<{ httpUrl: string; wsUrl: string }>((resolve, reject) => {
      createInterface({ input: sim.stdout! }).on("line", (line) => {
        try {
          const msg = JSON.parse(line) as { httpUrl?: string; wsUrl?: string };
          if (msg.httpUrl && msg.wsUrl)
            resolve({
              httpUrl: msg.httpUrl.replace("0.0.0.0", "127.0.0.1"),
              wsUrl: msg.wsUrl.replace("0.0.0.0", "127.0.0.1"),
            });
        } catch {
          // not a JSON log line
        }
      });
      sim.once("exit", (code) => reject(new Error(`simulator exited early (${code})`)));
    });
    const control = async (url: string, body?: unknown) => {
      const r = await fetch(`${httpUrl}/_sim${url}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${simAdmin}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`simulator control ${url}: ${r.status} ${await r.text()}`);
      return r.json();
    };

    const instances = Array.from({ length: opts.accounts }, (_, i) => ({
      id: `${opts.name}${i + 1}`,
      apiKey: randomBytes(24).toString("hex"),
      capital: "100000000",
    }));
    for (const inst of instances) await control("/instances", inst);
    const password = "bench-password-1";
    const user = await db().user.create({
      data: {
        email: `${opts.name}@bench.in`,
        name: "Bench",
        role: "TRADER",
        passwordHash: await hashPassword(password),
      },
    });
    for (const [i, inst] of instances.entries()) {
      await createAccount(
        user,
        {
          name: `bench ${String(i + 1).padStart(4, "0")}`,
          kind: "OPENALGO",
          hostUrl: `${accountOrigin(httpUrl, i)}/i/${inst.id}`,
          wsUrl,
          apiKey: inst.apiKey,
          isPrimary: i === 0,
          active: true,
          // A strategy reaches more accounts by tag than by id (ids are capped per strategy).
          tags: ["bench"],
          lotMultiplier: 1,
          maxLotsPerLeg: null,
          orderRatePerSec: 10,
          otherRatePerSec: 10,
        },
        "127.0.0.1",
      );
    }
    // Latency only now: linking is set-up, not the benchmark.
    for (const inst of instances) await control(`/instances/${inst.id}/faults`, { latencyMs: opts.latency });

    const port = await freePort();
    const web = withWeb
      ? start(
          "web",
          [...(opts.webArgs ?? []), "node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)],
          { APP_URL: `http://127.0.0.1:${port}` },
        )
      : null;
    const workers = Array.from({ length: Math.max(1, opts.workers ?? 1) }, (_, i) =>
      start(`worker ${i + 1}`, [...(opts.workerArgs ?? []), "--import", "tsx", "workers/index.ts"]),
    );
    const base = `http://127.0.0.1:${port}`;
    const cookie = web ? await signIn(base, user.email, password) : "";
    // The first trigger is measured against started processes (their warm-up done), not against a worker still booting:
    // each worker writes its heartbeat once it consumes its queues.
    while ((await redis().keys("md:worker:hb:*")).length < workers.length) await sleep(100);

    return {
      say,
      simUrl: httpUrl,
      instanceIds: instances.map((i) => i.id),
      instanceKeys: instances.map((i) => i.apiKey),
      ownerId: user.id,
      // Linking order: instance k is account k.
      accountIds: (await listAccountSecrets({ ownerId: user.id }))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((a) => a.id),
      web,
      worker: workers[0],
      workers,
      control,
      async get(url) {
        const r = await fetch(`${base}${url}`, { headers: { cookie } });
        if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
        return r.json();
      },
      base,
      cookie,
      async post(url, body) {
        const r = await fetch(`${base}${url}`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: base, cookie },
          body: JSON.stringify(body),
        });
        if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
        return r.json();
      },
      async settledRun(runId, everyMs = 50) {
        let run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
        while (run.status === "RUNNING") {
          await sleep(everyMs);
          run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
        }
        return run;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Waits for the web app at `base`, signs the trader in and returns the session cookie. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  for (let ok = false; !ok; await sleep(250))
    ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
  // State-changing requests must say they come from the app's own origin, as a browser does.
  const login = await fetch(`${base}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  return login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Closes this process's own connections (the world's processes are stopped with `stop()`). */
export async function closeConnections(): Promise<void> {
  const { closeRateGovernor } = await import("@/lib/brokers/rate-governor");
  const { disconnectRedis } = await import("@/lib/redis");
  const { disconnectDb } = await import("@/lib/db/client");
  await closeRateGovernor();
  await disconnectRedis();
  await disconnectDb();
}
