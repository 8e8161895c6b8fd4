import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";

const holder = globalThis as unknown as { mirrordeskRedis?: Redis };

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

/** A dedicated connection for BullMQ workers and subscribers: waits for Redis instead of failing. */
export function createBlockingRedis(extra: RedisOptions = {}): Redis {
  return new Redis(env().REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

export async function disconnectRedis(): Promise<void> {
  const r = holder.mirrordeskRedis;
  holder.mirrordeskRedis = undefined;
  if (r) await r.quit().catch(() => r.disconnect());
}
