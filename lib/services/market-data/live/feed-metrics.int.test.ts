import { Registry } from "prom-client";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { redis } from "@/lib/redis";
import { closeConnections, resetState } from "@/lib/testing/fixtures";
import { LIVE, type FeedStatus } from "./contract";
import { FeedStats, registerFeedMetrics } from "./feed-metrics";

beforeEach(resetState);
afterAll(closeConnections);

describe("feed metrics", () => {
  it("exposes the worker's counts and the feed status per kind, read from Redis at scrape time", async () => {
    const registry = new Registry();
    registerFeedMetrics(registry);
    const stats = new FeedStats("simulated");
    stats.ticks = 40;
    stats.reconnects = 1;
    await stats.flush();
    stats.ticks = 2;
    await stats.flush();
    const status: FeedStatus = {
      kind: "simulated",
      accountId: "a1",
      host: "127.0.0.1:8765",
      state: "live",
      since: new Date().toISOString(),
      subscribed: 7,
      reason: null,
    };
    await redis().set(LIVE.feedStatus("simulated"), JSON.stringify(status));
    const text = await registry.metrics();
    expect(text).toContain('mirrordesk_market_feed_ticks_total{kind="simulated"} 42');
    expect(text).toContain('mirrordesk_market_feed_reconnects_total{kind="simulated"} 1');
    expect(text).toContain('mirrordesk_market_feed_subscribed_contracts{kind="simulated"} 7');
    expect(text).toContain('mirrordesk_market_feed_state{kind="simulated",state="live"} 1');
    expect(text).toContain('mirrordesk_market_feed_state{kind="simulated",state="down"} 0');
    expect(text).not.toContain('mirrordesk_market_feed_state{kind="real"');
    expect(text).toContain('mirrordesk_market_feed_ticks_total{kind="real"} 0');
  });
});
