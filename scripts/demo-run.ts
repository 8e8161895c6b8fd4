/**
 * The demo's process tree (started by scripts/demo.sh once the database is ready and the app is built): the exchange
 * simulator, the worker and the web app, each supervised — a crash restarts that one process with backoff, the rest
 * keep running. Ctrl-C (SIGINT) or SIGTERM stops everything this started.
 */
import { Supervisor, type SupervisorEvent } from "./supervisor";

const say = (text: string) => console.log(`\x1b[1;32m[demo]\x1b[0m ${text}`);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const port = arg("port", "3000");
const bin = "node_modules/.bin";

const supervisor = new Supervisor();
supervisor.on("event", (e: SupervisorEvent) => {
  if (e.type === "started" && e.restarts > 0) say(`${e.name} restarted (pid ${e.pid}, restart ${e.restarts})`);
  if (e.type === "exited" && e.restartInMs !== null) {
    const how = e.signal ? `signal ${e.signal}` : `code ${e.code}`;
    say(`${e.name} exited (${how}); restarting in ${(e.restartInMs / 1000).toFixed(1)} s`);
  }
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  say(`stopping (${signal})`);
  await supervisor.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGHUP", () => void shutdown("SIGHUP"));

supervisor.start({ name: "simulator", command: `${bin}/tsx`, args: ["workers/simulator.ts"] });
supervisor.start({ name: "worker", command: `${bin}/tsx`, args: ["workers/index.ts"] });
supervisor.start({ name: "web", command: `${bin}/next`, args: ["start", "-H", "127.0.0.1", "-p", port] });

const t0 = Number(arg("started", String(Math.floor(Date.now() / 1000))));
for (let i = 0; i < 300 && !stopping; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  await new Promise((r) => setTimeout(r, 200));
}
say(`ready in ${Math.floor(Date.now() / 1000) - t0}s — open http://127.0.0.1:${port}`);
say("demo logins: admin@demo.mirrordesk.in / demo-admin-2026   trader@demo.mirrordesk.in / demo-trader-2026");
say("a crashed simulator, worker or web app is restarted on its own; press Ctrl-C to stop");
