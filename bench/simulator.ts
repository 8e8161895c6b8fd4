/**
 * Simulator throughput benchmark (`npm run bench:simulator`). Starts the simulator with 200 demo instances, no
 * faults and raised rate limits, then keep-alive clients place NIFTY option MARKET orders across the instances
 * (BUY/SELL alternating per instance so margin stays free) for a bounded count or duration, over loopback.
 *
 * By default the simulator runs as a child process (`workers/simulator.ts`), so the load generator does not
 * share the server's event loop; `--in-process` runs both in one process for comparison.
 * Options: --orders <n> (default 30000), --seconds <n> (default 20), --connections <n> (default 32), --in-process,
 * --profile <dir> (child mode: write the simulator's V8 CPU profile there, for chrome://inspect or speedscope).
 * Before the orders it times option pricing in this process (no HTTP): 50 tick rounds, each quoting every option of
 * NIFTY's nearest chain 25 strikes either side, re-priced after the tick; printed as `quote_pricing quotes=<n> ms=<n>`.
 * The last line is exactly `simulator orders_per_s=<n> p99_ms=<n>`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { createMarket } from "@/lib/simulator/market/market";
import { demoApiKey } from "@/lib/simulator/server/demo";
import { startSimulator } from "@/lib/simulator/server/start-simulator";

const ADMIN = "bench-admin-token";
const INSTANCES = 200;
const RAISED = "100000 per second";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const maxOrders = arg("orders", 30_000);
const maxSeconds = arg("seconds", 20);
const connections = arg("connections", 32);
const inProcess = process.argv.includes("--in-process");
const profileDir = process.argv.includes("--profile") ? process.argv[process.argv.indexOf("--profile") + 1] : undefined;

/** Option pricing throughput, in process: 50 rounds of one tick then a quote of every option of a 25-strike chain. */
function quotePricing(): { quotes: number; ms: number } {
  const m = createMarket({
    seed: 1,
    clock: { mode: "fixed", startAt: Date.parse("2026-11-25T04:30:00Z") },
    alwaysOpen: true,
  });
  const expiry = m.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", "");
  const symbols = m
    .optionChain("NIFTY", "NSE_INDEX", expiry, 25)!
    .rows.flatMap((r) => [r.ce!.instrument.symbol, r.pe!.instrument.symbol]);
  const started = performance.now();
  let quotes = 0;
  for (let round = 0; round < 50; round++) {
    m.tick();
    for (const s of symbols) if (m.quote(s, "NFO")) quotes++;
  }
  return { quotes, ms: performance.now() - started };
}

interface Target {
  httpUrl: string;
  stop(): Promise<void>;
}

async function startChild(): Promise<Target> {
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, "--import", "tsx", "workers/simulator.ts"], {
    env: {
      ...process.env,
      SIM_ADMIN_TOKEN: ADMIN,
      SIM_HOST: "127.0.0.1",
      SIM_HTTP_PORT: "0",
      SIM_WS_PORT: "0",
      SIM_SEED: "42",
      SIM_CLOCK: "realtime",
      SIM_ALWAYS_OPEN: "true",
      SIM_DEMO_INSTANCES: String(INSTANCES),
      SIM_RATE_LIMIT_API: RAISED,
      SIM_RATE_LIMIT_ORDER: RAISED,
      SIM_RATE_LIMIT_SMART_ORDER: RAISED,
      // No faults whatever the caller's environment says (latency and jitter are SIM_FAULTS knobs).
      SIM_FAULTS: "{}",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      try {
        const msg = JSON.parse(line) as { httpUrl?: string };
        if (msg.httpUrl) resolve(msg.httpUrl);
      } catch {
        // not a log line of ours
      }
    });
    child.once("exit", (code) => reject(new Error(`simulator exited early with code ${code}`)));
  });
  return {
    httpUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function startInProcess(): Promise<Target> {
  const raised = { count: 100_000, windowMs: 1000 };
  const instances = Array.from({ length: INSTANCES }, (_, i) => ({
    id: `demo${i + 1}`,
    apiKey: demoApiKey(ADMIN, i + 1),
    capital: "5000000",
  }));
  const sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: ADMIN,
    seed: 42,
    alwaysOpen: true,
    instances,
    rateLimits: { api: raised, order: raised, smart_order: raised },
  });
  return { httpUrl: sim.httpUrl, stop: () => sim.close() };
}

const agent = new Agent({ keepAlive: true, maxSockets: connections });

function postJson(base: string, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const pricing = quotePricing();
  const target = inProcess ? await startInProcess() : await startChild();
  try {
    const keys = Array.from({ length: INSTANCES }, (_, i) => demoApiKey(ADMIN, i + 1));
    const expiryRes = await postJson(
      target.httpUrl,
      "/api/v1/expiry",
      JSON.stringify({ apikey: keys[0], symbol: "NIFTY", exchange: "NFO", instrumenttype: "options" }),
    );
    const expiry = (JSON.parse(expiryRes.text).data[0] as string).replace(/-/g, "");
    const optRes = await postJson(
      target.httpUrl,
      "/api/v1/optionsymbol",
      JSON.stringify({
        apikey: keys[0],
        underlying: "NIFTY",
        exchange: "NSE_INDEX",
        expiry_date: expiry,
        offset: "ATM",
        option_type: "CE",
      }),
    );
    const opt = JSON.parse(optRes.text) as { symbol: string; lotsize: number };
    const body = (key: string, action: "BUY" | "SELL") =>
      JSON.stringify({
        apikey: key,
        strategy: "bench",
        symbol: opt.symbol,
        exchange: "NFO",
        action,
        quantity: opt.lotsize,
        pricetype: "MARKET",
        product: "MIS",
      });
    const bodies = keys.map((k) => [body(k, "BUY"), body(k, "SELL")] as const);

    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const deadline = performance.now() + maxSeconds * 1000;
    const started = performance.now();
    // Each worker owns instances w, w+C, w+2C, ... so one instance's BUY/SELL alternation stays in order.
    const worker = async (w: number) => {
      const mine = bodies.filter((_, i) => i % connections === w);
      const side = new Array(mine.length).fill(0);
      for (let i = 0; sent < maxOrders && performance.now() < deadline; i = (i + 1) % mine.length) {
        sent++;
        const t0 = performance.now();
        const r = await postJson(target.httpUrl, "/api/v1/placeorder", mine[i][side[i]]);
        latencies.push(performance.now() - t0);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        side[i] ^= 1;
      }
    };
    await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const ok = statuses.get(200) ?? 0;
    const rate = Math.round(latencies.length / seconds);
    const p99 = percentile(latencies, 99);

    console.log(
      `mode=${inProcess ? "in-process" : "child-process"} instances=${INSTANCES} connections=${connections} option=${opt.symbol}x${opt.lotsize}`,
    );
    // Other work on this machine skews the figures; the load before the run says whether it was quiet.
    console.log(`cpus=${cpus().length} loadavg_1m_before=${loadBefore.toFixed(2)}`);
    console.log(
      `orders=${latencies.length} ok=${ok} statuses=${JSON.stringify(Object.fromEntries(statuses))} seconds=${seconds.toFixed(2)}`,
    );
    console.log(
      `latency_ms p50=${percentile(latencies, 50).toFixed(2)} p90=${percentile(latencies, 90).toFixed(2)} p99=${p99.toFixed(2)} max=${latencies.at(-1)?.toFixed(2)}`,
    );
    if (ok !== latencies.length) console.log("warning: not every order was accepted (see statuses)");
    console.log(`quote_pricing quotes=${pricing.quotes} ms=${pricing.ms.toFixed(1)}`);
    console.log(`simulator orders_per_s=${rate} p99_ms=${p99.toFixed(2)}`);
  } finally {
    agent.destroy();
    await target.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
