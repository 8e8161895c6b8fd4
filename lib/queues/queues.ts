import { Queue } from "bullmq";
import { redis } from "@/lib/redis";
import { BULL_PREFIX, QUEUES, type QueueName } from "@/lib/queues/names";

const holder = globalThis as unknown as { mirrordeskQueues?: Map<QueueName, Queue> };

/** Producer-side queue handle (shares the fail-fast connection of web requests). */
export function queue(name: QueueName): Queue {
  holder.mirrordeskQueues ??= new Map();
  let q = holder.mirrordeskQueues.get(name);
  if (!q) {
    q = new Queue(name, { connection: redis(), prefix: BULL_PREFIX });
    holder.mirrordeskQueues.set(name, q);
  }
  return q;
}

export async function queueCounts(): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const name of Object.values(QUEUES)) {
    out[name] = await queue(name).getJobCounts("waiting", "active", "delayed", "failed", "completed");
  }
  return out;
}

export async function closeQueues(): Promise<void> {
  const qs = [...(holder.mirrordeskQueues?.values() ?? [])];
  holder.mirrordeskQueues = undefined;
  await Promise.all(qs.map((q) => q.close()));
}
