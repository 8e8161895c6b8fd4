/**
 * Angel One's publisher login, session expiry, renewal and fault mapping, against the simulator's Angel front-end.
 * The simulated clock is fixed: expiry is reached by setting it, never by waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginRequiredError } from "@/lib/brokers/login";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, PlaceOrderRequest } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { futureSymbol } from "@/lib/trading/symbols";
import {
  ANGEL_REDIRECT,
  type AngelWorld,
  angelRequests,
  browserLogin,
  loginAngel,
  startAngelWorld,
} from "@/lib/testing/angel-kit";
import { createAngelAdapter } from "./adapter";
import { angelLogin } from "./login";
import { unpackSideTokens } from "./session-tokens";

let world: AngelWorld;
const adapters: BrokerAdapter[] = [];
const errors: string[] = [];

beforeAll(async () => {
  world = await startAngelWorld("anglogin");
});
afterAll(async () => {
  for (const a of adapters) await a.close();
  await world?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

function adapterWith(session: Awaited<ReturnType<typeof loginAngel>>, now = world.now): BrokerAdapter {
  const a = createAngelAdapter(
    { accountId: "angel-login", hostUrl: world.app.hostUrl, apiKey: world.app.apiKey, session },
    { gate: world.gate, now, limits: { otherPerSecond: 1 } },
  );
  adapters.push(a);
  return a;
}

/** Records the message of the error `p` rejects with (for the secrets check at the end). */
async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x as Error,
  );
  if (!e) throw new Error("expected a failure");
  errors.push(e.message);
  return e;
}

async function future(adapter: BrokerAdapter): Promise<PlaceOrderRequest> {
  const [expiry] = await adapter.expiries("NIFTY", "NFO", "futures");
  const info = await adapter.symbolInfo(futureSymbol("NIFTY", expiry), "NFO");
  return {
    symbol: info!.symbol,
    exchange: "NFO",
    action: "BUY",
    quantity: info!.lotSize,
    priceType: "MARKET",
    product: "NRML",
    strategy: "login-test",
  };
}

describe("angel login", () => {
  it("the redirect carries the state and the session back", async () => {
    const url = await angelLogin.start(world.app, { redirectUrl: ANGEL_REDIRECT, state: "s-42" });
    expect(url.startsWith(`${world.app.hostUrl}/publisher-login?`)).toBe(true);
    const query = await browserLogin(url);
    expect(query.get("state")).toBe("s-42");
    expect(query.get("auth_token")).toBeTruthy();
    expect(angelLogin.readCallback(query)).toEqual({ ok: true, state: "s-42" });
    const session = await angelLogin.exchange(world.app, query, ANGEL_REDIRECT, { now: world.now });
    expect(session.brokerUserId).toBe("anglogin");
    expect(session.expiresAt.getTime()).toBeGreaterThan(world.now());
  });

  it("a wrong API key gets the error page; a callback without a session is read as an error", async () => {
    const url = await angelLogin.start(
      { ...world.app, apiKey: "wrong-key" },
      { redirectUrl: ANGEL_REDIRECT, state: "x" },
    );
    const page = await fetch(url);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("Invalid API Key");
    expect(angelLogin.readCallback(new URLSearchParams("state=x"))).toMatchObject({ ok: false, state: "x" });
  });

  it("exchange refuses a forged token, another app's key and another client's login, typed", async () => {
    const query = await browserLogin(await angelLogin.start(world.app, { redirectUrl: ANGEL_REDIRECT, state: "q" }));
    const forged = new URLSearchParams(query);
    forged.set("auth_token", "eyJforged");
    expect(await failure(angelLogin.exchange(world.app, forged, ANGEL_REDIRECT))).toBeInstanceOf(BrokerAuthError);
    expect(
      await failure(angelLogin.exchange({ ...world.app, apiKey: "other-app-key" }, query, ANGEL_REDIRECT)),
    ).toBeInstanceOf(BrokerAuthError);
    expect(
      await failure(angelLogin.exchange({ ...world.app, clientId: "SOMEONE" }, query, ANGEL_REDIRECT)),
    ).toBeInstanceOf(BrokerAuthError);
  });

  it("after midnight IST nothing is sent: LoginRequiredError, no request, no order; re-login works", async () => {
    const session = await loginAngel(world);
    const adapter = adapterWith(session);
    const order = await future(adapter);
    const started = world.now();
    world.sim.market.clock.set(session.expiresAt.getTime());
    const requests = angelRequests(world);
    const orders = world.sim.broker.receivedOrders("anglogin").length;
    const e = await failure(adapter.orders());
    expect(e).toBeInstanceOf(LoginRequiredError);
    expect((e as LoginRequiredError).reason).toBe("expired");
    expect(await failure(adapter.placeOrder(order))).toBeInstanceOf(LoginRequiredError);
    expect(await failure(adapter.funds())).toBeInstanceOf(LoginRequiredError);
    expect(angelRequests(world)).toBe(requests);
    expect(world.sim.broker.receivedOrders("anglogin").length).toBe(orders);

    // The broker itself no longer honours the old token either (an adapter whose clock lags).
    expect(await failure(adapterWith(session, () => started).funds())).toBeInstanceOf(BrokerAuthError);

    const fresh = await loginAngel(world, "morning");
    expect(fresh.expiresAt.getTime()).toBeGreaterThan(session.expiresAt.getTime());
    expect(await adapterWith(fresh).ping()).toEqual({ broker: "angel", mode: "live" });
  });

  it("refresh renews the session with generateTokens; a bad refresh token is refused typed", async () => {
    const session = await loginAngel(world, "r");
    const renewed = await angelLogin.refresh!(world.app, session.refreshToken!, { now: world.now });
    expect(renewed.accessToken).not.toBe(session.accessToken);
    // The feed token comes with the login and is renewed with the session (streams need it).
    const feedOf = (t: typeof session) => unpackSideTokens(t.refreshToken).feedToken;
    expect(feedOf(session)).toMatch(/^eyJ/);
    expect(feedOf(renewed)).toMatch(/^eyJ/);
    expect(feedOf(renewed)).not.toBe(feedOf(session));
    expect(await adapterWith(renewed).ping()).toMatchObject({ broker: "angel" });
    expect(await failure(angelLogin.refresh!(world.app, "eyJnot-a-refresh-token", { now: world.now }))).toBeInstanceOf(
      BrokerAuthError,
    );
  });
});

describe("angel faults", () => {
  it("a lost placement answer is unknown and the order is in the book once; 429 and 5xx are typed", async () => {
    const adapter = adapterWith(await loginAngel(world, "f"));
    const order = await future(adapter);
    const before = (await adapter.orders()).length;
    world.sim.broker.setFaults("anglogin", { lostResponseRate: 1, lostResponseMode: "reset" });
    const placed = await adapter.placeOrder(order);
    world.sim.broker.setFaults("anglogin", { lostResponseRate: 0 });
    expect(placed.kind).toBe("unknown");
    const after = await adapter.orders();
    expect(after.length).toBe(before + 1);
    expect(after.filter((o) => o.strategy === "login-test" && o.symbol === order.symbol).length).toBeGreaterThanOrEqual(
      1,
    );

    world.sim.broker.setFaults("anglogin", { burst429Remaining: 1 });
    expect(await failure(adapter.funds())).toBeInstanceOf(RateLimitedError);
    world.sim.broker.setFaults("anglogin", { http500Rate: 1 });
    expect(await failure(adapter.funds())).toBeInstanceOf(BrokerUnavailableError);
    const five = await adapter.placeOrder(order);
    world.sim.broker.setFaults("anglogin", { http500Rate: 0 });
    expect(five.kind).toBe("unknown");
  });

  it("a revoked session (control API) is refused as an auth error, and a new login works", async () => {
    const adapter = adapterWith(await loginAngel(world, "rv"));
    expect(await adapter.ping()).toMatchObject({ broker: "angel" });
    const res = await fetch(`${world.sim.httpUrl}/_sim/instances/anglogin/revoke`, {
      method: "POST",
      headers: { authorization: "Bearer angel-admin" },
    });
    expect(res.status).toBe(200);
    expect(await failure(adapter.funds())).toBeInstanceOf(BrokerAuthError);
    expect(await adapterWith(await loginAngel(world, "rv2")).ping()).toMatchObject({ broker: "angel" });
  });

  it("no error text carries a token, the API key or the app secret", async () => {
    const session = await loginAngel(world, "secrets");
    const bad = adapterWith({ ...session, accessToken: "eyJwrong-token-value" });
    expect(await failure(bad.funds())).toBeInstanceOf(BrokerAuthError);
    expect(await failure(bad.placeOrder(await future(adapterWith(session))))).toBeInstanceOf(BrokerAuthError);
    expect(errors.length).toBeGreaterThan(8);
    for (const message of errors)
      for (const secret of [
        session.accessToken,
        session.refreshToken!,
        "eyJwrong-token-value",
        "eyJforged",
        world.app.apiKey,
        world.app.apiSecret,
      ])
        expect(message).not.toContain(secret);
  });
});
