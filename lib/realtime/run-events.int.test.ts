import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { publishRunEvent, publishRunEvents, subscribeRunEvents, type RunEvent } from "@/lib/realtime/run-events";
import { closeConnections, resetState } from "@/lib/testing/fixtures";
import { waitUntil } from "@/lib/testing/wait";

beforeEach(resetState);
afterAll(closeConnections);

describe("run events", () => {
  it("delivers a batch message's events one by one in order, and single events as before", async () => {
    const runId = randomUUID();
    const intent = (n: number): RunEvent => ({
      type: "intent",
      runId,
      intentId: `md${n}`,
      accountId: "acc",
      legIndex: n,
      sliceIndex: 0,
      state: "accepted",
      brokerOrderId: `o${n}`,
      filledQuantity: 0,
      averagePrice: null,
      reason: null,
      at: new Date(n).toISOString(),
    });
    const seen: RunEvent[] = [];
    const stop = await subscribeRunEvents(runId, (e) => seen.push(e));
    await publishRunEvents(runId, [intent(1), intent(2), intent(3)]);
    await publishRunEvent({ type: "run", runId, status: "COMPLETED", at: new Date(4).toISOString() });
    await waitUntil(() => seen.length >= 4, 10_000, "four events");
    await stop();
    expect(seen).toEqual([
      intent(1),
      intent(2),
      intent(3),
      { type: "run", runId, status: "COMPLETED", at: new Date(4).toISOString() },
    ]);
  });
});
