import { hostname } from "node:os";
import { pingDatabase } from "@/lib/db/queries/health";
import { redis } from "@/lib/redis";
import { queueCounts } from "@/lib/queues/registry";

// Start-up warm-up of the web app and the worker (docs/performance.md "Warm-up at start").
export { warmUp, WARM_UP_DEADLINE_MS, WEB_WARM_UP_DEADLINE_MS, type WarmUpStep } from "./warm-up";

const HEARTBEAT_KEY = "md:worker:hb:";

export interface HealthReport {
  status: "ok" | "down";
  checks: { database: { ok: boolean; ms: number; error?: string }; redis: { ok: boolean; ms: number; error?: string } };
}

async function timed(fn: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const t0 = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out after 2 s")), 2_000).unref()),
    ]);
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: e instanceof Error ? e.message : String(e) };
  }
}

/** Database and Redis reachability (used by /api/health and compose healthchecks). */
export async function healthCheck(): Promise<HealthReport> {
  const [database, redisCheck] = await Promise.all([timed(() => pingDatabase()), timed(() => redis().ping())]);
  return { status: database.ok && redisCheck.ok ? "ok" : "down", checks: { database, redis: redisCheck } };
}

export interface WorkerBeat {
  id: string;
  hostname: string;
  pid: number;
  startedAt: string;
  at: string;
}

/** Called by the worker's recurring heartbeat job: the key expires if the worker stops beating. */
export async function recordHeartbeat(startedAt: Date, intervalMs: number, now: Date): Promise<WorkerBeat> {
  const beat: WorkerBeat = {
    id: `${hostname()}:${process.pid}`,
    hostname: hostname(),
    pid: process.pid,
    startedAt: startedAt.toISOString(),
    at: now.toISOString(),
  };
  await redis().set(HEARTBEAT_KEY + beat.id, JSON.stringify(beat), "PX", intervalMs * 3);
  return beat;
}

export async function workerBeats(): Promise<WorkerBeat[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis().scan(cursor, "MATCH", `${HEARTBEAT_KEY}*`, "COUNT", 100);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const values = await redis().mget(keys);
  return values.flatMap((v) => (v ? [JSON.parse(v) as WorkerBeat] : [])).sort((a, b) => b.at.localeCompare(a.at));
}

export async function systemStatus() {
  const [health, workers, queues] = await Promise.all([healthCheck(), workerBeats(), queueCounts()]);
  return { health, workers, queues };
}
