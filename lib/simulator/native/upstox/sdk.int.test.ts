/**
 * The official `upstox-js-sdk`, unchanged, pointed at the simulator's Upstox front-end by its base paths: it must
 * exchange a login code, read the profile, funds, books and quotes, place and cancel orders, and report a bad token as
 * Upstox does — proof that the front-end speaks Upstox's protocol as the SDK expects it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiClient,
  LoginApi,
  MarketQuoteApi,
  OrderApi,
  PortfolioApi,
  UserApi,
  type SdkCallback,
  type SdkError,
  type SdkResponse,
} from "upstox-js-sdk";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { submitLoginPage } from "@/lib/testing/upstox-sim-login";

interface Settled {
  error: SdkError | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  response?: SdkResponse;
}
const settle = (start: (cb: SdkCallback) => unknown) =>
  new Promise<Settled>((resolve) => {
    start((error, data, response) => resolve({ error, data, response }));
  });

const REDIRECT = "https://sdk.test/callback";
let sim: RunningSimulator;
let client: ApiClient;
let token = "";

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "upstox-sdk",
    seed: 3,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "sdk1", apiKey: "sdk1-key-0001", capital: "1000000" }],
  });
  client = new ApiClient();
  client.basePath = `${sim.httpUrl}/upstox`;
  client.orderBasePath = `${sim.httpUrl}/upstox`;
});
afterAll(async () => {
  await sim?.close();
});

const nifty = () => sim.market.instruments().find((i) => i.instrumenttype === "FUT" && i.underlying === "NIFTY")!;
const keyOf = (token: string) => `NSE_FO|${token}`;

describe("upstox-js-sdk against the simulator", () => {
  it("LoginApi.token exchanges the dialog's code for an access token", async () => {
    const app = { hostUrl: client.basePath, apiKey: "sdk1-key-0001", apiSecret: "sim-secret-sdk1" };
    const code = (await submitLoginPage(app, REDIRECT, "st")).searchParams.get("code")!;
    const r = await settle((cb) =>
      new LoginApi(client).token(
        "2.0",
        {
          code,
          clientId: app.apiKey,
          clientSecret: app.apiSecret,
          redirectUri: REDIRECT,
          grantType: "authorization_code",
        },
        cb,
      ),
    );
    expect(r.error).toBeNull();
    expect(r.data.userId).toBe("sdk1");
    expect(r.data.accessToken.length).toBeGreaterThan(20);
    token = r.data.accessToken;
    client.authentications.OAUTH2.accessToken = token;
  });

  it("profile and funds", async () => {
    const profile = await settle((cb) => new UserApi(client).getProfile("2.0", cb));
    expect(profile.data.status).toBe("success");
    expect(profile.data.data).toMatchObject({ userId: "sdk1", broker: "UPSTOX", isActive: true });
    const funds = await settle((cb) => new UserApi(client).getUserFundMargin("2.0", { segment: "SEC" }, cb));
    expect(funds.data.data.equity.availableMargin).toBe(1_000_000);
    expect(funds.data.data.equity.usedMargin).toBe(0);
  });

  it("place a MARKET order, then read it in the order book, its details, the trades and positions", async () => {
    const fut = nifty();
    const placed = await settle((cb) =>
      new OrderApi(client).placeOrder(
        {
          quantity: fut.lotsize,
          product: "D",
          validity: "DAY",
          price: 0,
          tag: "sdk",
          instrumentToken: keyOf(fut.token),
          orderType: "MARKET",
          transactionType: "BUY",
          disclosedQuantity: 0,
          triggerPrice: 0,
          isAmo: false,
        },
        "2.0",
        cb,
      ),
    );
    expect(placed.error).toBeNull();
    const orderId: string = placed.data.data.orderId;
    expect(orderId).toMatch(/^\d+$/);

    const book = await settle((cb) => new OrderApi(client).getOrderBook("2.0", cb));
    const row = book.data.data.find((o: { orderId: string }) => o.orderId === orderId);
    expect(row).toMatchObject({
      status: "complete",
      instrumentToken: keyOf(fut.token),
      product: "D",
      orderType: "MARKET",
      transactionType: "BUY",
      filledQuantity: fut.lotsize,
      pendingQuantity: 0,
    });
    expect(row.averagePrice).toBeGreaterThan(0);

    const details = await settle((cb) => new OrderApi(client).getOrderStatus({ orderId }, cb));
    expect(details.response?.body).toMatchObject({
      status: "success",
      data: { order_id: orderId, status: "complete" },
    });
    const history = await settle((cb) => new OrderApi(client).getOrderDetails("2.0", { orderId }, cb));
    expect(history.data.data.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);

    const trades = await settle((cb) => new OrderApi(client).getTradeHistory("2.0", cb));
    expect(trades.data.data).toEqual([
      expect.objectContaining({
        orderId,
        quantity: fut.lotsize,
        transactionType: "BUY",
        averagePrice: row.averagePrice,
      }),
    ]);
    const positions = await settle((cb) => new PortfolioApi(client).getPositions("2.0", cb));
    expect(positions.data.data).toEqual([
      expect.objectContaining({ instrumentToken: keyOf(fut.token), quantity: fut.lotsize, product: "D" }),
    ]);
  });

  it("LTP and full quotes by instrument key", async () => {
    const key = keyOf(nifty().token);
    const ltp = await settle((cb) => new MarketQuoteApi(client).ltp(`${key},NSE_INDEX|Nifty 50`, "2.0", cb));
    const entries = Object.values(ltp.data.data) as { instrumentToken: string; lastPrice: number }[];
    expect(entries.map((e) => e.instrumentToken).sort()).toEqual([key, "NSE_INDEX|Nifty 50"].sort());
    for (const e of entries) expect(e.lastPrice).toBeGreaterThan(0);
    const full = await settle((cb) => new MarketQuoteApi(client).getFullMarketQuote(key, "2.0", cb));
    const q = Object.values(full.data.data)[0] as { depth: { buy: { price: number }[] }; lastPrice: number };
    expect(q.lastPrice).toBeGreaterThan(0);
    expect(q.depth.buy.length).toBeGreaterThan(0);
  });

  it("cancel a resting LIMIT order", async () => {
    const fut = nifty();
    const ltp = sim.market.quote(fut.symbol, "NFO")!.ltp;
    const placed = await settle((cb) =>
      new OrderApi(client).placeOrder(
        {
          quantity: fut.lotsize,
          product: "I",
          validity: "DAY",
          price: Math.floor(ltp * 0.8),
          instrumentToken: keyOf(fut.token),
          orderType: "LIMIT",
          transactionType: "BUY",
          disclosedQuantity: 0,
          triggerPrice: 0,
          isAmo: false,
        },
        "2.0",
        cb,
      ),
    );
    const orderId: string = placed.data.data.orderId;
    const cancelled = await settle((cb) => new OrderApi(client).cancelOrder(orderId, "2.0", cb));
    expect(cancelled.error).toBeNull();
    expect(cancelled.data.data.orderId).toBe(orderId);
    const details = await settle((cb) => new OrderApi(client).getOrderStatus({ orderId }, cb));
    expect(details.data.data.status).toBe("cancelled");
  });

  it("a bad token is the SDK's error with Upstox's 401 and UDAPI100050", async () => {
    const other = new ApiClient();
    other.basePath = client.basePath;
    other.authentications.OAUTH2.accessToken = "not-a-token";
    const r = await settle((cb) => new UserApi(other).getProfile("2.0", cb));
    expect(r.error?.status).toBe(401);
    expect(r.error?.response?.body).toMatchObject({
      status: "error",
      errors: [{ errorCode: "UDAPI100050", error_code: "UDAPI100050" }],
    });
  });
});
