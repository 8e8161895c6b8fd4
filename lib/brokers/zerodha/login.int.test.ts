/**
 * Zerodha login, session expiry and failure mapping against the simulator's Kite front-end: the state round trip, a
 * wrong secret, the 06:00 IST expiry on the simulated clock (nothing is sent after it), re-login, a lost placement
 * answer, 429s and 5xx — and no secret in any error text.
 */
import Decimal from "decimal.js";
import { KiteConnect } from "kiteconnect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginRequiredError } from "@/lib/brokers/login";
import { closeRateGovernor, type CallGate } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, PlaceOrderRequest } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { createZerodhaAdapter } from "./adapter";
import { kiteSessionExpiry, zerodhaLogin } from "./login";
import { REDIRECT_URL, startKiteWorld, type KiteWorld } from "@/lib/testing/zerodha-sim-kit";
import { submitLoginPage } from "@/lib/testing/broker-login-kit";
import { futureSymbol } from "@/lib/trading/symbols";
import { waitFor } from "@/lib/testing/wait";

const ID = "klog";
let world: KiteWorld;
const messages: string[] = [];

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => new Error("expected a failure"),
    (err: Error) => err,
  );
  messages.push(e.message);
  return e;
}

beforeAll(async () => {
  world = await startKiteWorld(ID, 3);
});
afterAll(async () => {
  await world?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

async function nearestFuture(adapter: BrokerAdapter): Promise<PlaceOrderRequest> {
  const [expiry] = await adapter.expiries("NIFTY", "NFO", "futures");
  return {
    symbol: futureSymbol("NIFTY", expiry),
    exchange: "NFO",
    action: "BUY",
    quantity: 65,
    priceType: "MARKET",
    product: "NRML",
    strategy: "login-test",
  };
}

describe("zerodha login and session", () => {
  it("the login page shows the trader; the redirect carries our state back", async () => {
    const url = await zerodhaLogin.start(world.app, { redirectUrl: REDIRECT_URL, state: "csrf-42" });
    expect(url).toContain(`${world.app.hostUrl}/connect/login?`);
    expect(url).not.toContain(world.app.apiSecret);
    const { page, location } = await submitLoginPage(url);
    expect(page).toContain(ID);
    expect(location.toString().startsWith(REDIRECT_URL)).toBe(true);
    expect(zerodhaLogin.readCallback(location.searchParams)).toEqual({ ok: true, state: "csrf-42" });
    expect(zerodhaLogin.readCallback(new URLSearchParams("state=x&status=cancelled"))).toMatchObject({
      ok: false,
      state: "x",
    });
    const session = await zerodhaLogin.exchange(world.app, location.searchParams, REDIRECT_URL, { now: world.now });
    expect(session.brokerUserId).toBe(ID);
    expect(session.expiresAt.getTime()).toBe(kiteSessionExpiry(world.now()).getTime());
    expect(session.refreshToken).toBeUndefined();
    // A request token works once.
    const again = await failure(
      zerodhaLogin.exchange(world.app, location.searchParams, REDIRECT_URL, { now: world.now }),
    );
    expect(again).toBeInstanceOf(BrokerAuthError);
  });

  it("a wrong API secret is a typed auth error that does not show the secret", async () => {
    const url = await zerodhaLogin.start(world.app, { redirectUrl: REDIRECT_URL, state: "s" });
    const { location } = await submitLoginPage(url);
    const wrong = { ...world.app, apiSecret: "wrong-secret-value-123" };
    const e = await failure(zerodhaLogin.exchange(wrong, location.searchParams, REDIRECT_URL, { now: world.now }));
    expect(e).toBeInstanceOf(BrokerAuthError);
    expect(e.message).not.toContain("wrong-secret-value-123");
  });

  it("kiteSessionExpiry is the next 06:00 IST", () => {
    expect(kiteSessionExpiry(Date.parse("2026-12-08T03:45:00Z")).toISOString()).toBe("2026-12-09T00:30:00.000Z");
    expect(kiteSessionExpiry(Date.parse("2026-12-08T00:10:00Z")).toISOString()).toBe("2026-12-08T00:30:00.000Z");
  });

  it("after 06:00 IST nothing is sent: LoginRequiredError; a new login works again", async () => {
    const session = await world.login();
    let takes = 0;
    const counting: CallGate = {
      take: (...args) => {
        takes++;
        return world.gate.take(...args);
      },
    };
    const adapter = createZerodhaAdapter(
      { accountId: world.accountId, hostUrl: world.app.hostUrl, apiKey: world.app.apiKey, session },
      { gate: counting, now: world.now },
    );
    const order = await nearestFuture(adapter);
    expect((await adapter.funds()).cash.gt(0)).toBe(true);
    const before = { takes, received: world.sim.broker.receivedOrders(ID).length };
    world.sim.market.clock.set(session.expiresAt.getTime() + 1000);
    for (const call of [adapter.funds(), adapter.orders(), adapter.placeOrder(order)]) {
      const e = await failure(call);
      expect(e).toBeInstanceOf(LoginRequiredError);
      expect(e).toBeInstanceOf(BrokerAuthError);
    }
    expect(takes).toBe(before.takes);
    expect(world.sim.broker.receivedOrders(ID).length).toBe(before.received);
    // The simulator ended the token too: the SDK with the old token gets Kite's TokenException.
    const kc = new KiteConnect({
      api_key: world.app.apiKey,
      root: world.app.hostUrl,
      access_token: session.accessToken,
    });
    await expect(kc.getProfile()).rejects.toMatchObject({ error_type: "TokenException" });
    const fresh = world.adapter(await world.login());
    expect((await fresh.funds()).cash.gt(0)).toBe(true);
    await adapter.close();
    await fresh.close();
  });
});

describe("zerodha failures map to the contract", () => {
  let adapter: BrokerAdapter;
  let order: PlaceOrderRequest;
  beforeAll(async () => {
    adapter = world.adapter(await world.login());
    order = await nearestFuture(adapter);
  });
  afterAll(async () => {
    await adapter?.close();
    world.sim.broker.setFaults(ID, { lostResponseRate: 0, burst429Remaining: 0, http500Rate: 0 });
  });

  it("a lost placement answer is unknown, and the order is in the book once", async () => {
    const before = (await adapter.orders()).length;
    world.sim.broker.setFaults(ID, { lostResponseRate: 1 });
    const r = await adapter.placeOrder(order);
    world.sim.broker.setFaults(ID, { lostResponseRate: 0 });
    expect(r.kind).toBe("unknown");
    const after = await adapter.orders();
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ symbol: order.symbol, status: "complete", strategy: "login-test" });
  });

  it("a late RMS rejection shows as rejected with Kite's status message", async () => {
    world.sim.broker.setFaults(ID, { lateRejectRate: 1, lateRejectMs: 0, holdTransitions: true });
    const r = await adapter.placeOrder(order);
    expect(r.kind).toBe("accepted");
    const id = r.kind === "accepted" ? r.orderId : "";
    expect((await adapter.orderStatus(id, order.strategy))?.status).toBe("open");
    world.sim.broker.setFaults(ID, { lateRejectRate: 0, holdTransitions: false });
    const o = await waitFor(
      "late rejection",
      () => adapter.orderStatus(id, order.strategy),
      (x) => x?.status !== "open",
    );
    expect(o).toMatchObject({ status: "rejected", brokerStatus: "REJECTED", filledQuantity: 0, pendingQuantity: 0 });
    expect(o!.rejectionReason).toMatch(/RMS/);
  });

  it("429 → RateLimitedError, for reads and placements (nothing placed)", async () => {
    const received = world.sim.broker.receivedOrders(ID).length;
    world.sim.broker.setFaults(ID, { burst429Remaining: 2 });
    expect(await failure(adapter.funds())).toBeInstanceOf(RateLimitedError);
    expect(await failure(adapter.placeOrder(order))).toBeInstanceOf(RateLimitedError);
    expect(world.sim.broker.receivedOrders(ID).length).toBe(received);
  });

  it("5xx → unavailable for reads, unknown for placements", async () => {
    world.sim.broker.setFaults(ID, { http500Rate: 1 });
    const e = await failure(adapter.funds());
    expect(e).toBeInstanceOf(BrokerUnavailableError);
    expect((e as BrokerUnavailableError).reason).toBe("server_error");
    expect((await adapter.placeOrder(order)).kind).toBe("unknown");
    world.sim.broker.setFaults(ID, { http500Rate: 0 });
  });

  it("a revoked session is a BrokerAuthError until the trader logs in again", async () => {
    expect(world.sim.broker.instance(ID)!.faults.burst429Remaining).toBe(0);
    world.sim.broker.revokeSession(ID);
    expect(await failure(adapter.funds())).toBeInstanceOf(BrokerAuthError);
    const again = world.adapter(await world.login());
    expect((await again.funds()).cash.gt(0)).toBe(true);
    await again.close();
  });

  it("a refused token is a BrokerAuthError; no error text carries a secret", async () => {
    const bad = world.adapter({ accessToken: "bogus-access-token-777", expiresAt: new Date(world.now() + 3_600_000) });
    expect(await failure(bad.funds())).toBeInstanceOf(BrokerAuthError);
    expect(await failure(bad.placeOrder({ ...order, price: new Decimal(1) }))).toBeInstanceOf(BrokerAuthError);
    await bad.close();
    expect(messages.length).toBeGreaterThan(8);
    for (const m of messages) {
      expect(m).not.toContain("bogus-access-token-777");
      expect(m).not.toContain(world.app.apiSecret);
      expect(m).not.toContain(world.app.apiKey);
    }
  });
});
