/**
 * Test helpers of the market-data feed's integration tests (never used by product code): a fixed-clock simulator,
 * linked accounts, a feed manager with short timings, and views of the simulator's WebSocket state and of the tick
 * channel.
 */
import type { Redis } from "ioredis";
import { createBlockingRedis } from "@/lib/redis";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import {
  FeedManager,
  LIVE,
  liveQuoteSchema,
  type FeedKind,
  type FeedManagerOptions,
  type LiveQuote,
} from "@/lib/services/market-data";

export const FEED_ADMIN = "feed-admin-token";
/** Monday 2026-11-23 10:00 IST: a trading day, inside every session. */
const MONDAY_10_IST = Date.UTC(2026, 10, 23, 4, 30);

export function startFeedSimulator(instances: InstanceConfig[]): Promise<RunningSimulator> {
  return startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: FEED_ADMIN,
    seed: 5,
    // Prices move only when a test asks for a tick.
    clock: { mode: "fixed", startAt: MONDAY_10_IST },
    alwaysOpen: true,
    instances,
    rateLimits: { api: { count: 100_000, windowMs: 1_000 } },
    onError: () => undefined,
  });
}

export async function simControl(sim: RunningSimulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.httpUrl}/_sim${path}`, {
    method,
    headers: { Authorization: `Bearer ${FEED_ADMIN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export interface SimConnection {
  instanceId: string | null;
  subscriptions: { exchange: string; symbol: string; modes: number[] }[];
}

/** The simulator's open WebSockets and what each is subscribed to. */
export async function simConnections(sim: RunningSimulator): Promise<SimConnection[]> {
  return (await simControl(sim, "GET", "/ws/connections")).json.connections as SimConnection[];
}

/** `EXCHANGE:SYMBOL` → modes, over every authenticated socket. */
export async function simSubscriptions(sim: RunningSimulator): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const c of await simConnections(sim))
    for (const s of c.subscriptions) out.set(`${s.exchange}:${s.symbol}`, s.modes);
  return out;
}

export const tick = (sim: RunningSimulator) => simControl(sim, "POST", "/market/tick");

export function testFeed(overrides: Partial<FeedManagerOptions> = {}): FeedManager {
  return new FeedManager({
    heartbeatMs: 5_000,
    setupTimeoutMs: 2_000,
    backoffMinMs: 20,
    backoffMaxMs: 200,
    resyncMs: 250,
    leaderTtlMs: 3_000,
    ...overrides,
  });
}

/** Every quote published on a kind's tick channel, in order. */
export class TickLog {
  readonly quotes: LiveQuote[] = [];
  private constructor(private readonly sub: Redis) {}

  static async listen(kind: FeedKind): Promise<TickLog> {
    const sub = createBlockingRedis();
    const log = new TickLog(sub);
    sub.on("message", (_channel, text: string) => {
      const r = liveQuoteSchema.safeParse(JSON.parse(text));
      if (r.success) log.quotes.push(r.data);
    });
    await sub.subscribe(LIVE.ticks(kind));
    return log;
  }

  count(key: string): number {
    return this.quotes.filter((q) => `${q.exchange}:${q.symbol}` === key).length;
  }

  async close(): Promise<void> {
    await this.sub.quit().catch(() => this.sub.disconnect());
  }
}
