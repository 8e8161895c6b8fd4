/** Starts the real exchange simulator in-process for integration tests, with instances the tests can link. */
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";

export const SIM_ADMIN = "integration-admin-token";

export function instanceConfigs(n: number, prefix = "acct"): InstanceConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i + 1}`,
    apiKey: `${prefix}-key-${i + 1}-0123456789abcdef`,
    capital: "2000000",
  }));
}

export function startSim(instances: InstanceConfig[]): Promise<RunningSimulator> {
  return startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: SIM_ADMIN,
    seed: 11,
    alwaysOpen: true,
    instances,
    // Tests call far faster than a person; lift OpenAlgo's per-IP limits so only our own governor limits.
    rateLimits: {
      api: { count: 100_000, windowMs: 1_000 },
      order: { count: 100_000, windowMs: 1_000 },
      smart_order: { count: 100_000, windowMs: 1_000 },
    },
    onError: () => undefined,
  });
}

/** The host URL of one simulator instance (each account gets its own URL, like separate OpenAlgo servers). */
export const hostOf = (sim: RunningSimulator, id: string) => `${sim.httpUrl}/i/${id}`;
