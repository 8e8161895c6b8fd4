import { createHash } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";

const holder = globalThis as unknown as { mirrordeskRedis?: Redis; mirrordeskPipelinedRedis?: Redis };

/**
 * Shared connection for web requests and producers: fails fast when Redis is down rather than queueing
 * commands forever (a request should answer 503, not hang).
 */
export function redis(): Redis {
  holder.mirrordeskRedis ??= new Redis(env().REDIS_URL, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
  return holder.mirrordeskRedis;
}

/**
 * The same, auto-pipelined: every command issued in one event-loop turn leaves in one socket write. For the commands
 * hundreds of concurrent dispatch jobs issue at once — live events and book caches — whose write per command was a
 * large share of the worker's CPU (docs/performance.md). Order on it is still the order of calls. Not for BullMQ
 * (which keeps the plain connection), MULTI, subscriptions or Lua scripts (ioredis mismatches a script call's results
 * within an auto-pipelined batch and throws an uncaught error).
 */
export function pipelinedRedis(): Redis {
  holder.mirrordeskPipelinedRedis ??= redis().duplicate({ enableAutoPipelining: true });
  return holder.mirrordeskPipelinedRedis;
}

/** A dedicated connection for BullMQ workers and subscribers: waits for Redis instead of failing. */
export function createBlockingRedis(extra: RedisOptions = {}): Redis {
  return new Redis(env().REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

/** The database number a Redis URL selects (`redis://host:6379/3` → 3; none → 0). */
export function redisDatabase(url: string): number {
  const n = Number(new URL(url).pathname.replace(/^\/+/, "") || "0");
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

let channelSuffix: string | undefined;

/**
 * A pub/sub channel name of this deployment. Keys live in the database REDIS_URL selects, but pub/sub channels are
 * shared by every database of a server: two deployments (or a test run beside the demo) on one Redis with different
 * database numbers would hear each other's live events. Every channel therefore ends in `@db<N>`
 * (docs/live-streams.md "Channels").
 */
export function channel(name: string): string {
  channelSuffix ??= `@db${redisDatabase(env().REDIS_URL)}`;
  return name + channelSuffix;
}

export async function disconnectRedis(): Promise<void> {
  const connections = [holder.mirrordeskPipelinedRedis, holder.mirrordeskRedis];
  holder.mirrordeskPipelinedRedis = undefined;
  holder.mirrordeskRedis = undefined;
  for (const r of connections) if (r) await r.quit().catch(() => r.disconnect());
}

/**
 * A Lua script called by its SHA1 (EVALSHA) instead of with its text (EVAL): scripts called for every batch of live
 * events or every fill poll then send a few bytes instead of their source, and Redis does not hash the source each
 * time. Only when Redis answers NOSCRIPT (restarted, flushed, or never given it) is the text sent, once, with EVAL: a
 * NOSCRIPT call ran nothing, so nothing runs twice. Never on the auto-pipelined connection (see pipelinedRedis).
 */
export function luaScript(source: string) {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (conn: Redis, numKeys: number, ...args: (string | number)[]): Promise<unknown> => {
    try {
      return await conn.evalsha(sha, numKeys, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("NOSCRIPT")) return conn.eval(source, numKeys, ...args);
      throw e;
    }
  };
}
