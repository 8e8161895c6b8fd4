/**
 * The control API's whole-server WebSocket controls over real sockets: drop (all or one instance), stall (nothing
 * sent at all until unstalled) and the connections view. Absence is checked after a barrier reply on the same socket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "@/lib/testing/wait";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, BETA, control, startTestSimulator, WsClient } from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
const open: WsClient[] = [];

async function connect(auth: string): Promise<WsClient> {
  const c = await WsClient.open(sim.wsUrl);
  open.push(c);
  await c.request({ action: "authenticate", api_key: auth }, (m) => m.type === "auth");
  return c;
}
const subscribe = (c: WsClient, symbol: string, exchange: string, mode: number) =>
  c.request({ action: "subscribe", symbols: [{ symbol, exchange }], mode }, (m) => m.type === "subscribe");
const settled = (c: WsClient) => c.request({ action: "get_broker_info" }, (m) => m.type === "broker_info");

beforeAll(async () => {
  sim = await startTestSimulator({ alwaysOpen: true });
});
afterEach(async () => {
  for (const c of open.splice(0)) c.ws.terminate();
  await control(sim.httpUrl, "POST", "/reset");
});
afterAll(() => sim.close());

describe("POST /_sim/ws/drop", () => {
  it("drops one instance's sockets, then every socket", async () => {
    const a = await connect(ALPHA.apiKey);
    const b = await connect(BETA.apiKey);
    const one = await control(sim.httpUrl, "POST", "/ws/drop", { instanceId: ALPHA.id });
    expect(one.json).toEqual({ dropped: 1 });
    await waitUntil(() => a.closed !== undefined, 2_000, "alpha's socket closed");
    await settled(b);
    expect(b.closed).toBeUndefined();
    const rest = await control(sim.httpUrl, "POST", "/ws/drop", {});
    expect(rest.json).toEqual({ dropped: 1 });
    await waitUntil(() => b.closed !== undefined, 2_000, "beta's socket closed");
  });

  it("names a bad field", async () => {
    const r = await control(sim.httpUrl, "POST", "/ws/drop", { instanceId: 7 });
    expect(r.status).toBe(400);
    expect(r.json.error).toContain("instanceId");
  });
});

describe("POST /_sim/ws/stall", () => {
  it("sends nothing at all while stalled (no tick, no pong, no ack), then serves again", async () => {
    const c = await connect(ALPHA.apiKey);
    await subscribe(c, "SBIN", "NSE", 2);
    await c.next((m) => m.type === "market_data");
    await settled(c);
    c.drain();
    expect((await control(sim.httpUrl, "POST", "/ws/stall", { stalled: true })).json).toEqual({ stalled: true });
    const rawBefore = c.raw.length;
    c.send({ action: "ping" });
    c.send({ action: "subscribe", symbols: [{ symbol: "TCS", exchange: "NSE" }], mode: 1 });
    await control(sim.httpUrl, "POST", "/market/tick");
    await control(sim.httpUrl, "POST", "/ws/stall", { stalled: false });
    await settled(c);
    // The barrier's reply is the only frame since the stall began: the ping, the subscribe and the tick got nothing.
    expect(c.raw.length).toBe(rawBefore + 1);
    expect(c.closed).toBeUndefined();
    await control(sim.httpUrl, "POST", "/market/tick");
    const t = await c.next((m) => m.type === "market_data");
    expect(t.symbol).toBe("SBIN");
    expect((await c.request({ action: "ping" }, (m) => m.type === "pong")).status).toBe("success");
  });

  it("is lifted by a reset, and needs a boolean", async () => {
    await control(sim.httpUrl, "POST", "/ws/stall", { stalled: true });
    await control(sim.httpUrl, "POST", "/reset");
    const c = await connect(ALPHA.apiKey);
    expect((await settled(c)).status).toBe("success");
    const bad = await control(sim.httpUrl, "POST", "/ws/stall", {});
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("stalled");
  });
});

describe("GET /_sim/ws/connections", () => {
  it("lists each socket's instance and subscriptions with their modes", async () => {
    const c = await connect(ALPHA.apiKey);
    await subscribe(c, "SBIN", "NSE", 1);
    await subscribe(c, "SBIN", "NSE", 3);
    await subscribe(c, "NIFTY", "NSE_INDEX", 2);
    const anon = await WsClient.open(sim.wsUrl);
    open.push(anon);
    await anon.request({ action: "ping" }, (m) => m.type === "pong");
    const r = await control(sim.httpUrl, "GET", "/ws/connections");
    expect(r.status).toBe(200);
    const conns = r.json.connections as { instanceId: string | null; subscriptions: unknown[] }[];
    expect(conns).toHaveLength(2);
    expect(conns.find((x) => x.instanceId === ALPHA.id)?.subscriptions).toEqual([
      { exchange: "NSE", symbol: "SBIN", modes: [1, 3] },
      { exchange: "NSE_INDEX", symbol: "NIFTY", modes: [2] },
    ]);
    expect(conns.find((x) => x.instanceId === null)?.subscriptions).toEqual([]);
  });
});
