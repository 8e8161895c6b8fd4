/**
 * Dhan's quote calls (one a second at Dhan) can be refused for their rate even when the budget spaced them: the
 * adapter asks a refused quote once more, and reports a refusal of any other read, or of the repeat, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { RateLimitedError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";

const ID = "dquoteretry";
let d: DhanSim;
let adapter: BrokerAdapter;

beforeAll(async () => {
  d = await startDhanSim(ID);
  const { session } = await d.login();
  const config = { accountId: "dhan-quote-retry", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: ID, session };
  adapter = createDhanAdapter(config, { gate: d.gate, now: d.now });
});
afterAll(async () => {
  await adapter?.close();
  await d?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

/** The next `n` requests of the instance are answered 429 without acting. */
async function refuseNext(n: number) {
  const res = await fetch(`${d.sim.httpUrl}/_sim/instances/${ID}/faults`, {
    method: "POST",
    headers: { Authorization: "Bearer dhan-admin", "Content-Type": "application/json" },
    body: JSON.stringify({ burst429Remaining: n }),
  });
  expect(res.status).toBe(200);
}

const remaining = () => d.sim.broker.instance(ID)!.faults.burst429Remaining;

describe("dhan quote refused for its rate", () => {
  it("is asked once more and answers", async () => {
    await refuseNext(1);
    const q = await adapter.quote("NIFTY", "NSE_INDEX");
    expect(q.ltp.gt(0)).toBe(true);
    expect(remaining()).toBe(0);
  });

  it("a second refusal is reported, and other reads are not repeated", async () => {
    await refuseNext(2);
    await expect(adapter.quote("NIFTY", "NSE_INDEX")).rejects.toBeInstanceOf(RateLimitedError);
    expect(remaining()).toBe(0);
    await refuseNext(1);
    await expect(adapter.orders()).rejects.toBeInstanceOf(RateLimitedError);
    expect(remaining()).toBe(0);
    expect((await adapter.quote("NIFTY", "NSE_INDEX")).ltp.gt(0)).toBe(true);
  });
});
