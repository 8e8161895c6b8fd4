import { Queue } from "bullmq";
import { redis } from "@/lib/redis";

/** Redis key prefix for BullMQ, so MirrorDesk can share a Redis with other apps. */
export const BULL_PREFIX = "md:bull";

const holder = globalThis as unknown as { mirrordeskQueues?: Map<string, Queue> };

/**
 * Producer-side queue handle, one per queue name for the process (shares the fail-fast connection of web requests).
 * Each queue's module (lib/queues/<queue>.ts) types it with its job names and data.
 */
export function queue<Data = unknown, Name extends string = string>(name: string): Queue<Data, unknown, Name> {
  holder.mirrordeskQueues ??= new Map();
  let q = holder.mirrordeskQueues.get(name);
  if (!q) {
    q = new Queue(name, { connection: redis(), prefix: BULL_PREFIX });
    holder.mirrordeskQueues.set(name, q);
  }
  return q as unknown as Queue<Data, unknown, Name>;
}

export async function closeQueues(): Promise<void> {
  const qs = [...(holder.mirrordeskQueues?.values() ?? [])];
  holder.mirrordeskQueues = undefined;
  await Promise.all(qs.map((q) => q.close()));
}

/**
 * Registers (or replaces) a repeating job under a deterministic scheduler id. BullMQ types a scheduler id as a job
 * name of the queue; here ids are their own strings (`fills:<account>`), so the handle is the untyped one and each
 * queue module types the job it schedules through its own wrapper.
 */
export async function upsertScheduler(
  queueName: string,
  schedulerId: string,
  everyMs: number,
  job: { name: string; data: unknown; opts: { removeOnComplete: boolean | number; removeOnFail: boolean | number } },
): Promise<void> {
  await queue(queueName).upsertJobScheduler(schedulerId, { every: everyMs }, job);
}
