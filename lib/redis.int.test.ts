import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { luaScript, redis } from "@/lib/redis";
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
