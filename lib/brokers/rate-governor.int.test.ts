import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectRedis, redis } from "@/lib/redis";
import { type CallKind, RateGovernor, type RateLimits } from "./rate-governor";

// Two governors on two connections stand in for two processes (web + worker) sharing one Redis.
let connA: Redis;
let connB: Redis;
let prefix: string;

beforeAll(() => {
  connA = redis().duplicate();
  connB = redis().duplicate();
});
afterAll(async () => {
  await Promise.all([connA.quit(), connB.quit()]);
  await disconnectRedis();
});

function governor(conn: Redis): RateGovernor {
  return new RateGovernor({ storeClient: conn, keyPrefix: prefix });
}

/** Runs `n` concurrent takes and returns when each finished, in ms since the start. */
async function burst(
  g: RateGovernor,
  accounts: string[],
  n: number,
  kind: CallKind = "order",
  limits?: Partial<RateLimits>,
) {
  const start = performance.now();
  const done: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await g.take(accounts[i % accounts.length], kind, limits);
      done.push(performance.now() - start);
    }),
  );
  return { elapsed: performance.now() - start, done: done.sort((a, b) => a - b) };
}

describe("rate governor (real Redis)", () => {
  beforeAll(() => {
    prefix = `md:test-rate:${randomUUID()}`;
  });

  it("makes 25 order calls into one account wait: at least 2 s", async () => {
    const { elapsed, done } = await burst(governor(connA), ["acct-1"], 25);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    // The first ten go at once: waiting, not a fixed sleep per call.
    expect(done[9]).toBeLessThan(500);
  });

  it("spreads 25 calls over 5 accounts without waiting: well under 1 s", async () => {
    const accounts = ["acct-a", "acct-b", "acct-c", "acct-d", "acct-e"];
    const { elapsed } = await burst(governor(connA), accounts, 25);
    expect(elapsed).toBeLessThan(500);
  });

  it("never lets more than 10 calls into any one-second span (moving window)", async () => {
    const { done } = await burst(governor(connA), ["acct-window"], 30);
    for (let i = 0; i + 10 < done.length; i++) expect(done[i + 10] - done[i]).toBeGreaterThanOrEqual(1_000);
  });

  it("shares one budget between two processes", async () => {
    const a = governor(connA);
    const b = governor(connB);
    await burst(a, ["acct-shared"], 10);
    const start = performance.now();
    await b.take("acct-shared", "order");
    expect(performance.now() - start).toBeGreaterThanOrEqual(900);
  });

  it("keeps order and other calls in separate budgets", async () => {
    const g = governor(connB);
    const start = performance.now();
    await Promise.all([burst(g, ["acct-kinds"], 10, "order"), burst(g, ["acct-kinds"], 10, "other")]);
    expect(performance.now() - start).toBeLessThan(500);
  });

  it("honours a per-account limit", async () => {
    const { elapsed } = await burst(governor(connA), ["acct-slow"], 10, "other", { otherPerSecond: 5 });
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    await expect(governor(connA).take("acct-slow", "other", { otherPerSecond: 0 })).rejects.toThrow(RangeError);
  });
});
