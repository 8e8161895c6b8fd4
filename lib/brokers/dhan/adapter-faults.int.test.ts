/**
 * The simulator's instance faults through the Dhan front-end, as the Dhan adapter sees them: a lost placement answer
 * is `unknown` and the order exists once; Dhan's 429 is a RateLimitedError that placed nothing; a 5xx is unavailable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, PlaceOrderRequest } from "@/lib/brokers/types";
import { BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";

let d: DhanSim;
let adapter: BrokerAdapter;
const ID = "dfault";
const order: PlaceOrderRequest = {
  symbol: "SBIN",
  exchange: "NSE",
  action: "BUY",
  quantity: 1,
  priceType: "MARKET",
  product: "MIS",
  strategy: "faults",
};

beforeAll(async () => {
  d = await startDhanSim(ID);
  const { session } = await d.login();
  adapter = createDhanAdapter(
    { accountId: "dhan-faults", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: ID, session },
    { gate: d.gate, now: d.now, timeouts: { responseMs: 3_000 } },
  );
});
afterAll(async () => {
  await adapter?.close();
  await d?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("dhan adapter under simulator faults", () => {
  it("a lost placement answer is unknown, and the order is in the book exactly once", async () => {
    d.sim.broker.setFaults(ID, { lostResponseRate: 1 });
    const r = await adapter.placeOrder(order);
    d.sim.broker.setFaults(ID, { lostResponseRate: 0 });
    expect(r.kind).toBe("unknown");
    const mine = (await adapter.orders()).filter((o) => o.strategy === "faults");
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ symbol: "SBIN", exchange: "NSE", quantity: 1, status: "complete" });
    expect(d.sim.broker.receivedOrders(ID)).toHaveLength(1);
  });

  it("a late RMS rejection shows as rejected with the broker's reason and the strategy tag echoed", async () => {
    d.sim.broker.setFaults(ID, { lateRejectRate: 1, lateRejectMs: 0 });
    const r = await adapter.placeOrder({ ...order, strategy: "late" });
    d.sim.broker.setFaults(ID, { lateRejectRate: 0 });
    expect(r.kind).toBe("accepted");
    if (r.kind !== "accepted") return;
    // The rejection comes after the acceptance: poll the order until it is final, as a caller reconciles.
    let o = await adapter.orderStatus(r.orderId, "late");
    for (let i = 0; i < 50 && o?.status === "open"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      o = await adapter.orderStatus(r.orderId, "late");
    }
    expect(o).toMatchObject({ status: "rejected", brokerStatus: "REJECTED", strategy: "late" });
    expect(o!.rejectionReason).toMatch(/\S/);
  });

  it("Dhan's 429 is a RateLimitedError and places nothing", async () => {
    d.sim.broker.setFaults(ID, { burst429Remaining: 2 });
    await expect(adapter.placeOrder(order)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(adapter.positions()).rejects.toBeInstanceOf(RateLimitedError);
    expect(d.sim.broker.receivedOrders(ID)).toHaveLength(2);
  });

  it("a 5xx is unavailable on reads and unknown on a placement", async () => {
    d.sim.broker.setFaults(ID, { http500Rate: 1 });
    const e = await adapter.funds().catch((x: unknown) => x);
    const placed = await adapter.placeOrder(order);
    d.sim.broker.setFaults(ID, { http500Rate: 0 });
    expect(e).toBeInstanceOf(BrokerUnavailableError);
    expect((e as BrokerUnavailableError).reason).toBe("server_error");
    expect(placed.kind).toBe("unknown");
    // The simulator's 5xx never acts: reconciling finds no new order.
    expect(d.sim.broker.receivedOrders(ID)).toHaveLength(2);
  });
});
