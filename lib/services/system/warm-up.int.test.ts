import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { sqlPool } from "@/lib/db/client";
import { WINDOW_SCRIPT_SHA } from "@/lib/brokers/rate-governor";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { db } from "@/lib/db/client";
import { redis } from "@/lib/redis";
import { randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { encryptApiKey } from "@/lib/services/broker-access";
import { WARM_POOL_CONNECTIONS, warmUp } from "./warm-up";
import { register } from "@/instrumentation";

beforeEach(resetState);
afterAll(closeConnections);

describe("warm-up at start", () => {
  it("opens the pool's connections, runs every step and loads the rate governor's script", async () => {
    const user = await makeUser("TRADER");
    await db().strategy.create({
      data: { ownerId: user.id, name: "warm", definition: {}, accountIds: [], accountTags: ["x"] },
    });
    // The account need not answer: the warm-up builds its adapter and budgets, it asks the broker nothing.
    const id = randomUUID();
    await db().tradingAccount.create({
      data: {
        id,
        ownerId: user.id,
        name: "Warm",
        hostUrl: "http://127.0.0.1:9",
        wsUrl: "ws://127.0.0.1:9",
        apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, "k".repeat(32)),
        apiKeyLast4: "kkkk",
        tags: ["x"],
        otherRatePerSec: 7,
      },
    });
    const steps = await warmUp();
    expect(steps.map((s) => s.name)).toEqual([
      "postgres pool",
      "trigger queries",
      "redis",
      "dispatch queue",
      "broker adapters",
    ]);
    expect(steps.filter((s) => !s.ok)).toEqual([]);
    expect(sqlPool().totalCount).toBeGreaterThanOrEqual(WARM_POOL_CONNECTIONS);
    // The window script is cached by Redis: the first budget check of a fan-out sends its hash, not its text.
    expect(await redis().script("EXISTS", WINDOW_SCRIPT_SHA)).toEqual([1]);
  });

  it("a failing or hanging step is reported, never thrown, and the warm-up returns by its deadline", async () => {
    const t0 = Date.now();
    const steps = await warmUp({
      deadlineMs: 1_000,
      extra: {
        broken: () => Promise.reject(new Error("broker down")),
        hanging: () => new Promise(() => undefined),
      },
    });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const byName = new Map(steps.map((s) => [s.name, s]));
    expect(byName.get("broken")).toMatchObject({ ok: false, error: "broker down" });
    expect(byName.get("hanging")).toMatchObject({ ok: false, error: "unfinished after 1000 ms" });
    expect(byName.get("redis")?.ok).toBe(true);
  });

  it("the web app's start (instrumentation) runs it and returns, whatever the steps report", async () => {
    const before = process.env.NEXT_RUNTIME;
    process.env.NEXT_RUNTIME = "nodejs";
    try {
      await expect(register()).resolves.toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.NEXT_RUNTIME;
      else process.env.NEXT_RUNTIME = before;
    }
  });
});
