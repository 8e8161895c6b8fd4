/**
 * A simulator with one Upstox trader logged in through the connector's own flow, and adapters for it: the shared
 * setup of the Upstox stream tests.
 */
import { randomUUID } from "node:crypto";
import { RateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { createUpstoxAdapter, type UpstoxAdapterOptions } from "@/lib/brokers/upstox/adapter";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { Instrument } from "@/lib/simulator/types";
import { loginViaSimulator } from "./upstox-sim-login";

export const UPSTOX_TRADER = { id: "upx-stream", apiKey: "upx-stream-key-01", apiSecret: "sim-secret-upx-stream" };

export interface UpstoxStreamWorld {
  sim: RunningSimulator;
  hostUrl: string;
  /** The trader's current session (a test that ends it logs in again and stores the new one here). */
  session: BrokerSessionTokens;
  now: () => number;
  /** An adapter of the trader (another host URL or session when given). */
  adapter(
    overrides?: { hostUrl?: string; session?: BrokerSessionTokens },
    options?: UpstoxAdapterOptions,
  ): BrokerAdapter;
  /** The `nth` NIFTY contract of a type on NFO. */
  nifty(type: "CE" | "PE" | "FUT", nth?: number): Instrument;
  /** The nearest expiry's NIFTY option at the strike closest to the index (a contract with a full book). */
  atm(type: "CE" | "PE"): Instrument;
  close(): Promise<void>;
}

export async function startUpstoxStreamWorld(): Promise<UpstoxStreamWorld> {
  const sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "test-admin-token",
    seed: 17,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: UPSTOX_TRADER.id, apiKey: UPSTOX_TRADER.apiKey, capital: "5000000" }],
  });
  const now = () => sim.market.clock.now();
  const hostUrl = `${sim.httpUrl}/upstox`;
  const app = { hostUrl, apiKey: UPSTOX_TRADER.apiKey, apiSecret: UPSTOX_TRADER.apiSecret };
  const session = await loginViaSimulator(app, now);
  const gate = new RateGovernor({ keyPrefix: `md:test-upstox-streams:${randomUUID()}` });
  const made: BrokerAdapter[] = [];
  const world: UpstoxStreamWorld = {
    sim,
    hostUrl,
    session,
    now,
    adapter(overrides = {}, options = {}) {
      const a = createUpstoxAdapter(
        { accountId: UPSTOX_TRADER.id, ...app, session: world.session, ...overrides },
        { gate, now, ...options },
      );
      made.push(a);
      return a;
    },
    nifty(type, nth = 0) {
      return sim.market.instruments("NFO").filter((i) => i.underlying === "NIFTY" && i.instrumenttype === type)[nth];
    },
    atm(type) {
      const spot = sim.market.quote("NIFTY", "NSE_INDEX")!.ltp;
      const options = sim.market
        .instruments("NFO")
        .filter((i) => i.underlying === "NIFTY" && i.instrumenttype === type);
      const first = Math.min(...options.map((i) => i.expiryTs ?? Infinity));
      const near = options.filter((i) => i.expiryTs === first);
      return near.reduce((best, i) => (Math.abs(i.strike - spot) < Math.abs(best.strike - spot) ? i : best));
    },
    async close() {
      for (const a of made) await a.close();
      await sim.close();
    },
  };
  return world;
}
