/**
 * Live run events over Redis pub/sub: the dispatcher publishes every intent state change (a batch's changes of one run
 * in one message) and run status change; the SSE route (`/api/runs/[id]/events`) relays them to the browser. Events
 * carry ids and states, never secrets.
 */
import { z } from "zod";
import type { IntentState } from "@/lib/generated/prisma/client";
import { channel, pipelinedRedis } from "@/lib/redis";
import { fanout } from "@/lib/realtime/redis-fanout";

export const intentEventSchema = z.object({
  type: z.literal("intent"),
  runId: z.string(),
  intentId: z.string(),
  accountId: z.string(),
  legIndex: z.number().int(),
  sliceIndex: z.number().int(),
  // Typed as the intent state the dispatcher publishes (a database IntentState); read back as any string, as before.
  state: z.custom<IntentState>((v) => typeof v === "string"),
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

export const runChannel = (runId: string) => channel(`md:run-events:${runId}`);

export async function publishRunEvent(event: RunEvent): Promise<void> {
  await pipelinedRedis().publish(runChannel(event.runId), JSON.stringify(event));
}

/**
 * Several events of one run as one message (a JSON array, in order): a dispatch job's phase writes all its slices
 * at once, and one PUBLISH per slice was most of the worker's Redis commands (docs/performance.md "Live events").
 */
export async function publishRunEvents(runId: string, events: readonly RunEvent[]): Promise<void> {
  if (events.length > 0) await pipelinedRedis().publish(runChannel(runId), JSON.stringify(events));
}

/**
 * Listens to one run's events through the process's shared subscriber (lib/realtime/redis-fanout.ts): no Redis
 * connection per listener. Resolves once the subscription is live; returns the function that stops listening.
 */
export function subscribeRunEvents(runId: string, onEvent: (e: RunEvent) => void): Promise<() => Promise<void>> {
  return fanout().subscribe(runChannel(runId), (message) => {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return;
    }
    // One event, or an array of them (publishRunEvents), delivered one by one in order.
    for (const item of Array.isArray(json) ? json : [json]) {
      const parsed = runEventSchema.safeParse(item);
      if (parsed.success) onEvent(parsed.data);
    }
  });
}
