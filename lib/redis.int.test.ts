import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { createBlockingRedis, luaScript, redis, redisDatabase } from "@/lib/redis";
import { publishRunEvent, subscribeRunEvents, runChannel } from "@/lib/realtime/run-events";
import { env } from "@/lib/env";
import { closeConnections, resetState } from "@/lib/testing/fixtures";

beforeEach(resetState);
afterAll(closeConnections);

describe("luaScript", () => {
  it("runs a script Redis does not hold yet (NOSCRIPT: sent once as text), then by its hash, each call once", async () => {
    // A source no one has sent before: Redis cannot know its hash.
    const bump = luaScript(`-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    expect(await bump(redis(), 1, "test:lua:n", 2)).toBe(2);
    expect(await bump(redis(), 1, "test:lua:n", 3)).toBe(5);
    expect(await redis().get("test:lua:n")).toBe("5");
  });

  it("passes on a script's own error without running it again", async () => {
    const failing = luaScript(`-- ${randomUUID()}\nredis.call('INCR', KEYS[1])\nreturn redis.error_reply('boom')`);
    await expect(failing(redis(), 1, "test:lua:m")).rejects.toThrow("boom");
    expect(await redis().get("test:lua:m")).toBe("1");
  });
});

describe("pub/sub channels", () => {
  it("reads the database number of a Redis URL", () => {
    expect(redisDatabase("redis://127.0.0.1:6379/3")).toBe(3);
    expect(redisDatabase("redis://127.0.0.1:6379")).toBe(0);
    expect(redisDatabase("redis://:secret@redis:6379/12")).toBe(12);
  });

  it("are this database's own: a deployment on another database of the same server hears nothing", async () => {
    const db = redisDatabase(env().REDIS_URL);
    const runId = randomUUID();
    expect(runChannel(runId)).toBe(`md:run-events:${runId}@db${db}`);
    // Another deployment on the same server, on another database, listening to the same run's channel as it names it.
    const other = new Redis(env().REDIS_URL.replace(/\/\d+$/, "") + `/${db === 15 ? 14 : db + 1}`);
    const bare = createBlockingRedis();
    const heard: string[] = [];
    other.on("message", (ch: string) => heard.push(ch));
    bare.on("message", (ch: string) => heard.push(ch));
    await other.subscribe(`md:run-events:${runId}@db${db === 15 ? 14 : db + 1}`);
    await bare.subscribe(`md:run-events:${runId}`);
    const own: string[] = [];
    const stop = await subscribeRunEvents(runId, (e) => own.push(e.type));
    await publishRunEvent({ type: "run", runId, status: "COMPLETED", at: new Date().toISOString() });
    // PUBLISH answers how many subscribers received the message: ours, and neither of the others.
    const receivers = await redis().publish(runChannel(runId), "[]");
    expect(receivers).toBe(1);
    await expect.poll(() => own).toEqual(["run"]);
    expect(heard).toEqual([]);
    await stop();
    await other.quit();
    await bare.quit();
  });
});
