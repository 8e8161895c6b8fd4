/**
 * Worker liveness: each worker process keeps a short-lived key in Redis while it runs. Dispatch claims name the
 * worker; dispatch recovery treats the claims of a worker whose key has expired as orphaned, and every worker watches
 * its peers' keys so that a dead peer's claims are recovered within seconds (docs/scaling.md).
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";

/** A worker is presumed dead this long after its last liveness refresh, ms. */
export const LIVENESS_TTL_MS = 5_000;
const LIVENESS_PREFIX = "md:dispatch:alive:";
/** The Redis key that says worker `workerId` is running. */
export const livenessKey = (workerId: string) => LIVENESS_PREFIX + workerId;

/** A process-unique worker id: claims name it, liveness keys prove it is still running. */
export function newWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** Keeps this worker's liveness key fresh until the returned function is called. */
export async function startWorkerLiveness(workerId: string): Promise<() => Promise<void>> {
  const key = livenessKey(workerId);
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

/**
 * Watches the other workers' liveness keys, every `everyMs`: each worker this one saw alive whose key then expired
 * (it was killed or hung) or was deleted (it stopped) is passed to `onGone` once. A failed `onGone` is tried again on
 * the next pass. A worker that died before this one first looked is not reported: the recovery at start covers it.
 */
export function watchPeerLiveness(
  selfId: string,
  onGone: (workerId: string) => Promise<void>,
  everyMs = Math.floor(LIVENESS_TTL_MS / 4),
): PeerWatch {
  let seen = new Set<string>();
  let passes = 0;
  const owed = new Set<string>();
  let busy = false;
  const pass = async () => {
    const alive = new Set(await aliveWorkers());
    alive.delete(selfId);
    for (const id of seen) if (!alive.has(id)) owed.add(id);
    seen = alive;
    passes += 1;
    for (const id of owed) {
      await onGone(id).then(
        () => owed.delete(id),
        (err) => log().warn({ err, workerId: id }, "gone worker not reported; trying again"),
      );
    }
  };
  const timer = setInterval(() => {
    // A slow pass (Redis busy) is not overlapped by the next one.
    if (busy) return;
    busy = true;
    pass()
      .catch((err) => log().warn({ err }, "peer liveness not checked"))
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), passes: () => passes };
}

export interface PeerWatch {
  stop(): void;
  /** Passes completed so far (each read every liveness key once). */
  passes(): number;
}
