/**
 * The fault-conformance suite every BrokerAdapter must pass against the simulator (docs/adding-a-broker.md "Fault
 * conformance"). Call `runBrokerFaultConformance` at the top level of an `*.int.test.ts` file; it declares a Vitest
 * `describe` whose every step gets a FRESH simulated account from `make`, switches one of the simulator's faults on
 * for it and checks what the adapter makes of it, through the BrokerAdapter contract only, against the engine's own
 * truth (`sim.broker.receivedOrders`). The rules under test are lib/brokers/types.ts's: placement is never repeated,
 * an order that may exist is `unknown` (never `rejected`, never a throw), and failures are the typed errors.
 *
 * Nothing races a clock: late rejections and partial fills are held by the engine (`holdTransitions`,
 * `holdPartialFills`) and released by the test once the engine has them queued.
 */
import Decimal from "decimal.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AdapterDeps } from "@/lib/brokers/registry";
import type { BrokerAdapter, Exchange, Order, PlaceOrderRequest, Product, Trade } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import type { FaultConfig, ReceivedOrder } from "@/lib/simulator/types";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";

export interface FaultConformanceAccount {
  /** An adapter on `instanceId`, a funded simulated account with a live session, no orders and no faults. */
  adapter: BrokerAdapter;
  sim: RunningSimulator;
  instanceId: string;
  /** Bearer token of `sim`'s control API (the revoke through it also ends native front-end tokens). */
  adminToken: string;
  /** Releases whatever `make` started (the adapter is closed by the suite). */
  close?(): Promise<void>;
}

/** What the suite asks of `make`: the adapter's timeouts, passed on as `AdapterDeps.timeouts`. */
export type FaultAccountDeps = Pick<AdapterDeps, "timeouts">;

export interface FaultConformanceOptions {
  /**
   * The instrument traded: an equity (lot 1) whose price the simulator can move (default SBIN on NSE, MIS). Orders
   * are MARKET BUYs of a few units.
   */
  instrument?: { symbol: string; exchange: Exchange; product: Product };
  /**
   * Whether the adapter honours `AdapterDeps.timeouts.responseMs`. When it does, a reply lost by hanging (no answer,
   * connection kept open) is checked too; otherwise only the reset connection.
   */
  responseTimeouts?: boolean;
  /**
   * Whether the order book carries the broker's rejection text (default true; OpenAlgo's live order book has none, see
   * docs/openalgo.md "Account reads"). Where it does, a late rejection must show the engine's reason.
   */
  rejectionReasonInOrderBook?: boolean;
}

const STRATEGY = "faultconf";
/** Response timeout given to the adapter for the "hang" step, ms: the simulator never answers, so any will do. */
const HANG_TIMEOUT_MS = 400;

/**
 * Waits until the engine has done something that is due at once (a zero-delay fault timer), checking on every turn
 * of the event loop. A guard against a stuck engine, not a wait for time to pass: the deadline is generous.
 */
async function untilEngine(what: string, done: () => boolean, deadlineMs = 5_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`the simulator never ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Volume-weighted price of some fills, rupees. */
function vwap(fills: Trade[]): Decimal {
  const qty = fills.reduce((n, t) => n + t.quantity, 0);
  return fills.reduce((v, t) => v.plus(t.averagePrice.mul(t.quantity)), new Decimal(0)).div(qty);
}

export function runBrokerFaultConformance(
  name: string,
  make: (deps: FaultAccountDeps) => Promise<FaultConformanceAccount>,
  options: FaultConformanceOptions = {},
): void {
  const instrument = options.instrument ?? { symbol: "SBIN", exchange: "NSE", product: "MIS" };
  const reasonInBook = options.rejectionReasonInOrderBook ?? true;

  describe(`broker fault conformance: ${name}`, () => {
    let account: FaultConformanceAccount | undefined;
    const open = async (deps: FaultAccountDeps = {}): Promise<FaultConformanceAccount> => {
      account = await make(deps);
      // Whatever the adapter loads on first use (instrument masters, symbol tokens) is loaded now, before a fault
      // could hit it: each step's faults then meet the calls the step is about.
      await account.adapter.symbolInfo(instrument.symbol, instrument.exchange);
      await account.adapter.orders();
      expect(received()).toEqual([]);
      return account;
    };
    const faults = (f: Partial<FaultConfig>) =>
      expect(account!.sim.broker.setFaults(account!.instanceId, f)).toBe(true);
    const received = (): ReceivedOrder[] => account!.sim.broker.receivedOrders(account!.instanceId);
    const engineInstance = () => account!.sim.broker.instance(account!.instanceId)!;
    const buy = (quantity = 1): PlaceOrderRequest => ({
      ...instrument,
      action: "BUY",
      quantity,
      priceType: "MARKET",
      strategy: STRATEGY,
    });
    const rowOf = async (orderId: string): Promise<Order | undefined> =>
      (await account!.adapter.orders(new Set([orderId]))).find((o) => o.orderId === orderId);
    const fillsOf = async (orderId: string): Promise<Trade[]> =>
      (await account!.adapter.trades(new Set([orderId]))).filter((t) => t.orderId === orderId);

    beforeEach(() => {
      account = undefined;
    });
    afterEach(async () => {
      const a = account;
      account = undefined;
      await a?.adapter.close();
      await a?.close?.();
    });

    const lostModes = options.responseTimeouts === false ? (["reset"] as const) : (["reset", "hang"] as const);
    it.each(lostModes)(
      "a lost placement answer (%s) is unknown, the engine got the order once, and the order book shows it",
      async (mode) => {
        const { adapter } = await open(mode === "hang" ? { timeouts: { responseMs: HANG_TIMEOUT_MS } } : {});
        faults({ lostResponseRate: 1, lostResponseMode: mode });
        const r = await adapter.placeOrder(buy());
        expect(r.kind).toBe("unknown");
        // The adapter did not try again: exactly one order reached the engine.
        expect(received()).toHaveLength(1);
        faults({ lostResponseRate: 0 });
        const [sent] = received();
        const row = await rowOf(sent.orderid);
        expect(row).toMatchObject({ symbol: instrument.symbol, action: "BUY", quantity: 1, status: "complete" });
        expect(received()).toHaveLength(1);
      },
    );

    it("a 429 on placement throws RateLimitedError and places nothing; after the burst an order is accepted", async () => {
      const { adapter } = await open();
      faults({ burst429Remaining: 2 });
      await expect(adapter.orders()).rejects.toBeInstanceOf(RateLimitedError);
      await expect(adapter.placeOrder(buy())).rejects.toBeInstanceOf(RateLimitedError);
      expect(received()).toEqual([]);
      expect(engineInstance().faults.burst429Remaining).toBe(0);
      const r = await adapter.placeOrder(buy());
      expect(r.kind).toBe("accepted");
      expect(received().map((o) => o.orderid)).toEqual([r.kind === "accepted" ? r.orderId : ""]);
    });

    it("a 5xx is BrokerUnavailableError (server_error) on reads and unknown on placement", async () => {
      const { adapter } = await open();
      faults({ http500Rate: 1 });
      for (const read of [() => adapter.orders(), () => adapter.funds(), () => adapter.positions()]) {
        const err = await read().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BrokerUnavailableError);
        expect((err as BrokerUnavailableError).reason).toBe("server_error");
      }
      // After a 5xx the order may exist as far as the caller can tell: never rejected, never a throw.
      const r = await adapter.placeOrder(buy());
      expect(r.kind).toBe("unknown");
      // The simulator answers its 500s without acting, and nothing was sent again.
      expect(received()).toEqual([]);
      faults({ http500Rate: 0 });
      expect(await adapter.orders()).toEqual([]);
    });

    it("a late RMS rejection: accepted and working first, then rejected with the engine's reason", async () => {
      const { adapter } = await open();
      faults({ lateRejectRate: 1, lateRejectMs: 0, holdTransitions: true });
      const r = await adapter.placeOrder(buy(2));
      expect(r.kind).toBe("accepted");
      const id = r.kind === "accepted" ? r.orderId : "";
      // Held by the engine, so "still open" is not a race with the rejection's timer.
      await untilEngine("queued the late rejection", () => engineInstance().heldTransitions.length > 0);
      expect(received()).toMatchObject([{ orderid: id, status: "open", filledQuantity: 0 }]);
      expect(await rowOf(id)).toMatchObject({ status: "open", filledQuantity: 0, pendingQuantity: 2 });
      expect(await adapter.orderStatus(id, STRATEGY)).toMatchObject({ status: "open" });

      faults({ holdTransitions: false });
      const [engine] = received();
      expect(engine).toMatchObject({ status: "rejected", filledQuantity: 0 });
      expect(engine.rejectionReason.length).toBeGreaterThan(0);
      const row = await rowOf(id);
      expect(row).toMatchObject({ status: "rejected", filledQuantity: 0, pendingQuantity: 0 });
      if (reasonInBook) expect(row!.rejectionReason).toBe(engine.rejectionReason);
      else expect([null, engine.rejectionReason]).toContain(row!.rejectionReason);
      const status = await adapter.orderStatus(id, STRATEGY);
      expect(status).toMatchObject({ orderId: id, status: "rejected" });
      // Order status may leave the text out; when it gives one, it is the engine's.
      expect([null, engine.rejectionReason]).toContain(status!.rejectionReason);
      expect(await fillsOf(id)).toEqual([]);
    });

    it("a partial fill: part filled and the rest pending, the trade book has the part; then complete at the right average", async () => {
      const { adapter, sim } = await open();
      faults({ partialFillRate: 1, partialFillMs: 0, holdPartialFills: true });
      const quantity = 10;
      const r = await adapter.placeOrder(buy(quantity));
      expect(r.kind).toBe("accepted");
      const id = r.kind === "accepted" ? r.orderId : "";
      await untilEngine("queued the rest of the partial fill", () => engineInstance().heldPartialFills.length > 0);
      const [part] = received();
      expect(part.status).toBe("open");
      expect(part.filledQuantity).toBeGreaterThan(0);
      expect(part.filledQuantity).toBeLessThan(quantity);

      const row = await rowOf(id);
      expect(row).toMatchObject({ status: "open", quantity });
      if (row!.fillsReported === false) {
        // The broker's order rows carry no fill details: the filled quantity is a lower bound (types.ts).
        expect(row!.filledQuantity).toBeLessThanOrEqual(part.filledQuantity);
      } else expect(row!.filledQuantity).toBe(part.filledQuantity);
      expect(row!.pendingQuantity).toBe(quantity - row!.filledQuantity);
      const first = await fillsOf(id);
      expect(first.reduce((n, t) => n + t.quantity, 0)).toBe(part.filledQuantity);
      expect(vwap(first).toFixed(2)).toBe(part.averagePrice);

      // The rest fills at a different price, so the average is a real average of two prices.
      sim.market.jump({ symbol: instrument.symbol, exchange: instrument.exchange }, { percent: 2 });
      faults({ holdPartialFills: false });
      const [done] = received();
      expect(done).toMatchObject({ status: "complete", filledQuantity: quantity });
      expect(done.averagePrice).not.toBe(part.averagePrice);
      const final = await rowOf(id);
      expect(final).toMatchObject({ status: "complete", filledQuantity: quantity, pendingQuantity: 0 });
      if (final!.averagePrice !== null) expect(final!.averagePrice.toFixed(2)).toBe(done.averagePrice);
      const all = await fillsOf(id);
      expect(all.reduce((n, t) => n + t.quantity, 0)).toBe(quantity);
      expect(vwap(all).toFixed(2)).toBe(done.averagePrice);
      expect(await adapter.orderStatus(id, STRATEGY)).toMatchObject({ status: "complete", filledQuantity: quantity });
    });

    it("a session revoked in the engine is BrokerAuthError on reads and placement, and nothing is placed", async () => {
      const { adapter, sim, instanceId } = await open();
      expect(sim.broker.revokeSession(instanceId)).toBe(true);
      await expect(adapter.ping()).rejects.toBeInstanceOf(BrokerAuthError);
      await expect(adapter.orders()).rejects.toBeInstanceOf(BrokerAuthError);
      await expect(adapter.funds()).rejects.toBeInstanceOf(BrokerAuthError);
      await expect(adapter.placeOrder(buy())).rejects.toBeInstanceOf(BrokerAuthError);
      expect(received()).toEqual([]);
      // The refusals were the revoke's: once the broker session is back, the same adapter works.
      expect(sim.broker.login(instanceId)).toBe(true);
      expect(await adapter.orders()).toEqual([]);
    });

    it("a session revoked through the control API is BrokerAuthError on reads and placement, nothing placed", async () => {
      const { adapter, sim, instanceId, adminToken } = await open();
      const res = await fetch(`${sim.httpUrl}/_sim/instances/${encodeURIComponent(instanceId)}/revoke`, {
        method: "POST",
        headers: { Authorization: `Bearer ${adminToken}` },
      });
      expect(res.status).toBe(200);
      await res.text();
      await expect(adapter.orders()).rejects.toBeInstanceOf(BrokerAuthError);
      await expect(adapter.positions()).rejects.toBeInstanceOf(BrokerAuthError);
      await expect(adapter.placeOrder(buy())).rejects.toBeInstanceOf(BrokerAuthError);
      expect(received()).toEqual([]);
    });
  });
}
