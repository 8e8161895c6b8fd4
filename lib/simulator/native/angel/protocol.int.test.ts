/**
 * The simulator's Angel One front-end speaks SmartAPI as the official JavaScript SDK (smartapi-javascript 1.0.27)
 * uses it: the same methods and paths, the same headers, the envelopes and data keys its callers read. The table
 * below restates, as data, what that SDK's source sends and expects (docs/brokers/angel.md "Protocol"); the test
 * talks raw HTTP, so nothing of the connector is involved. Rate limits are counted on a frozen clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";

const REDIRECT = "http://127.0.0.1:3150/cb";
const API_KEY = "proto-key-0001";

/** The SDK's own request headers (its `request_util`), with fixed client-address values. */
const sdkHeaders = (token?: string): Record<string, string> => ({
  "Content-Type": "application/json",
  Accept: "application/json",
  "X-UserType": "USER",
  "X-SourceID": "WEB",
  "X-PrivateKey": API_KEY,
  "X-ClientLocalIP": "127.0.0.1",
  "X-ClientPublicIP": "127.0.0.1",
  "X-MACAddress": "00:00:00:00:00:00",
  ...(token ? { Authorization: `Bearer ${token}` } : {}),
});

let sim: RunningSimulator;
let base = "";
let tokens: URLSearchParams;

async function call(method: "GET" | "POST", path: string, body?: unknown, token = tokens.get("auth_token")!) {
  const res = await fetch(base + path, {
    method,
    headers: sdkHeaders(token),
    body: method === "POST" ? JSON.stringify(body ?? {}) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: text.startsWith("{") ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "proto-admin",
    seed: 5,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    rateLimitNow: () => 1_000,
    instances: [{ id: "proto", apiKey: API_KEY, capital: "1000000", showStrategy: true, redirectUrl: REDIRECT }],
  });
  base = `${sim.httpUrl}/angel`;
  // The SDK's getLoginURL: the publisher-login page with `api_key` (plus our `state`).
  const page = await fetch(`${base}/publisher-login?api_key=${API_KEY}&state=st`);
  expect(await page.text()).toContain("proto");
  const res = await fetch(`${base}/publisher-login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `api_key=${API_KEY}&state=st`,
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  tokens = new URL(res.headers.get("location")!).searchParams;
});
afterAll(async () => {
  await sim?.close();
});

const SUCCESS = { status: true, message: "SUCCESS", errorcode: "" };
const keysOf = (v: unknown) => Object.keys(v as object).sort();

describe("angel front-end vs the SDK's protocol", () => {
  it("login redirect: auth_token, feed_token, refresh_token and state", () => {
    expect(tokens.get("state")).toBe("st");
    for (const k of ["auth_token", "feed_token", "refresh_token"]) expect(tokens.get(k)).toBeTruthy();
  });

  it("GET getProfile and getRMS: the envelope and the data keys", async () => {
    const profile = await call("GET", "/rest/secure/angelbroking/user/v1/getProfile");
    expect(profile.json).toMatchObject(SUCCESS);
    expect(keysOf(profile.json!.data)).toEqual(
      ["brokerid", "clientcode", "email", "exchanges", "lastlogintime", "mobileno", "name", "products"].sort(),
    );
    const rms = await call("GET", "/rest/secure/angelbroking/user/v1/getRMS");
    expect(rms.json).toMatchObject(SUCCESS);
    for (const k of ["net", "availablecash", "collateral", "m2munrealized", "m2mrealized", "utiliseddebits"])
      expect(typeof (rms.json!.data as Record<string, unknown>)[k]).toBe("string");
  });

  it("POST placeOrder, then GET order book, trade book, positions and holdings", async () => {
    const fut = sim.market.instruments().find((i) => i.instrumenttype === "FUT" && i.underlying === "NIFTY")!;
    const master = (await (await fetch(`${base}/OpenAPI_File/files/OpenAPIScripMaster.json`)).json()) as Record<
      string,
      string
    >[];
    const row = master.find((r) => r.exch_seg === "NFO" && r.token === fut.token)!;
    expect(keysOf(row)).toEqual(
      ["exch_seg", "expiry", "instrumenttype", "lotsize", "name", "strike", "symbol", "tick_size", "token"].sort(),
    );
    const placed = await call("POST", "/rest/secure/angelbroking/order/v1/placeOrder", {
      variety: "NORMAL",
      tradingsymbol: row.symbol,
      symboltoken: row.token,
      transactiontype: "BUY",
      exchange: "NFO",
      ordertype: "MARKET",
      producttype: "CARRYFORWARD",
      duration: "DAY",
      price: "0",
      squareoff: "0",
      stoploss: "0",
      quantity: row.lotsize,
      ordertag: "proto",
    });
    expect(placed.json).toMatchObject({ ...SUCCESS, data: { script: row.symbol, orderid: expect.any(String) } });
    const orderid = (placed.json!.data as { orderid: string }).orderid;

    const book = await call("GET", "/rest/secure/angelbroking/order/v1/getOrderBook");
    const order = (book.json!.data as Record<string, unknown>[]).find((o) => o.orderid === orderid)!;
    expect(order).toMatchObject({
      tradingsymbol: row.symbol,
      symboltoken: row.token,
      transactiontype: "BUY",
      producttype: "CARRYFORWARD",
      ordertype: "MARKET",
      orderstatus: "complete",
      status: "complete",
      filledshares: row.lotsize,
      unfilledshares: "0",
      ordertag: "proto",
    });
    for (const k of ["averageprice", "updatetime", "uniqueorderid", "text", "variety", "duration", "exchange"])
      expect(order).toHaveProperty(k);
    expect(String(order.updatetime)).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}$/);

    const trades = await call("GET", "/rest/secure/angelbroking/order/v1/getTradeBook");
    const trade = (trades.json!.data as Record<string, unknown>[]).find((t) => t.orderid === orderid)!;
    for (const k of ["fillid", "fillprice", "fillsize", "filltime", "tradevalue", "tradingsymbol", "transactiontype"])
      expect(trade).toHaveProperty(k);
    const positions = await call("GET", "/rest/secure/angelbroking/order/v1/getPosition");
    expect((positions.json!.data as Record<string, unknown>[])[0]).toMatchObject({
      tradingsymbol: row.symbol,
      netqty: row.lotsize,
      producttype: "CARRYFORWARD",
    });
    const holdings = await call("GET", "/rest/secure/angelbroking/portfolio/v1/getHolding");
    expect(holdings.json).toMatchObject({ ...SUCCESS, data: [] });
  });

  it("POST market/v1/quote in LTP and FULL modes (the SDK's marketData)", async () => {
    const ltp = await call("POST", "/rest/secure/angelbroking/market/v1/quote", {
      mode: "LTP",
      exchangeTokens: { NSE: ["99926000"] },
    });
    const fetched = (ltp.json!.data as { fetched: Record<string, unknown>[] }).fetched;
    expect(keysOf(fetched[0])).toEqual(["exchange", "ltp", "symbolToken", "tradingSymbol"]);
    expect(fetched[0]).toMatchObject({ exchange: "NSE", symbolToken: "99926000", tradingSymbol: "Nifty 50" });
    const full = await call("POST", "/rest/secure/angelbroking/market/v1/quote", {
      mode: "FULL",
      exchangeTokens: { NSE: ["99926000", "0000"] },
    });
    const data = full.json!.data as { fetched: Record<string, unknown>[]; unfetched: unknown[] };
    for (const k of ["open", "high", "low", "close", "tradeVolume", "opnInterest", "totBuyQuan", "depth"])
      expect(data.fetched[0]).toHaveProperty(k);
    expect(data.unfetched).toHaveLength(1);
  });

  it("generateTokens answers jwtToken, refreshToken and feedToken; a refused token is the gateway's AG8001", async () => {
    const renewed = await call("POST", "/rest/auth/angelbroking/jwt/v1/generateTokens", {
      refreshToken: tokens.get("refresh_token"),
    });
    expect(keysOf(renewed.json!.data)).toEqual(["feedToken", "jwtToken", "refreshToken"]);
    const refused = await call("GET", "/rest/secure/angelbroking/user/v1/getProfile", undefined, "eyJnope");
    expect(refused.json).toMatchObject({ success: false, message: "Invalid Token", errorCode: "AG8001" });
  });

  it("over a published per-second limit: Angel's plain-text refusal", async () => {
    // The rate-limit clock is frozen: the order book (1/s) was read once above, so this read is over the limit.
    const again = await call("GET", "/rest/secure/angelbroking/order/v1/getOrderBook");
    expect(again.status).toBe(403);
    expect(again.text).toBe("Access denied because of exceeding access rate");
  });
});
