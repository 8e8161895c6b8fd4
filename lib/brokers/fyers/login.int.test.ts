/**
 * The Fyers login against the simulator's login pages and token endpoints: state round trip, a wrong app secret, the
 * session's nightly death on the simulated clock (nothing is sent after it), re-login, and renewal with the PIN.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFyersAdapter } from "@/lib/brokers/fyers/adapter";
import { fyersLogin } from "@/lib/brokers/fyers/login";
import { LoginRequiredError } from "@/lib/brokers/login";
import { type CallGate, closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { BrokerAuthError, ValidationError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { istDateOf, istInstant, addDays } from "@/lib/trading/calendar";
import {
  browserLogin,
  FYERS_APP_ID,
  FYERS_REDIRECT,
  FYERS_SECRET,
  fyersApp,
  loginViaSim,
  simGate,
  startFyersSim,
} from "@/lib/testing/fyers-kit";

afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

/** Counts budget takes: the adapter takes one before every request it sends. */
class CountingGate implements CallGate {
  taken = 0;
  constructor(private readonly inner: CallGate) {}
  take(...args: Parameters<CallGate["take"]>) {
    this.taken++;
    return this.inner.take(...args);
  }
}

let sim: RunningSimulator;
const adapters: BrokerAdapter[] = [];
beforeEach(async () => {
  sim = await startFyersSim();
});
afterEach(async () => {
  for (const a of adapters.splice(0)) await a.close();
  await sim.close();
});

function adapterFor(session: Awaited<ReturnType<typeof loginViaSim>>["session"], gate: CallGate = simGate()) {
  const a = createFyersAdapter(
    { accountId: "fyers-login", hostUrl: `${sim.httpUrl}/fyers`, apiKey: FYERS_APP_ID, session },
    { gate, now: () => sim.market.clock.now() },
  );
  adapters.push(a);
  return a;
}

describe("fyers login", () => {
  it("sends the trader to Fyers' login page and brings the state back with the auth code", async () => {
    const url = new URL(await fyersLogin.start(fyersApp(sim), { redirectUrl: FYERS_REDIRECT, state: "s&t=1" }));
    expect(url.pathname).toBe("/fyers/api/v3/generate-authcode");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: FYERS_APP_ID,
      redirect_uri: FYERS_REDIRECT,
      response_type: "code",
      state: "s&t=1",
    });
    const callback = await browserLogin(url.toString());
    expect(callback.origin + callback.pathname).toBe(FYERS_REDIRECT);
    expect(fyersLogin.readCallback(callback.searchParams)).toEqual({ ok: true, state: "s&t=1" });
    expect(callback.searchParams.get("auth_code")).toMatch(/\w{16,}/);
  });

  it("issues a token that works until the next midnight IST", async () => {
    const { session } = await loginViaSim(sim);
    const today = istDateOf(sim.market.clock.now());
    expect(session.expiresAt.getTime()).toBe(istInstant(addDays(today, 1), "00:00"));
    expect(session.refreshToken).toBeTruthy();
    expect(await adapterFor(session).ping()).toEqual({ broker: "fyers", mode: "live" });
  });

  it("refuses an exchange with a wrong app secret with a typed error that names no secret", async () => {
    const app = fyersApp(sim, { apiSecret: "not-the-secret-123" });
    const url = await fyersLogin.start(app, { redirectUrl: FYERS_REDIRECT, state: "x" });
    const callback = await browserLogin(url);
    const error = await fyersLogin.exchange(app, callback.searchParams, FYERS_REDIRECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerAuthError);
    const text = String((error as Error).message);
    expect(text).not.toContain("not-the-secret-123");
    expect(text).not.toContain(FYERS_SECRET);
    expect(text).not.toContain(callback.searchParams.get("auth_code")!);
    // The code was not spent by the refused exchange: the right secret still redeems it.
    const ok = await fyersLogin.exchange(fyersApp(sim), callback.searchParams, FYERS_REDIRECT);
    expect(ok.accessToken).toBeTruthy();
  });

  it("a wrong app id gets Fyers' error page, not a login form", async () => {
    const url = await fyersLogin.start(fyersApp(sim, { apiKey: "NOSUCHAPP1-100" }), {
      redirectUrl: FYERS_REDIRECT,
      state: "x",
    });
    const page = await fetch(url);
    expect(page.status).toBe(400);
    expect(await page.text()).not.toContain("<form");
  });

  it("after the nightly expiry nothing is sent, the error is LoginRequiredError, and a new login works", async () => {
    const { session } = await loginViaSim(sim);
    const gate = new CountingGate(simGate());
    const adapter = adapterFor(session, gate);
    const future = (await adapter.expiries("NIFTY", "NFO", "futures"))[0];
    const symbol = (await adapter.searchSymbols("NIFTY", "NFO")).find(
      (s) => s.instrumentType === "FUT" && s.expiry === future,
    )!;
    await adapter.funds();
    const takenBefore = gate.taken;
    sim.market.clock.set(session.expiresAt.getTime() + 1_000);
    for (const call of [
      () => adapter.funds(),
      () => adapter.orders(),
      () => adapter.quote("NIFTY", "NSE_INDEX"),
      () =>
        adapter.placeOrder({
          symbol: symbol.symbol,
          exchange: "NFO",
          action: "BUY",
          quantity: symbol.lotSize,
          priceType: "MARKET",
          product: "NRML",
          strategy: "late",
        }),
    ]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LoginRequiredError);
      expect((e as Error).message).not.toContain(session.accessToken);
    }
    expect(gate.taken).toBe(takenBefore);
    expect(sim.broker.receivedOrders("fy1")).toHaveLength(0);
    // The simulator no longer honours the old token either.
    const stale = adapterFor({ ...session, expiresAt: new Date(session.expiresAt.getTime() + 86_400_000) });
    await expect(stale.ping()).rejects.toBeInstanceOf(BrokerAuthError);
    const again = await loginViaSim(sim, fyersApp(sim), "state-2");
    expect(again.session.expiresAt.getTime()).toBeGreaterThan(sim.market.clock.now());
    expect(await adapterFor(again.session).ping()).toEqual({ broker: "fyers", mode: "live" });
  });

  it("renews the session with the refresh token and PIN until the refresh token's 15 days are over", async () => {
    const { session } = await loginViaSim(sim);
    const app = fyersApp(sim, { pin: "1234" });
    await expect(fyersLogin.refresh!(fyersApp(sim), session.refreshToken!)).rejects.toBeInstanceOf(ValidationError);
    sim.market.clock.set(session.expiresAt.getTime() + 9 * 3_600_000);
    const renewed = await fyersLogin.refresh!(app, session.refreshToken!, { now: () => sim.market.clock.now() });
    expect(renewed.accessToken).not.toBe(session.accessToken);
    expect(renewed.refreshToken).toBe(session.refreshToken);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(sim.market.clock.now());
    expect(await adapterFor(renewed).ping()).toEqual({ broker: "fyers", mode: "live" });
    sim.market.clock.set(session.expiresAt.getTime() + 15 * 86_400_000);
    const error = await fyersLogin.refresh!(app, session.refreshToken!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerAuthError);
    expect((error as Error).message).not.toContain(session.refreshToken!);
    expect((error as Error).message).not.toContain("1234");
  });
});
