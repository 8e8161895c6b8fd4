/**
 * The simulator's Fyers order socket over a raw WebSocket (no MirrorDesk client), against the protocol as Fyers' SDKs
 * speak it (docs/brokers/fyers.md "Order updates"): the handshake's Authorization header, `SUB_ORD` with its
 * acknowledgement, `ping`/`pong`, and order frames carrying every raw key the official Node SDK's mapper reads.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { FYERS_APP_ID, loginViaSim, startFyersSim } from "@/lib/testing/fyers-kit";

const sdk = createRequire(import.meta.url);
const mappers = sdk("fyers-api-v3/ordersocket/mapper.js") as Record<"orders", Record<string, string>>;

type Json = Record<string, unknown>;
let sim: RunningSimulator;
let token = "";
let wsBase = "";

beforeAll(async () => {
  sim = await startFyersSim();
  token = (await loginViaSim(sim)).session.accessToken;
  wsBase = `${sim.httpUrl.replace(/^http/, "ws")}/fyers`;
});
afterAll(async () => {
  await sim?.close();
});

/** A raw socket that queues every text frame it receives, so a test reads them in order. */
async function open(authorization: string, path = "/trade/v3") {
  const ws = new WebSocket(`${wsBase}${path}`, { headers: { Authorization: authorization } });
  const frames: string[] = [];
  const waiters: Array<() => void> = [];
  ws.on("message", (m) => {
    frames.push(String(m));
    waiters.splice(0).forEach((w) => w());
  });
  const status = await new Promise<number>((resolve) => {
    ws.once("open", () => resolve(0));
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? -1));
    ws.once("error", () => undefined);
  });
  /** The next frame (waits for one). */
  const next = async (): Promise<string> => {
    while (frames.length === 0) await new Promise<void>((r) => waiters.push(r));
    return frames.shift()!;
  };
  return { ws, status, next };
}

async function place(body: Json): Promise<Json> {
  const r = await fetch(`${sim.httpUrl}/fyers/api/v3/orders/sync`, {
    method: "POST",
    headers: { Authorization: `${FYERS_APP_ID}:${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await r.json()) as Json;
}

const FUT = { symbol: "NSE:NIFTY26DECFUT", side: 1, productType: "MARGIN", validity: "DAY", disclosedQty: 0 };

describe("simulated Fyers order socket", () => {
  it("refuses a handshake without a live token, with another app's id, and paths it does not serve", async () => {
    expect((await open(`${FYERS_APP_ID}:not-a-token`)).status).toBe(403);
    expect((await open(`OTHERAPP-100:${token}`)).status).toBe(403);
    expect((await open(token)).status).toBe(403);
    expect((await open(`${FYERS_APP_ID}:${token}`, "/hsm/v1-5/prod")).status).toBe(404);
  });

  it("acknowledges SUB_ORD, answers ping with pong, and sends each order change in the socket's raw keys", async () => {
    const { ws, status, next } = await open(`${FYERS_APP_ID}:${token}`);
    expect(status).toBe(0);
    ws.send(JSON.stringify({ T: "SUB_ORD", SLIST: ["orders", "trades", "positions"], SUB_T: 1 }));
    expect(JSON.parse(await next())).toEqual({ code: 1605, message: "Successfully subscribed", s: "ok" });
    ws.send("ping");
    expect(await next()).toBe("pong");

    const placed = await place({ ...FUT, qty: 65, type: 2, limitPrice: 0, stopPrice: 0, orderTag: "raw1" });
    expect(placed).toMatchObject({ s: "ok", code: 1101 });
    let frame: { s: string; orders: Json };
    do frame = JSON.parse(await next()) as typeof frame;
    while (frame.orders.org_ord_status !== 2);
    expect(frame.s).toBe("ok");
    const o = frame.orders;
    // Every raw key the official SDK's order mapper reads is there.
    for (const key of Object.keys(mappers.orders)) expect(o, key).toHaveProperty(key);
    expect(o).toMatchObject({
      id: placed.id,
      symbol: "NSE:NIFTY26DECFUT",
      exchange: 10,
      segment: 11,
      qty: 65,
      qty_filled: 65,
      qty_remaining: 0,
      ord_type: 2,
      tran_side: 1,
      product_type: "MARGIN",
      ord_status: 90,
      ordertag: "raw1",
    });
    // The average fill price is the order book's.
    const book = await fetch(`${sim.httpUrl}/fyers/api/v3/orders?id=${String(placed.id)}`, {
      headers: { Authorization: `${FYERS_APP_ID}:${token}` },
    });
    const row = ((await book.json()) as { orderBook: Json[] }).orderBook[0];
    expect(o.price_traded).toBe(row.tradedPrice);
    expect(o.price_traded).toBeGreaterThan(0);

    // A refused order arrives as status 5 with the refusal text.
    const refused = await place({ ...FUT, qty: 65 * 28, type: 2, limitPrice: 0, stopPrice: 0 });
    do frame = JSON.parse(await next()) as typeof frame;
    while (frame.orders.org_ord_status !== 5);
    expect(refused).toMatchObject({ s: "error", code: -99 });
    expect(frame.orders).toMatchObject({ org_ord_status: 5, ord_status: 92, qty_filled: 0 });
    expect(String(frame.orders.oms_msg)).toContain("freeze");
    ws.close();
  });

  it("stops sending after SUB_T -1, and refuses malformed subscriptions", async () => {
    const { ws, next } = await open(`${FYERS_APP_ID}:${token}`);
    ws.send(JSON.stringify({ T: "SUB_ORD", SLIST: ["orders"], SUB_T: 1 }));
    expect(JSON.parse(await next())).toMatchObject({ code: 1605, s: "ok" });
    ws.send(JSON.stringify({ T: "SUB_ORD", SLIST: ["orders"], SUB_T: -1 }));
    expect(JSON.parse(await next())).toMatchObject({ code: 1606, s: "ok" });
    await place({ ...FUT, qty: 65, type: 2, limitPrice: 0, stopPrice: 0 });
    // The placement's updates were emitted before its answer; the pong comes next, with no order frame before it.
    ws.send("ping");
    expect(await next()).toBe("pong");
    ws.send(JSON.stringify({ T: "SUB_ORD", SLIST: ["nonsense"], SUB_T: 1 }));
    expect(JSON.parse(await next())).toMatchObject({ s: "error", code: -50 });
    ws.send("{not json");
    expect(JSON.parse(await next())).toMatchObject({ s: "error", code: -50 });
    ws.close();
  });

  it("refuses a token once the simulated clock has passed its midnight expiry", async () => {
    const res = await fetch(`${sim.httpUrl}/_sim/clock`, {
      method: "POST",
      headers: { Authorization: "Bearer fyers-admin", "Content-Type": "application/json" },
      body: JSON.stringify({ advanceMs: 24 * 3_600_000 }),
    });
    expect(res.status).toBe(200);
    expect((await open(`${FYERS_APP_ID}:${token}`)).status).toBe(403);
  });
});
