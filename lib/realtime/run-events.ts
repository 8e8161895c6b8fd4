/**
 * Live run events over Redis pub/sub: the dispatcher publishes every intent state change and run status change;
 * the SSE route (`/api/runs/[id]/events`) relays them to the browser. Events carry ids and states, never secrets.
 */
import { z } from "zod";
import type { Redis } from "ioredis";
import { createBlockingRedis, redis } from "@/lib/redis";

export const intentEventSchema = z.object({
  type: z.literal("intent"),
  runId: z.string(),
  intentId: z.string(),
  accountId: z.string(),
  legIndex: z.number().int(),
  sliceIndex: z.number().int(),
  state: z.string(),
  brokerOrderId: z.string().nullable(),
  filledQuantity: z.number().int(),
  averagePrice: z.string().nullable(),
  reason: z.string().nullable(),
  /** ISO time of the change. */
  at: z.string(),
});
export const runStatusEventSchema = z.object({
  type: z.literal("run"),
  runId: z.string(),
  status: z.enum(["RUNNING", "COMPLETED", "PARTIAL", "FAILED"]),
  at: z.string(),
});
export const runEventSchema = z.discriminatedUnion("type", [intentEventSchema, runStatusEventSchema]);
export type RunEvent = z.infer<typeof runEventSchema>;

export const runChannel = (runId: string) => `md:run-events:${runId}`;

export async function publishRunEvent(event: RunEvent): Promise<void> {
  await redis().publish(runChannel(event.runId), JSON.stringify(event));
}

/**
 * Subscribes to one run's events on a dedicated connection (a subscribed ioredis connection cannot run other
 * commands). Returns a function that unsubscribes and closes it.
 */
export async function subscribeRunEvents(runId: string, onEvent: (e: RunEvent) => void): Promise<() => Promise<void>> {
  const sub: Redis = createBlockingRedis();
  sub.on("message", (_channel, message) => {
    const parsed = runEventSchema.safeParse(JSON.parse(message));
    if (parsed.success) onEvent(parsed.data);
  });
  await sub.subscribe(runChannel(runId));
  return async () => {
    await sub.unsubscribe().catch(() => undefined);
    await sub.quit().catch(() => sub.disconnect());
  };
}
