/**
 * Feed metrics. The feed runs in a worker while Prometheus scrapes the web process, so the worker adds its counts
 * to a Redis hash per feed kind (batched, not per tick) and the web process's registry reads them, with the feed
 * status, at scrape time.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { redis } from "@/lib/redis";
import type { FeedKind } from "../source";
import { LIVE, feedStatusSchema, type FeedStatus } from "./contract";

const KINDS: FeedKind[] = ["real", "simulated"];
const STATES: FeedStatus["state"][] = ["connecting", "live", "reconnecting", "down"];

/** Hash of a kind's running counts: `ticks`, `reconnects`. */
export const feedStatsKey = (kind: FeedKind) => `md:live:feed-stats:${kind}`;

/** Counts of one kind's feed in this process, added to Redis by `flush`. */
export class FeedStats {
  ticks = 0;
  reconnects = 0;

  constructor(readonly kind: FeedKind) {}

  async flush(): Promise<void> {
    const ticks = this.ticks;
    const reconnects = this.reconnects;
    if (ticks === 0 && reconnects === 0) return;
    this.ticks = 0;
    this.reconnects = 0;
    await redis()
      .multi()
      .hincrby(feedStatsKey(this.kind), "ticks", ticks)
      .hincrby(feedStatsKey(this.kind), "reconnects", reconnects)
      .exec();
  }
}

export async function readFeedStats(kind: FeedKind): Promise<{ ticks: number; reconnects: number }> {
  const h = await redis().hgetall(feedStatsKey(kind));
  return { ticks: Number(h.ticks ?? 0), reconnects: Number(h.reconnects ?? 0) };
}

/** A kind's feed status as last written by the leading worker; null when none is (or it expired). */
export async function readFeedStatus(kind: FeedKind): Promise<FeedStatus | null> {
  const text = await redis().get(LIVE.feedStatus(kind));
  if (!text) return null;
  try {
    const r = feedStatusSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

interface Snapshot {
  kind: FeedKind;
  stats: { ticks: number; reconnects: number } | null;
  status: FeedStatus | null;
}

async function snapshot(): Promise<Snapshot[]> {
  return Promise.all(
    KINDS.map(async (kind) => {
      const [stats, status] = await Promise.all([
        readFeedStats(kind).catch(() => null),
        readFeedStatus(kind).catch(() => null),
      ]);
      return { kind, stats, status };
    }),
  );
}

/** Adds the feed's metrics to `registry`, read from Redis at scrape time. */
export function registerFeedMetrics(registry: Registry): void {
  // A scrape collects every metric at once: they share one round of Redis reads.
  let inFlight: Promise<Snapshot[]> | null = null;
  const read = () =>
    (inFlight ??= snapshot().finally(() => {
      inFlight = null;
    }));
  const ticks: Counter<"kind"> = new Counter({
    name: "mirrordesk_market_feed_ticks_total",
    help: "Ticks received from the upstream market-data feed, per feed kind",
    labelNames: ["kind"],
    registers: [registry],
    collect: async () => {
      const snap = await read();
      ticks.reset();
      for (const s of snap) if (s.stats) ticks.inc({ kind: s.kind }, s.stats.ticks);
    },
  });
  const reconnects: Counter<"kind"> = new Counter({
    name: "mirrordesk_market_feed_reconnects_total",
    help: "Upstream market-data connections opened again after one was lost, per feed kind",
    labelNames: ["kind"],
    registers: [registry],
    collect: async () => {
      const snap = await read();
      reconnects.reset();
      for (const s of snap) if (s.stats) reconnects.inc({ kind: s.kind }, s.stats.reconnects);
    },
  });
  const subscribed: Gauge<"kind"> = new Gauge({
    name: "mirrordesk_market_feed_subscribed_contracts",
    help: "Contracts subscribed on the upstream market-data feed, per feed kind",
    labelNames: ["kind"],
    registers: [registry],
    collect: async () => {
      const snap = await read();
      subscribed.reset();
      for (const s of snap) if (s.status) subscribed.set({ kind: s.kind }, s.status.subscribed);
    },
  });
  const state: Gauge<"kind" | "state"> = new Gauge({
    name: "mirrordesk_market_feed_state",
    help: "1 for the upstream market-data feed's current state per feed kind (no series: no status written)",
    labelNames: ["kind", "state"],
    registers: [registry],
    collect: async () => {
      const snap = await read();
      state.reset();
      for (const s of snap)
        if (s.status) for (const st of STATES) state.set({ kind: s.kind, state: st }, s.status.state === st ? 1 : 0);
    },
  });
}
