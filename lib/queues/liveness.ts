/**
 * Worker liveness: each worker process keeps a short-lived key in Redis while it runs. Dispatch claims name the
 * worker; dispatch recovery treats the claims of a worker whose key has expired as orphaned.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";

/** A worker is presumed dead this long after its last liveness refresh, ms. */
export const LIVENESS_TTL_MS = 5_000;
const LIVENESS_PREFIX = "md:dispatch:alive:";

/** A process-unique worker id: claims name it, liveness keys prove it is still running. */
export function newWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** Keeps this worker's liveness key fresh until the returned function is called. */
export async function startWorkerLiveness(workerId: string): Promise<() => Promise<void>> {
  const key = LIVENESS_PREFIX + workerId;
  const beat = () => redis().set(key, String(Date.now()), "PX", LIVENESS_TTL_MS);
  await beat();
  const timer = setInterval(
    () => void beat().catch((err) => log().warn({ err }, "dispatch liveness not refreshed")),
    Math.floor(LIVENESS_TTL_MS / 4),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis()
      .del(key)
      .catch(() => undefined);
  };
}

/** Ids of the workers whose liveness key has not expired. */
export async function aliveWorkers(): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis().scan(cursor, "MATCH", `${LIVENESS_PREFIX}*`, "COUNT", 500);
    cursor = next;
    out.push(...keys.map((k) => k.slice(LIVENESS_PREFIX.length)));
  } while (cursor !== "0");
  return out;
}
