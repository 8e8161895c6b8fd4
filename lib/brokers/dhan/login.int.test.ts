/**
 * Dhan's API-key login against the simulated Dhan: the state comes back through the registered redirect URL, refused
 * app credentials are typed errors without the secret in them, and once the simulated clock passes the token's 24 hours
 * the adapter refuses to call (nothing reaches the broker) until the trader logs in again.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { LoginRequiredError } from "@/lib/brokers/login";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { BrokerAuthError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { dhanApiRequestsReceived } from "@/lib/simulator/native/dhan/front-end";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";
import { dhanLogin } from "./login";

let d: DhanSim;
beforeEach(async () => {
  d = await startDhanSim("dlogin");
});
afterEach(async () => {
  await d.sim.close();
});
afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

const adapterFor = (session: Awaited<ReturnType<DhanSim["login"]>>["session"]) =>
  createDhanAdapter(
    { accountId: "dhan-login", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: "dlogin", session },
    { gate: d.gate, now: d.now },
  );

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("dhan login", () => {
  it("redirects back with Dhan's tokenId and the state of the registered redirect URL", async () => {
    const { session, callback } = await d.login();
    const read = await dhanLogin.readCallback(callback);
    expect(read.ok).toBe(true);
    expect(read.state).toMatch(/^[0-9a-f-]{36}$/);
    expect(callback.get("tokenId")).toMatch(/^[0-9a-f]{32}$/);
    expect(session.brokerUserId).toBe("dlogin");
    // Dhan's tokens live 24 hours from the login.
    expect(session.expiresAt.getTime() - d.now()).toBeGreaterThan(24 * 3_600_000 - 1_000);
    expect(session.expiresAt.getTime() - d.now()).toBeLessThanOrEqual(24 * 3_600_000);
    expect(dhanLogin.readCallback(new URLSearchParams({ state: "x" }))).toMatchObject({ ok: false });
  });

  it("a wrong API key is refused at the consent step, typed, without the secret in the text", async () => {
    const e = await rejection(dhanLogin.start({ ...d.app, apiKey: "not-the-key" }, { redirectUrl: "x", state: "s" }));
    expect(e).toBeInstanceOf(BrokerAuthError);
    expect(e.message).not.toContain(d.app.apiSecret);
  });

  it("the exchange with a wrong secret fails with a typed error and leaves no secret in it", async () => {
    const wrong = { ...d.app, apiSecret: "sim-secret-WRONG-0001" };
    // The consent step is made with the right secret; only the exchange presents the wrong one.
    const loginUrl = await dhanLogin.start(d.app, { redirectUrl: "x", state: "s" }, { now: d.now });
    const html = await (await fetch(loginUrl)).text();
    const consentAppId = /name="consentAppId" value="([^"]+)"/.exec(html)![1];
    const res = await fetch(new URL("consentApp-login", loginUrl), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ consentAppId }).toString(),
      redirect: "manual",
    });
    const callback = new URL(res.headers.get("location")!).searchParams;
    const e = await rejection(dhanLogin.exchange(wrong, callback, "x", { now: d.now }));
    expect(e).toBeInstanceOf(BrokerAuthError);
    expect(e.message).not.toContain("WRONG");
    expect(e.message).not.toContain(d.app.apiSecret);
  });

  it("an unknown consent id gets Dhan's error page, not a login form", async () => {
    const res = await fetch(`${d.sim.httpUrl}/dhan/auth/login/consentApp-login?consentAppId=nope`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Login failed");
    expect(html).not.toContain("<form");
  });

  it("after the 24 hours the adapter sends nothing and throws LoginRequiredError; a new login works", async () => {
    const { session } = await d.login();
    const adapter = adapterFor(session);
    expect((await adapter.ping()).broker).toBe("dhan");
    d.sim.market.clock.advance(24 * 3_600_000);
    const before = dhanApiRequestsReceived();
    const ordersBefore = d.sim.broker.receivedOrders("dlogin").length;
    await expect(adapter.funds()).rejects.toBeInstanceOf(LoginRequiredError);
    const e = await rejection(
      adapter.placeOrder({
        symbol: "SBIN",
        exchange: "NSE",
        action: "BUY",
        quantity: 1,
        priceType: "MARKET",
        product: "MIS",
        strategy: "login",
      }),
    );
    expect(e).toBeInstanceOf(LoginRequiredError);
    expect(e.message).not.toContain(session.accessToken);
    expect(dhanApiRequestsReceived()).toBe(before);
    expect(d.sim.broker.receivedOrders("dlogin")).toHaveLength(ordersBefore);
    await adapter.close();

    // The token itself is dead at Dhan too: sent anyway (a clock we do not trust), it is refused as DH-901.
    const stale = adapterFor({ ...session, expiresAt: new Date(d.now() + 60_000) });
    const refused = await rejection(stale.ping());
    expect(refused).toBeInstanceOf(BrokerAuthError);
    expect(refused).not.toBeInstanceOf(LoginRequiredError);
    expect(refused.message).not.toContain(session.accessToken);
    await stale.close();

    const again = adapterFor((await d.login()).session);
    expect((await again.funds()).cash.gt(0)).toBe(true);
    await again.close();
  });
});
