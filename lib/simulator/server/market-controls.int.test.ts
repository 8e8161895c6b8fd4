/**
 * Control API, per-contract market faults over real HTTP and WebSocket: `stall-symbol` silences one contract's ticks
 * while REST keeps quoting it, and `jump` moves an index or equity at once (docs/market-data.md "Stale data").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, control, post, startTestSimulator, WsClient } from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
const open: WsClient[] = [];

async function subscribed(symbols: { symbol: string; exchange: string }[]): Promise<WsClient> {
  const c = await WsClient.open(sim.wsUrl);
  open.push(c);
  await c.request({ action: "authenticate", api_key: ALPHA.apiKey }, (m) => m.type === "auth");
  await c.request({ action: "subscribe", symbols, mode: 2 }, (m) => m.type === "subscribe");
  return c;
}
const tickOf = (symbol: string) => (m: { type: string; symbol: string }) =>
  m.type === "market_data" && m.symbol === symbol;
const tick = () => control(sim.httpUrl, "POST", "/market/tick");
/** Every frame sent before this reply is in the socket's backlog (frames arrive in order). */
const settled = (c: WsClient) => c.request({ action: "get_broker_info" }, (m) => m.type === "broker_info");
const restLtp = async (symbol: string, exchange: string): Promise<number> => {
  const r = await post(sim.httpUrl, "/api/v1/quotes", { apikey: ALPHA.apiKey, symbol, exchange });
  expect(r.status).toBe(200);
  return r.json.data.ltp as number;
};

beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.close());
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await control(sim.httpUrl, "POST", "/reset");
});

describe("stall-symbol", () => {
  it("silences one contract on the WebSocket while others tick and REST still quotes it; releasing resumes it", async () => {
    const c = await subscribed([
      { symbol: "SBIN", exchange: "NSE" },
      { symbol: "TCS", exchange: "NSE" },
    ]);
    await c.next(tickOf("SBIN"));
    const stall = await control(sim.httpUrl, "POST", "/market/stall-symbol", {
      symbol: "SBIN",
      exchange: "NSE",
      stalled: true,
    });
    expect(stall).toMatchObject({ status: 200, json: { stalled: ["NSE:SBIN"] } });
    c.drain();
    const before = await restLtp("SBIN", "NSE");
    let moved = false;
    for (let i = 0; i < 20 && !moved; i++) {
      await tick();
      moved = (await restLtp("SBIN", "NSE")) !== before;
    }
    // The price moves underneath (REST shows it) while the stream stays silent for SBIN alone.
    expect(moved).toBe(true);
    await settled(c);
    expect(c.pending(tickOf("SBIN"))).toHaveLength(0);
    expect(c.pending(tickOf("TCS")).length).toBeGreaterThan(0);
    // A fresh subscription gets no snapshot of a stalled contract either.
    const late = await subscribed([{ symbol: "SBIN", exchange: "NSE" }]);
    await settled(late);
    expect(late.pending(tickOf("SBIN"))).toHaveLength(0);

    await control(sim.httpUrl, "POST", "/market/stall-symbol", { symbol: "SBIN", exchange: "NSE", stalled: false });
    await tick();
    const resumed = await c.next(tickOf("SBIN"));
    expect(resumed.data.ltp).toBe(await restLtp("SBIN", "NSE"));
  });

  it("is cleared by reset, refuses unknown contracts and names bad fields", async () => {
    await control(sim.httpUrl, "POST", "/market/stall-symbol", { symbol: "TCS", exchange: "NSE", stalled: true });
    await control(sim.httpUrl, "POST", "/reset");
    const c = await subscribed([{ symbol: "TCS", exchange: "NSE" }]);
    await c.next(tickOf("TCS"));
    const unknown = await control(sim.httpUrl, "POST", "/market/stall-symbol", {
      symbol: "NOSUCH",
      exchange: "NSE",
      stalled: true,
    });
    expect(unknown).toMatchObject({ status: 400, json: { error: "Unknown contract NOSUCH on NSE" } });
    const bad = await control(sim.httpUrl, "POST", "/market/stall-symbol", { symbol: "TCS", exchange: "NSE" });
    expect(bad.status).toBe(400);
    expect(bad.json.issues.map((i: { field: string }) => i.field)).toEqual(["stalled"]);
  });
});

describe("jump", () => {
  it("moves an index to a price or by a percentage at once: the stream and REST quotes show it", async () => {
    const c = await subscribed([{ symbol: "NIFTY", exchange: "NSE_INDEX" }]);
    await c.next(tickOf("NIFTY"));
    const to = await control(sim.httpUrl, "POST", "/market/jump", { underlying: "NIFTY", to: 25_000 });
    expect(to).toMatchObject({ status: 200, json: { symbol: "NIFTY", price: 25_000 } });
    expect((await c.next(tickOf("NIFTY"))).data.ltp).toBe(25_000);
    expect(await restLtp("NIFTY", "NSE_INDEX")).toBe(25_000);

    const down = await control(sim.httpUrl, "POST", "/market/jump", { underlying: "NIFTY", percent: -10 });
    expect(down.json).toEqual({ symbol: "NIFTY", price: 22_500 });
    expect((await c.next(tickOf("NIFTY"))).data.ltp).toBe(22_500);
    expect(await restLtp("NIFTY", "NSE_INDEX")).toBe(22_500);
  });

  it("moves an equity by symbol; a derivative is refused naming its underlying; bad bodies name the field", async () => {
    const sbin = await restLtp("SBIN", "NSE");
    const up = await control(sim.httpUrl, "POST", "/market/jump", { symbol: "SBIN", exchange: "NSE", percent: 20 });
    expect(up.status).toBe(200);
    expect(up.json.price).toBeCloseTo(sbin * 1.2, 1);
    expect(await restLtp("SBIN", "NSE")).toBe(up.json.price);

    const expiry = await post(sim.httpUrl, "/api/v1/expiry", {
      apikey: ALPHA.apiKey,
      symbol: "NIFTY",
      exchange: "NFO",
      instrumenttype: "futures",
    });
    const future = `NIFTY${(expiry.json.data[0] as string).replace(/-/g, "")}FUT`;
    const derivative = await control(sim.httpUrl, "POST", "/market/jump", {
      symbol: future,
      exchange: "NFO",
      percent: 5,
    });
    expect(derivative.status).toBe(400);
    expect(derivative.json.error).toBe(`${future} is a derivative: its price follows NIFTY; jump that instead`);

    const both = await control(sim.httpUrl, "POST", "/market/jump", { underlying: "NIFTY", to: 1, percent: 1 });
    expect(both.json.issues.map((i: { field: string }) => i.field)).toEqual(["to"]);
    const neither = await control(sim.httpUrl, "POST", "/market/jump", { percent: 1 });
    expect(neither.json.issues.map((i: { field: string }) => i.field)).toEqual(["underlying"]);
    const noExchange = await control(sim.httpUrl, "POST", "/market/jump", { symbol: "SBIN", to: 900 });
    expect(noExchange.json.issues.map((i: { field: string }) => i.field)).toEqual(["exchange"]);
    const wipeOut = await control(sim.httpUrl, "POST", "/market/jump", { underlying: "NIFTY", percent: -100 });
    expect(wipeOut.json.issues.map((i: { field: string }) => i.field)).toEqual(["percent"]);
  });
});
