import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectRedis, redis } from "@/lib/redis";
import { type CallKind, RateGovernor, type RateLimits, type TakeResult } from "./rate-governor";

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

/**
 * Runs `n` concurrent takes and returns when each finished, in ms since the start, and what each take reported
 * (whether it found the budget spent and waited). Upper bounds are asserted on the reports, never on wall time.
 */
async function burst(
  g: RateGovernor,
  accounts: string[],
  n: number,
  kind: CallKind = "order",
  limits?: Partial<RateLimits>,
) {
  const start = performance.now();
  const done: number[] = [];
  const reports: TakeResult[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      reports.push(await g.take(accounts[i % accounts.length], kind, limits));
      done.push(performance.now() - start);
    }),
  );
  const waited = reports.filter((r) => r.waits > 0).length;
  return { elapsed: performance.now() - start, done: done.sort((a, b) => a - b), reports, waited };
}

describe("rate governor (real Redis)", () => {
  beforeAll(() => {
    prefix = `md:test-rate:${randomUUID()}`;
  });

  it("makes 25 order calls into one account wait: at least 2 s", async () => {
    const { elapsed, reports, waited } = await burst(governor(connA), ["acct-1"], 25);
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    // The first ten go at once: waiting, not a fixed sleep per call.
    expect(reports.filter((r) => r.waits === 0)).toHaveLength(10);
    expect(waited).toBe(15);
  });

  it("spreads 25 calls over 5 accounts without waiting", async () => {
    const accounts = ["acct-a", "acct-b", "acct-c", "acct-d", "acct-e"];
    const { reports, waited } = await burst(governor(connA), accounts, 25);
    expect(waited).toBe(0);
    expect(reports.reduce((ms, r) => ms + r.waitedMs, 0)).toBe(0);
  });

  it("never lets more than 10 calls into any one-second span (moving window)", async () => {
    const { done } = await burst(governor(connA), ["acct-window"], 30);
    for (let i = 0; i + 10 < done.length; i++) expect(done[i + 10] - done[i]).toBeGreaterThanOrEqual(1_000);
  });

  it("shares one budget between two processes", async () => {
    const a = governor(connA);
    const b = governor(connB);
    expect((await burst(a, ["acct-shared"], 10)).waited).toBe(0);
    // b's first call finds the budget a spent.
    const report = await b.take("acct-shared", "order");
    expect(report.waits).toBeGreaterThanOrEqual(1);
    expect(report.waitedMs).toBeGreaterThan(0);
  });

  it("keeps order and other calls in separate budgets", async () => {
    const g = governor(connB);
    const both = await Promise.all([burst(g, ["acct-kinds"], 10, "order"), burst(g, ["acct-kinds"], 10, "other")]);
    // Ten of each fit their own budgets: nobody waited (a shared budget would make ten of them wait).
    expect(both.map((b) => b.waited)).toEqual([0, 0]);
  });

  it("honours a per-account limit", async () => {
    const { elapsed, waited } = await burst(governor(connA), ["acct-slow"], 10, "other", { otherPerSecond: 5 });
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBe(5);
    await expect(governor(connA).take("acct-slow", "other", { otherPerSecond: 0 })).rejects.toThrow(RangeError);
  });
});
