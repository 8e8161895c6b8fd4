/**
 * Compatibility suite, WebSocket proxy (docs/openalgo.md "WebSocket") over a real `ws` client: auth grace, pings,
 * subscribe/ticks/unsubscribe, one stream per symbol per socket, order updates, and the WS faults.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./start-simulator";
import {
  ALPHA,
  BETA,
  control,
  MONDAY_10_IST,
  post,
  startTestSimulator,
  WsClient,
} from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
const open: WsClient[] = [];

async function connect(auth?: string): Promise<WsClient> {
  const c = await WsClient.open(sim.wsUrl);
  open.push(c);
  if (auth)
    await c.request({ action: "authenticate", api_key: auth }, (m) => m.type === "auth" || m.status === "error");
  return c;
}
const tickOf = (symbol: string) => (m: { type: string; symbol: string }) =>
  m.type === "market_data" && m.symbol === symbol;
const tick = () => control(sim.httpUrl, "POST", "/market/tick");
/**
 * A barrier on one socket: the server writes tick and order frames synchronously, and a socket delivers in order, so
 * once this reply is in, every frame sent to `c` before it is in `c`'s backlog. Absence is checked after it, not
 * after a pause.
 */
const settled = (c: WsClient) => c.request({ action: "get_broker_info" }, (m) => m.type === "broker_info");

beforeAll(async () => {
  sim = await startTestSimulator({ wsAuthGraceMs: 300 });
});
afterAll(() => sim.close());
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await control(sim.httpUrl, "POST", "/reset");
});

describe("authentication", () => {
  it("closes a silent socket with 4401 'auth timeout' after the grace period", async () => {
    const c = await connect();
    const started = Date.now();
    expect(await c.waitClose()).toEqual({ code: 4401, reason: "auth timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("answers ping before auth; failed auth neither closes nor extends the grace", async () => {
    const c = await connect();
    const pong = await c.request({ action: "ping", timestamp: 5, _pingId: 7 }, (m) => m.type === "pong");
    expect(Object.keys(pong)).toEqual(["type", "status", "server_timestamp", "client_timestamp", "_pingId"]);
    expect(
      await c.request({ action: "subscribe", symbol: "SBIN", exchange: "NSE" }, (m) => m.status === "error"),
    ).toEqual({
      status: "error",
      code: "NOT_AUTHENTICATED",
      message: "You must authenticate first",
    });
    const bad = await c.request({ action: "authenticate", api_key: "nope" }, (m) => m.status === "error");
    expect(bad).toEqual({ status: "error", code: "AUTHENTICATION_ERROR", message: "Invalid API key" });
    expect((await c.request({ action: "authenticate" }, (m) => m.status === "error")).message).toBe(
      "API key is required",
    );
    expect((await c.request("not json{", (m) => m.code === "INVALID_JSON")).message).toBe("Invalid JSON message");
    expect((await c.waitClose()).code).toBe(4401);
  });

  it("authenticates with the alias verb and field, stays open past the grace, and uses json.dumps spacing", async () => {
    const c = await connect();
    // Connected after `c`, so its grace ends after `c`'s: once it is closed for silence, `c`'s grace has passed too.
    const later = await connect();
    const ok = await c.request({ type: "auth", apikey: ALPHA.apiKey }, (m) => m.type === "auth");
    expect(ok).toEqual({
      type: "auth",
      status: "success",
      message: "Authentication successful",
      broker: "simulator",
      user_id: "alpha",
      supported_features: { ltp: true, quote: true, depth: true },
    });
    expect(c.raw.at(-1)!.startsWith('{"type": "auth", "status": "success", ')).toBe(true);
    expect(await later.waitClose()).toEqual({ code: 4401, reason: "auth timeout" });
    expect(c.closed).toBeUndefined();
    const info = await c.request({ action: "get_broker_info" }, (m) => m.type === "broker_info");
    expect(info).toEqual({
      type: "broker_info",
      status: "success",
      broker: "simulator",
      adapter_status: "connected",
      user_id: "alpha",
    });
    expect((await c.request({ action: "frobnicate" }, (m) => m.code === "INVALID_ACTION")).message).toBe(
      "Invalid action: frobnicate",
    );
  });
});

describe("market data", () => {
  it("acks subscriptions per mode and streams market_data envelopes on ticks", async () => {
    const c = await connect(ALPHA.apiKey);
    const ack = await c.request(
      { action: "subscribe", symbol: "SBIN", exchange: "NSE", mode: 1, request_id: "r1" },
      (m) => m.type === "subscribe",
    );
    expect(ack).toEqual({
      type: "subscribe",
      status: "success",
      subscriptions: [
        { symbol: "SBIN", exchange: "NSE", status: "success", mode: "LTP", depth: 5, broker: "simulator" },
      ],
      message: "Subscription processing complete",
      broker: "simulator",
      request_id: "r1",
    });
    await c.next(tickOf("SBIN"));
    await tick();
    const t = await c.next(tickOf("SBIN"));
    expect(Object.keys(t)).toEqual(["type", "symbol", "exchange", "mode", "data", "broker"]);
    expect(Object.keys(t.data)).toEqual(["symbol", "exchange", "mode", "timestamp", "ltp", "ltt"]);
    const depth = await c.request(
      { action: "subscribe", symbols: [{ symbol: "TCS", exchange: "NSE" }], mode: 3, depth: 5 },
      (m) => m.type === "subscribe",
    );
    expect(depth.subscriptions[0].mode).toBe("Depth");
    const d = await c.next(tickOf("TCS"));
    expect(d.data.depth.buy).toHaveLength(5);
    expect(d.data.depth.sell[0]).toHaveProperty("orders");
  });

  it("reports unknown symbols as partial and refuses bad modes and empty lists", async () => {
    const c = await connect(ALPHA.apiKey);
    const partial = await c.request(
      {
        action: "subscribe",
        symbols: [
          { symbol: "NOSUCH", exchange: "NSE" },
          { symbol: "INFY", exchange: "NSE" },
        ],
        mode: "LTP",
      },
      (m) => m.type === "subscribe",
    );
    expect(partial.status).toBe("partial");
    expect(partial.subscriptions[0]).toMatchObject({ symbol: "NOSUCH", status: "error" });
    expect(
      await c.request(
        { action: "subscribe", symbols: [{ symbol: "SBIN", exchange: "NSE" }], mode: 4 },
        (m) => m.status === "error",
      ),
    ).toEqual({
      status: "error",
      code: "INVALID_MODE",
      message: "Invalid mode 4; expected 1 (LTP), 2 (Quote), or 3 (Depth)",
    });
    expect((await c.request({ action: "subscribe", symbols: [], mode: 1 }, (m) => m.status === "error")).code).toBe(
      "INVALID_PARAMETERS",
    );
  });

  it("keeps one stream per symbol per socket at the highest mode; unsubscribe removes one mode", async () => {
    const c = await connect(ALPHA.apiKey);
    await c.request({ action: "subscribe", symbol: "SBIN", exchange: "NSE", mode: 1 }, (m) => m.type === "subscribe");
    await c.request({ action: "subscribe", symbol: "SBIN", exchange: "NSE", mode: 2 }, (m) => m.type === "subscribe");
    c.drain();
    await tick();
    await settled(c);
    const ticks = c.pending(tickOf("SBIN"));
    expect(ticks).toHaveLength(1);
    expect(ticks[0].mode).toBe(2);
    // No item mode = mode 2: the mode-1 stream resumes.
    const un = await c.request(
      { action: "unsubscribe", symbols: [{ symbol: "SBIN", exchange: "NSE" }] },
      (m) => m.type === "unsubscribe",
    );
    expect(un).toMatchObject({
      status: "success",
      successful: [{ symbol: "SBIN", exchange: "NSE", status: "success" }],
      failed: [],
    });
    c.drain();
    await tick();
    expect((await c.next(tickOf("SBIN"))).mode).toBe(1);
    const all = await c.request({ action: "unsubscribe_all" }, (m) => m.type === "unsubscribe");
    expect(all.successful).toHaveLength(1);
    c.drain();
    await tick();
    await settled(c);
    expect(c.pending(tickOf("SBIN"))).toHaveLength(0);
  });

  it("a mode-1 subscriber gets the untrimmed payload while another socket of the instance holds mode 3", async () => {
    const a = await connect(ALPHA.apiKey);
    const b = await connect(ALPHA.apiKey);
    await a.request({ action: "subscribe", symbol: "INFY", exchange: "NSE", mode: 1 }, (m) => m.type === "subscribe");
    await b.request({ action: "subscribe", symbol: "INFY", exchange: "NSE", mode: 3 }, (m) => m.type === "subscribe");
    a.drain();
    await tick();
    const t = await a.next(tickOf("INFY"));
    expect(t.mode).toBe(1);
    expect(t.data.mode).toBe(3);
    expect(t.data.depth).toBeDefined();
  });

  it("ticks only while the exchange is open, unless the always-open switch is on", async () => {
    const sunday = Date.UTC(2026, 10, 22, 4, 30);
    await control(sim.httpUrl, "POST", "/clock", { set: sunday });
    const c = await connect(ALPHA.apiKey);
    await c.request({ action: "subscribe", symbol: "SBIN", exchange: "NSE", mode: 1 }, (m) => m.type === "subscribe");
    c.drain();
    await tick();
    await settled(c);
    expect(c.pending(tickOf("SBIN"))).toHaveLength(0);
    await control(sim.httpUrl, "POST", "/market/always-open", { open: true });
    await tick();
    await c.next(tickOf("SBIN"));
    await control(sim.httpUrl, "POST", "/market/always-open", { open: false });
    await control(sim.httpUrl, "POST", "/clock", { set: MONDAY_10_IST });
  });
});

describe("keepalive", () => {
  it("sends protocol-level pings", async () => {
    const fast = await startTestSimulator({ wsPingIntervalMs: 100 });
    try {
      const c = await WsClient.open(fast.wsUrl);
      open.push(c);
      await new Promise<void>((resolve) => c.ws.once("ping", () => resolve()));
    } finally {
      await fast.close();
    }
  });
});

describe("order updates", () => {
  it("pushes order_update frames for the subscriber's own instance only", async () => {
    const a = await connect(ALPHA.apiKey);
    const b = await connect(BETA.apiKey);
    expect(
      await a.request({ action: "subscribe_orders", request_id: "o1" }, (m) => m.type === "subscribe_orders"),
    ).toEqual({
      type: "subscribe_orders",
      status: "success",
      message: "Subscribed to order updates",
      request_id: "o1",
    });
    await b.request({ action: "subscribe_orders" }, (m) => m.type === "subscribe_orders");
    const placed = await post(sim.httpUrl, "/api/v1/placeorder", {
      apikey: ALPHA.apiKey,
      strategy: "ws",
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 1,
      pricetype: "MARKET",
      product: "MIS",
    });
    expect(placed.status).toBe(200);
    const update = await a.next((m) => m.type === "order_update" && m.order_status === "complete");
    expect(update).toMatchObject({
      orderid: placed.json.orderid,
      symbol: "SBIN",
      action: "BUY",
      quantity: 1,
      filled_quantity: 1,
    });
    expect(Object.keys(update)[0]).toBe("type");
    await settled(b);
    expect(b.pending((m) => m.type === "order_update")).toHaveLength(0);
  });
});

describe("WebSocket faults", () => {
  it("wsStall stops ticks but keeps the socket open and answering; clearing it resumes ticks", async () => {
    const c = await connect(ALPHA.apiKey);
    await c.request({ action: "subscribe", symbol: "SBIN", exchange: "NSE", mode: 1 }, (m) => m.type === "subscribe");
    await control(sim.httpUrl, "POST", "/instances/alpha/faults", { wsStall: true });
    c.drain();
    await tick();
    await tick();
    await settled(c);
    expect(c.pending(tickOf("SBIN"))).toHaveLength(0);
    expect((await c.request({ action: "ping" }, (m) => m.type === "pong")).status).toBe("success");
    expect(c.closed).toBeUndefined();
    await control(sim.httpUrl, "POST", "/instances/alpha/faults", { wsStall: false });
    await tick();
    await c.next(tickOf("SBIN"));
  });

  it("drop terminates every socket of the instance and no other", async () => {
    const a1 = await connect(ALPHA.apiKey);
    const a2 = await connect(ALPHA.apiKey);
    const b = await connect(BETA.apiKey);
    const r = await control(sim.httpUrl, "POST", "/instances/alpha/ws/drop");
    expect(r.json).toEqual({ dropped: 2 });
    expect((await a1.waitClose()).code).toBe(1006);
    await a2.waitClose();
    expect(b.closed).toBeUndefined();
    expect((await b.request({ action: "ping" }, (m) => m.type === "pong")).status).toBe("success");
  });

  it("wsDropAfterMs drops each socket of the instance that long after it authenticates, reconnects included", async () => {
    await control(sim.httpUrl, "POST", "/instances/alpha/faults", { wsDropAfterMs: 250 });
    const other = await connect(BETA.apiKey);
    // Waits are bounded only by the test's timeout: a loaded machine may be slow, never wrong.
    const LIMIT = 60_000;
    for (let round = 0; round < 2; round++) {
      const c = await connect();
      // The authentication and a ping leave together, so the server reads the ping right after the authentication (same
      // read, before its timers run): an authenticated socket is up and answering before its time, on any machine...
      const auth = c.next((m) => m.type === "auth" || m.status === "error", LIMIT);
      const pong = c.next((m) => m.type === "pong", LIMIT);
      const sent = performance.now();
      c.send({ action: "authenticate", api_key: ALPHA.apiKey });
      c.send({ action: "ping" });
      expect((await auth).status).toBe("success");
      expect((await pong).status).toBe("success");
      // ...then dropped without a close frame, like a network failure, not before its time (the timer starts when the
      // server reads the authentication, after it was sent: only a lower bound, which load cannot break).
      expect((await c.waitClose(LIMIT)).code).toBe(1006);
      expect(performance.now() - sent).toBeGreaterThanOrEqual(230);
    }
    // Unauthenticated sockets and other instances are not on the schedule.
    expect(other.closed).toBeUndefined();
    await control(sim.httpUrl, "POST", "/instances/alpha/faults", { wsDropAfterMs: 0 });
    const kept = await connect(ALPHA.apiKey);
    // An absence, shown by a witness: authenticated after `kept` under the schedule again, so once the witness is
    // dropped, a drop of `kept` (had it been scheduled) would have come already.
    await control(sim.httpUrl, "POST", "/instances/alpha/faults", { wsDropAfterMs: 250 });
    const witness = await connect(ALPHA.apiKey);
    expect((await witness.waitClose(LIMIT)).code).toBe(1006);
    await control(sim.httpUrl, "POST", "/instances/alpha/faults", { wsDropAfterMs: 0 });
    expect(kept.closed).toBeUndefined();
    expect((await kept.request({ action: "ping" }, (m) => m.type === "pong", LIMIT)).status).toBe("success");
  });
});
