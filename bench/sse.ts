/**
 * Live-stream benchmark (`npm run bench:sse -- --clients 200 --symbols 50 [--seconds 20]`).
 *
 * Starts its own world (bench/world.ts: simulator, web app, worker on mirrordesk_bench / Redis 7) with one simulated
 * account, then opens `--clients` option-chain streams (`GET /api/stream/option-chain`) over plain HTTP, each
 * watching the same `--symbols` option contracts (a chain of ±k strikes, CE and PE) that the simulator ticks four
 * times a second. Every tick travels simulator → worker feed (WebSocket) → Redis → the web process's one
 * subscriber → every stream. Latency per delivered quote = arrival at the client − the tick's exchange timestamp
 * (one clock: everything runs on this machine). The web process's CPU is read from /proc over the measuring
 * window. The baseline is the upstream tick rate itself: ticks_per_s counts distinct ticks that reached the clients.
 * Last line: `sse clients=<n> symbols=<n> ticks_per_s=<n> p50_ms=<n> p99_ms=<n> web_cpu_cores=<n> web_rss_mb=<n>`.
 */
import { request } from "node:http";
import { arg, benchEnv, closeConnections, pct, sleep, startWorld, treeCpuSeconds, treeRssMb } from "./world";

const CLIENTS = arg("clients", 200);
const SYMBOLS = arg("symbols", 50);
const SECONDS = arg("seconds", 20);
if (SYMBOLS < 4 || SYMBOLS % 2 !== 0) throw new Error("--symbols: an even number ≥ 4 (CE and PE of each strike)");
const STRIKES_EACH = Math.max(1, Math.round((SYMBOLS / 2 - 1) / 2));

benchEnv(
  process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/mirrordesk_bench",
  process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/7",
);
// One trader holds every stream: the per-user cap is lifted for the bench's web process only.
process.env.SSE_MAX_STREAMS_PER_USER = String(CLIENTS + 10);

/**
 * One stream over plain node:http. Probes read every frame (latency, distinct ticks); the others only count bytes,
 * so the bench process spends its CPU on measuring, not on decoding 40,000 frames a second it does not look at.
 */
interface Client {
  probe: boolean;
  quotes: number;
  bytes: number;
  ready: Promise<void>;
  close(): void;
}

/** Every tenth client is a probe (at least one). */
const PROBE_EVERY = 10;
async function main() {
  const world = await startWorld({ name: "sse", accounts: 1, latency: 0 });
  const { say } = world;
  const latencies: number[] = [];
  const upstream: number[] = [];
  const downstream: number[] = [];
  const ticks = new Set<string>();
  let measuring = false;
  try {
    const { expiries } = await world.get(`/api/option-chain/expiries?underlying=NIFTY`);
    const expiry = (expiries as string[])[0];
    const url = `/api/stream/option-chain?underlying=NIFTY&expiry=${expiry}&strikes=${STRIKES_EACH}`;
    say(`${CLIENTS} clients on ${url} (${STRIKES_EACH * 2 + 1} strikes × CE/PE)`);

    const open = (probe: boolean): Client => {
      let opened!: () => void;
      let refused!: (e: Error) => void;
      const client: Client = {
        probe,
        quotes: 0,
        bytes: 0,
        ready: new Promise<void>((resolve, reject) => ((opened = resolve), (refused = reject))),
        close: () => req.destroy(),
      };
      const req = request(`${world.base}${url}`, { headers: { cookie: world.cookie, accept: "text/event-stream" } });
      req.on("error", (e) => refused(e));
      req.on("response", (res) => {
        if (res.statusCode !== 200) {
          refused(new Error(`stream: ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = "";
        let first = true;
        if (probe) res.setEncoding("utf8");
        res.on("data", (chunk: string | Buffer) => {
          const at = Date.now();
          if (!probe) {
            client.bytes += chunk.length;
            if (first) {
              first = false;
              opened();
            }
            return;
          }
          buf += chunk as string;
          let end: number;
          while ((end = buf.indexOf("\n\n")) >= 0) {
            const frame = buf.slice(0, end);
            buf = buf.slice(end + 2);
            if (first && frame.includes('"snapshot"')) {
              first = false;
              opened();
            }
            if (!measuring || !frame.startsWith('data: {"type":"quote"')) continue;
            const key = /"key":"([^"]+)"/.exec(frame)?.[1];
            const ts = /"exchangeTs":"([^"]+)"/.exec(frame)?.[1];
            const received = /"receivedAt":"([^"]+)"/.exec(frame)?.[1];
            if (!key || !ts) continue;
            client.quotes++;
            latencies.push(at - Date.parse(ts));
            // Where the time goes: simulator → worker (the feed's receive stamp), then worker → Redis → web → here.
            if (received) {
              upstream.push(Date.parse(received) - Date.parse(ts));
              downstream.push(at - Date.parse(received));
            }
            ticks.add(`${key}@${ts}`);
          }
        });
        res.on("error", () => undefined);
      });
      req.end();
      return client;
    };

    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(open(i % PROBE_EVERY === 0));
      if (i % 20 === 19) {
        await Promise.all(clients.map((c) => c.ready));
        say(`${i + 1} streams open`);
      }
    }
    await Promise.all(clients.map((c) => c.ready));
    say("all streams open; warming up 3 s");
    await sleep(3_000);

    const webPid = world.web!.pid!;
    const cpu0 = treeCpuSeconds(webPid);
    const t0 = Date.now();
    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, treeRssMb(webPid))), 250);
    for (const c of clients) c.bytes = 0;
    measuring = true;
    await sleep(SECONDS * 1000);
    measuring = false;
    clearInterval(sampler);
    const wall = (Date.now() - t0) / 1000;
    const cores = (treeCpuSeconds(webPid) - cpu0) / wall;
    const probes = clients.filter((c) => c.probe);
    const perProbe = probes.reduce((n, c) => n + c.quotes, 0) / probes.length;
    const starved = clients.filter((c) => (c.probe ? c.quotes : c.bytes) === 0).length;
    const mb = clients.reduce((n, c) => n + c.bytes, 0) / 1e6;
    say(
      `probes=${probes.length} quotes_per_probe_per_s=${Math.round(perProbe / wall)} ` +
        `others_mb_per_s=${(mb / wall).toFixed(1)} starved_clients=${starved}`,
    );
    say(
      `split p50/p99: simulator→worker ${Math.round(pct(upstream, 50))}/${Math.round(pct(upstream, 99))} ms, ` +
        `worker→client ${Math.round(pct(downstream, 50))}/${Math.round(pct(downstream, 99))} ms`,
    );
    for (const c of clients) c.close();
    console.log(
      `sse clients=${CLIENTS} symbols=${STRIKES_EACH * 4 + 2} ticks_per_s=${Math.round(ticks.size / wall)} ` +
        `p50_ms=${Math.round(pct(latencies, 50))} p99_ms=${Math.round(pct(latencies, 99))} ` +
        `web_cpu_cores=${cores.toFixed(2)} web_rss_mb=${Math.round(rss)}`,
    );
  } finally {
    await world.stop();
    await closeConnections();
  }
}

await main();
