/**
 * The rate governor's published caps against real Redis. Windows are long (a minute, a day) and limits small, so a
 * spent window stays spent for the whole test: every assertion is on a refusal or on what a take reported, never on
 * elapsed time.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimitedError } from "@/lib/errors";
import { disconnectRedis, redis } from "@/lib/redis";
import { describeWindow, type PublishedLimits } from "./published-limits";
import { RateGovernor } from "./rate-governor";

let connA: Redis;
let connB: Redis;
const prefix = `md:test-caps:${randomUUID()}`;

beforeAll(() => {
  connA = redis().duplicate();
  connB = redis().duplicate();
});
afterAll(async () => {
  await Promise.all([connA.quit(), connB.quit()]);
  await disconnectRedis();
});

const governor = (conn: Redis, maxWaitMs?: number) =>
  new RateGovernor({ storeClient: conn, keyPrefix: prefix, maxWaitMs });

const TEST_BROKER: PublishedLimits = {
  broker: "Testbroker",
  windows: [
    { calls: ["order"], limit: 3, seconds: 60 },
    { calls: ["order"], limit: 5, seconds: 86_400 },
    { calls: ["quote"], limit: 2, seconds: 60 },
  ],
};

async function refusal(p: Promise<unknown>): Promise<RateLimitedError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RateLimitedError);
  return e as RateLimitedError;
}

describe("published caps (real Redis)", () => {
  it("lets the minute's orders through at once, then refuses the next naming the cap", async () => {
    const g = governor(connA);
    const reports = await Promise.all([1, 2, 3].map(() => g.take("acct-minute", "order", {}, TEST_BROKER)));
    expect(reports.map((r) => r.waits)).toEqual([0, 0, 0]);
    const e = await refusal(g.take("acct-minute", "order", {}, TEST_BROKER));
    expect(e.message).toContain("Testbroker's 3 orders a minute");
    // The minute frees only when its first call leaves it: far beyond the 5 s the governor waits.
    expect(e.retryAfterSeconds).toBeGreaterThan(5);
    expect(e.retryAfterSeconds).toBeLessThanOrEqual(61);
    // Other families and other accounts are untouched.
    expect((await g.take("acct-minute", "other", {}, TEST_BROKER)).waits).toBe(0);
    expect((await g.take("acct-minute-2", "order", {}, TEST_BROKER)).waits).toBe(0);
  });

  it("counts a cap across processes: the second process finds it spent", async () => {
    const a = governor(connA);
    for (let i = 0; i < 3; i++) await a.take("acct-shared-cap", "order", {}, TEST_BROKER);
    await refusal(governor(connB).take("acct-shared-cap", "order", {}, TEST_BROKER));
  });

  it("records a refused call in no window: it spends neither the account's budget nor another cap", async () => {
    const g = governor(connA);
    for (let i = 0; i < 3; i++) await g.take("acct-atomic", "order", {}, TEST_BROKER);
    for (let i = 0; i < 4; i++) await refusal(g.take("acct-atomic", "order", {}, TEST_BROKER));
    const day = g.publishedKey("acct-atomic", { calls: ["order"], seconds: 86_400 });
    expect(await connA.zcard(day)).toBe(3);
    expect(await connA.zcard(`${prefix}:order:10:acct-atomic`)).toBe(3);
  });

  it("enforces a day cap even when each minute has room", async () => {
    const g = governor(connA);
    const minute = g.publishedKey("acct-day", { calls: ["order"], seconds: 60 });
    for (let i = 0; i < 3; i++) await g.take("acct-day", "order", {}, TEST_BROKER);
    // The minute's calls leave it (as a minute later); the day still holds them.
    await connA.del(minute);
    for (let i = 0; i < 2; i++) await g.take("acct-day", "order", {}, TEST_BROKER);
    const e = await refusal(g.take("acct-day", "order", {}, TEST_BROKER));
    expect(e.message).toContain("Testbroker's 5 orders a day");
  });

  it("waits instead of refusing when the spent window frees within the wait limit", async () => {
    const g = governor(connA, 5_000);
    const minute = g.publishedKey("acct-frees", { calls: ["order"], seconds: 60 });
    const [sec, usec] = await connA.time();
    const nowMs = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    // Three calls made 59.5 s ago (the window counts 61 s): the minute frees in about 1.5 s.
    await connA.zadd(minute, nowMs - 59_500, "a", nowMs - 59_500, "b", nowMs - 59_500, "c");
    const report = await g.take("acct-frees", "order", {}, TEST_BROKER);
    expect(report.waits).toBeGreaterThanOrEqual(1);
    expect(report.waitedMs).toBeLessThanOrEqual(5_000);
  });

  it("lets an account's settings lower a published cap but never raise it", async () => {
    const perSecond: PublishedLimits = { broker: "Testbroker", windows: [{ calls: ["order"], limit: 2, seconds: 1 }] };
    const g = governor(connA);
    // Account asks for 50/s: the broker's 2/s still holds, so one of three waits.
    const raised = await Promise.all(
      [1, 2, 3].map(() => g.take("acct-raise", "order", { ordersPerSecond: 50 }, perSecond)),
    );
    expect(raised.filter((r) => r.waits > 0)).toHaveLength(1);
    // Account asks for 1/s: below the broker's 2/s, so two of three wait.
    const lowered = await Promise.all(
      [1, 2, 3].map(() => g.take("acct-lower", "order", { ordersPerSecond: 1 }, perSecond)),
    );
    expect(lowered.filter((r) => r.waits > 0)).toHaveLength(2);
  });

  it("counts a window shared by several families once for all of them", async () => {
    const shared: PublishedLimits = {
      broker: "Sharedbroker",
      windows: [{ calls: ["order", "other"], limit: 2, seconds: 60 }],
    };
    const g = governor(connB);
    await g.take("acct-fam", "order", {}, shared);
    await g.take("acct-fam", "other", {}, shared);
    const e = await refusal(g.take("acct-fam", "order", {}, shared));
    expect(e.message).toContain("Sharedbroker's 2 calls a minute");
    await refusal(g.take("acct-fam", "other", {}, shared));
    // Quotes are not in the window.
    expect((await g.take("acct-fam", "quote", {}, shared)).waits).toBe(0);
  });

  it("words caps as a trader reads them", () => {
    expect(describeWindow({ calls: ["order"], limit: 5_000, seconds: 86_400 })).toBe("5,000 orders a day");
    expect(describeWindow({ calls: ["order"], limit: 2_000, seconds: 1_800 })).toBe("2,000 orders per 30 minutes");
    expect(describeWindow({ calls: ["quote"], limit: 1, seconds: 1 })).toBe("1 quote call a second");
  });
});
