/**
 * The Kite front-end's own answers over HTTP: login errors, the checksum, auth, Kite's input errors, its rate limits
 * (on a frozen rate-limit clock) and the instance's pre-route faults; and the connector's probe against it.
 */
import { lookup } from "node:dns";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zerodhaProbe } from "@/lib/brokers/zerodha/probe";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { submitLoginPage } from "@/lib/testing/broker-login-kit";

const KEY = "kfe-api-key-01";
let sim: RunningSimulator;
let kite: string;
let auth: string;

const form = (fields: Record<string, string>) => ({
  headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Kite-Version": "3" },
  body: new URLSearchParams(fields).toString(),
});

async function requestToken(): Promise<string> {
  const { location } = await submitLoginPage(`${kite}/connect/login?v=3&api_key=${KEY}`);
  return location.searchParams.get("request_token")!;
}
const checksum = (token: string, secret: string) =>
  createHash("sha256")
    .update(KEY + token + secret)
    .digest("hex");

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "kfe-admin",
    seed: 4,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    // A frozen rate-limit clock: every request falls in the same window, so the limits are counted exactly.
    rateLimitNow: () => 0,
    instances: [{ id: "kfe", apiKey: KEY, capital: "500000", redirectUrl: "http://127.0.0.1:3118/cb" }],
  });
  kite = `${sim.httpUrl}/kite`;
});
afterAll(() => sim?.close());

describe("simulator Kite front-end", () => {
  it("an unknown API key gets Kite's error page, not a login form", async () => {
    const res = await fetch(`${kite}/connect/login?v=3&api_key=nope`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Invalid `api_key`");
    expect(html).not.toContain("<form");
  });

  it("a wrong checksum is a TokenException and leaves the request token usable; the right one issues a token", async () => {
    const token = await requestToken();
    const bad = await fetch(`${kite}/session/token`, {
      method: "POST",
      ...form({ api_key: KEY, request_token: token, checksum: checksum(token, "wrong") }),
    });
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ status: "error", error_type: "TokenException" });
    const good = await fetch(`${kite}/session/token`, {
      method: "POST",
      ...form({ api_key: KEY, request_token: token, checksum: checksum(token, "sim-secret-kfe") }),
    });
    const body = (await good.json()) as { data: { access_token: string; user_id: string } };
    expect(body.data.user_id).toBe("kfe");
    auth = `token ${KEY}:${body.data.access_token}`;
  });

  it("no or a foreign Authorization header is a 403 TokenException", async () => {
    const none = await fetch(`${kite}/user/margins`);
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ error_type: "TokenException" });
    const wrongKey = await fetch(`${kite}/user/margins`, {
      headers: { Authorization: auth.replace(KEY, "other-key") },
    });
    expect(wrongKey.status).toBe(403);
  });

  it("unknown instruments and varieties are InputExceptions; nothing reaches the engine", async () => {
    const unknownSymbol = await fetch(`${kite}/orders/regular`, {
      method: "POST",
      ...form({
        exchange: "NFO",
        tradingsymbol: "NIFTY99JANFUT",
        transaction_type: "BUY",
        quantity: "65",
        product: "NRML",
        order_type: "MARKET",
      }),
      headers: { ...form({}).headers, Authorization: auth },
    });
    expect(unknownSymbol.status).toBe(400);
    expect(await unknownSymbol.json()).toMatchObject({ error_type: "InputException" });
    const variety = await fetch(`${kite}/orders/bo`, { method: "POST", headers: { Authorization: auth } });
    expect(await variety.json()).toMatchObject({ error_type: "InputException" });
    expect(sim.broker.receivedOrders("kfe")).toHaveLength(0);
  });

  it("quotes are limited to one request a second per path; a 429 is Kite's NetworkException", async () => {
    const q = (path: string) =>
      fetch(`${kite}${path}?i=${encodeURIComponent("NSE:NIFTY 50")}`, { headers: { Authorization: auth } });
    expect((await q("/quote")).status).toBe(200);
    const limited = await q("/quote");
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({
      status: "error",
      message: "Too many requests",
      data: null,
      error_type: "NetworkException",
    });
    expect((await q("/quote/ltp")).status).toBe(200);
  });

  it("the instance's pre-route faults answer before the token check: 429 burst, then 500", async () => {
    sim.broker.setFaults("kfe", { burst429Remaining: 1 });
    expect((await fetch(`${kite}/orders`, { headers: { Authorization: auth } })).status).toBe(429);
    sim.broker.setFaults("kfe", { http500Rate: 1 });
    const failed = await fetch(`${kite}/orders`, { headers: { Authorization: auth } });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error_type: "GeneralException" });
    sim.broker.setFaults("kfe", { http500Rate: 0 });
  });

  it("the connector's probe recognises Kite's API root, and not OpenAlgo's", async () => {
    expect(await zerodhaProbe.api(kite, KEY, lookup)).toEqual({ ok: true, broker: "zerodha", mode: "live" });
    expect(await zerodhaProbe.api(sim.httpUrl, KEY, lookup)).toMatchObject({ ok: false, reason: "not_openalgo" });
  });

  it("the 'other' bucket allows ten requests a second per instance", async () => {
    // A fresh instance, so its window holds only this test's requests (the rate-limit clock is frozen).
    const key = "kfe2-api-key-01";
    sim.broker.createInstance({ id: "kfe2", apiKey: key, capital: "1000", redirectUrl: "http://127.0.0.1:3118/cb" });
    const { location } = await submitLoginPage(`${kite}/connect/login?v=3&api_key=${key}`);
    const token = location.searchParams.get("request_token")!;
    const sum = createHash("sha256")
      .update(key + token + "sim-secret-kfe2")
      .digest("hex");
    const session = await fetch(`${kite}/session/token`, {
      method: "POST",
      ...form({ api_key: key, request_token: token, checksum: sum }),
    });
    const access = ((await session.json()) as { data: { access_token: string } }).data.access_token;
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await fetch(`${kite}/trades`, { headers: { Authorization: `token ${key}:${access}` } })).status);
    expect(codes).toEqual([...Array(10).fill(200), 429, 429]);
  });
});
