/**
 * The Upstox login against the simulator (the connector's start URL, the login page's form, the redirect, the token
 * exchange), the daily expiry on the simulated clock, a lost placement answer, and secrets kept out of error texts.
 */
import { randomUUID } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginRequiredError } from "@/lib/brokers/login";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { BrokerAuthError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { loginViaSimulator, submitLoginPage } from "@/lib/testing/upstox-sim-login";
import { createUpstoxAdapter } from "./adapter";
import { upstoxLogin } from "./login";

const REDIRECT = "https://mirrordesk.test/accounts/upstox/callback";
const SECRET = "sim-secret-upl";

/** A pass-through HTTP proxy in front of the simulator that counts every request it forwards. */
async function countingProxy(target: string): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  const to = new URL(target);
  let n = 0;
  const server: Server = createServer((req, res) => {
    n++;
    const up = request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let sim: RunningSimulator;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
let app: { hostUrl: string; apiKey: string; apiSecret: string };
const now = () => sim.market.clock.now();
const gate = new RateGovernor({ keyPrefix: `md:test-upstox-login:${randomUUID()}` });
const future = () => {
  const row = sim.market.instruments().find((i) => i.instrumenttype === "FUT" && i.underlying === "NIFTY")!;
  return { symbol: row.symbol, lot: row.lotsize };
};

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "upstox-login",
    seed: 5,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "upl", apiKey: "upl-key-0001", capital: "1000000", redirectUrl: REDIRECT }],
  });
  proxy = await countingProxy(sim.httpUrl);
  app = { hostUrl: `${proxy.url}/upstox`, apiKey: "upl-key-0001", apiSecret: SECRET };
});
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("upstox login against the simulator", () => {
  it("the redirect carries the code and our state back", async () => {
    const callback = await submitLoginPage(app, REDIRECT, "csrf-state-42");
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(upstoxLogin.readCallback(callback.searchParams)).toEqual({ ok: true, state: "csrf-state-42" });
    expect(callback.searchParams.get("code")).toMatch(/^[0-9a-f]{32}$/);
    expect(upstoxLogin.readCallback(new URLSearchParams({ state: "s" }))).toMatchObject({ ok: false, state: "s" });
  });

  it("a wrong app secret is refused with a typed error that does not contain the secret or the code", async () => {
    const callback = await submitLoginPage(app, REDIRECT, "s1");
    const wrong = { ...app, apiSecret: "wrong-secret-0001" };
    const error = await upstoxLogin.exchange(wrong, callback.searchParams, REDIRECT, { now }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(BrokerAuthError);
    const text = (error as Error).message;
    expect(text).toMatch(/UDAPI100016/);
    for (const secret of ["wrong-secret-0001", SECRET, callback.searchParams.get("code")!])
      expect(text).not.toContain(secret);
    // The code was spent by the failed attempt, as Upstox spends it.
    await expect(upstoxLogin.exchange(app, callback.searchParams, REDIRECT, { now })).rejects.toBeInstanceOf(
      BrokerAuthError,
    );
  });

  it("a wrong API key gets Upstox's error page, not a login form", async () => {
    const url = await upstoxLogin.start({ ...app, apiKey: "not-an-app-key" }, { redirectUrl: REDIRECT, state: "s" });
    const page = await fetch(url);
    expect(page.status).toBe(401);
    expect(await page.json()).toMatchObject({ status: "error", errors: [{ error_code: "UDAPI100016" }] });
  });

  it("after 03:30 IST the adapter refuses to call Upstox (nothing is sent); a new login works again", async () => {
    const session = await loginViaSimulator(app, now, REDIRECT);
    expect(session.expiresAt.getTime()).toBeGreaterThan(now());
    expect(new Date(session.expiresAt.getTime() + 5.5 * 3_600_000).toISOString().slice(11, 16)).toBe("03:30");
    const adapter = createUpstoxAdapter({ accountId: "upl", ...app, session }, { gate, now });
    expect(await adapter.ping()).toEqual({ broker: "upstox", mode: "live" });
    const { symbol, lot } = future();
    const order = {
      symbol,
      exchange: "NFO" as const,
      action: "BUY" as const,
      quantity: lot,
      priceType: "MARKET" as const,
      product: "NRML" as const,
      strategy: "expiry-test",
    };

    sim.market.clock.set(session.expiresAt.getTime());
    const before = { requests: proxy.count(), orders: sim.broker.receivedOrders("upl").length };
    const errors = await Promise.all([
      adapter.ping().catch((e: unknown) => e),
      adapter.orders().catch((e: unknown) => e),
      adapter.quote(symbol, "NFO").catch((e: unknown) => e),
      adapter.placeOrder(order).catch((e: unknown) => e),
    ]);
    for (const e of errors) expect(e).toBeInstanceOf(LoginRequiredError);
    expect((errors[0] as LoginRequiredError).reason).toBe("expired");
    expect(proxy.count()).toBe(before.requests);
    expect(sim.broker.receivedOrders("upl").length).toBe(before.orders);
    // The simulator agrees: the old token is dead there too.
    const stale = createUpstoxAdapter(
      { accountId: "upl", ...app, session: { ...session, expiresAt: new Date(now() + 3_600_000) } },
      { gate, now },
    );
    await expect(stale.ping()).rejects.toBeInstanceOf(BrokerAuthError);

    const again = await loginViaSimulator(app, now, REDIRECT);
    expect(again.expiresAt.getTime() - session.expiresAt.getTime()).toBe(86_400_000);
    const fresh = createUpstoxAdapter({ accountId: "upl", ...app, session: again }, { gate, now });
    expect((await fresh.placeOrder(order)).kind).toBe("accepted");
    await Promise.all([adapter.close(), stale.close(), fresh.close()]);
  });

  it("a lost placement answer is unknown, and the order is in the book once", async () => {
    const session = await loginViaSimulator(app, now, REDIRECT);
    const adapter = createUpstoxAdapter({ accountId: "upl", ...app, session }, { gate, now });
    const { symbol, lot } = future();
    const before = (await adapter.orders()).length;
    sim.broker.setFaults("upl", { lostResponseRate: 1, lostResponseMode: "reset" });
    try {
      const r = await adapter.placeOrder({
        symbol,
        exchange: "NFO",
        action: "SELL",
        quantity: lot,
        priceType: "MARKET",
        product: "NRML",
        strategy: "lost-answer",
      });
      expect(r.kind).toBe("unknown");
    } finally {
      sim.broker.setFaults("upl", { lostResponseRate: 0 });
    }
    const after = await adapter.orders();
    expect(after.length).toBe(before + 1);
    expect(after.filter((o) => o.action === "SELL" && o.symbol === symbol)).toHaveLength(1);
    await adapter.close();
  });

  it("a refused token is a typed auth error whose text carries no token", async () => {
    const session = await loginViaSimulator(app, now, REDIRECT);
    const token = "stolen-or-stale-token-value";
    const bad = createUpstoxAdapter(
      { accountId: "upl", ...app, session: { ...session, accessToken: token } },
      {
        gate,
        now,
      },
    );
    const errors = await Promise.all([bad.ping(), bad.funds(), bad.orders()].map((p) => p.catch((e: Error) => e)));
    for (const e of errors) {
      expect(e).toBeInstanceOf(BrokerAuthError);
      for (const secret of [token, session.accessToken, SECRET]) expect((e as Error).message).not.toContain(secret);
    }
    await bad.close();
  });
});
