/**
 * Entry point of the exchange simulator process (`npm run simulator`): OpenAlgo-compatible REST + WebSocket with
 * SIM_DEMO_INSTANCES demo accounts, plus one simulated account per direct broker (lib/simulator/server/demo.ts) whose
 * login pages send the browser back to APP_URL. Logs one JSON line with its URLs; SIGTERM/SIGINT close both servers
 * and exit 0.
 * The demo instances get SIM_FAULTS (one object for all, or keyed by instance id) and log in again every morning
 * at SIM_AUTO_LOGIN_AT (08:45 IST by default), so a demo left running overnight keeps working.
 */
import { simulatorEnv } from "@/lib/env";
import { faultsFor } from "@/lib/simulator/fault-schema";
import { demoDirectInstanceConfigs, demoInstanceConfigs } from "@/lib/simulator/server/demo";
import { parseRateLimit, type RateLimitConfig } from "@/lib/simulator/server/rate-limit";
import { startSimulator } from "@/lib/simulator/server/start-simulator";

async function main(): Promise<void> {
  const env = simulatorEnv();
  const rateLimits: Partial<RateLimitConfig> = {};
  const fromEnv: [keyof RateLimitConfig, string | undefined][] = [
    ["api", env.SIM_RATE_LIMIT_API],
    ["order", env.SIM_RATE_LIMIT_ORDER],
    ["smart_order", env.SIM_RATE_LIMIT_SMART_ORDER],
    ["greeks", env.SIM_RATE_LIMIT_GREEKS],
  ];
  for (const [bucket, text] of fromEnv) {
    const limit = text ? parseRateLimit(text) : undefined;
    if (limit) rateLimits[bucket] = limit;
  }
  const autoLoginAt = env.SIM_AUTO_LOGIN_AT;
  const instances = [
    ...demoInstanceConfigs(env.SIM_ADMIN_TOKEN, env.SIM_DEMO_INSTANCES).map((c) => ({
      ...c,
      ...(autoLoginAt ? { autoLoginAt } : {}),
    })),
    // One trader at each direct broker: logged in by the trader through the simulator's login pages, not at start.
    ...demoDirectInstanceConfigs(env.SIM_ADMIN_TOKEN, env.APP_URL),
  ].map((c) => ({ ...c, faults: faultsFor(env.SIM_FAULTS, c.id) }));
  // A typo in an instance id would otherwise leave the intended instance without its faults, silently.
  const unknownIds = Object.keys(env.SIM_FAULTS.byInstance).filter((id) => !instances.some((c) => c.id === id));
  if (unknownIds.length > 0) throw new Error(`SIM_FAULTS names instances that do not exist: ${unknownIds.join(", ")}`);

  const sim = await startSimulator({
    host: env.SIM_HOST,
    httpPort: env.SIM_HTTP_PORT,
    wsPort: env.SIM_WS_PORT,
    adminToken: env.SIM_ADMIN_TOKEN,
    seed: env.SIM_SEED,
    clock: { mode: env.SIM_CLOCK, speed: env.SIM_CLOCK_SPEED },
    alwaysOpen: env.SIM_ALWAYS_OPEN,
    instances,
    rateLimits,
    onError: (error) =>
      console.error(JSON.stringify({ level: "error", msg: "simulator route error", error: String(error) })),
  });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(JSON.stringify({ level: "info", msg: "simulator stopping", signal }));
    sim.close().then(
      () => process.exit(0),
      (error) => {
        console.error(JSON.stringify({ level: "error", msg: "simulator close failed", error: String(error) }));
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // Logged after the handlers are in place: a supervisor may signal as soon as it reads this line.
  console.log(
    JSON.stringify({
      level: "info",
      msg: "simulator listening",
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      instances: instances.map((i) => i.id),
      autoLoginAt: autoLoginAt ?? "off",
      clock: env.SIM_CLOCK,
      seed: env.SIM_SEED,
    }),
  );
}

main().catch((error) => {
  console.error(
    JSON.stringify({
      level: "fatal",
      msg: "simulator failed to start",
      error: error instanceof Error ? error.message : String(error),
    }),
  );
  process.exit(1);
});
