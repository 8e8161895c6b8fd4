/**
 * The simulator's Fyers answers against Fyers' own published shapes. The official SDK (`fyers-api-v3`, installed as a
 * dev dependency, used unchanged) ships no type definitions, but its order-socket mapper names the REST fields of the
 * order book, trade book and positions, and its config names every path: both are read from the SDK itself here.
 * Profile, funds and quotes follow Fyers' API documentation (docs/brokers/fyers.md "Mappings").
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { FYERS_APP_ID, loginViaSim, startFyersSim } from "@/lib/testing/fyers-kit";

const sdk = createRequire(import.meta.url);
const mappers = sdk("fyers-api-v3/ordersocket/mapper.js") as Record<
  "orders" | "position" | "tradebook",
  Record<string, string>
>;
const { Config } = sdk("fyers-api-v3/config/config.js") as { Config: Record<string, string> };

type Json = Record<string, unknown>;
let sim: RunningSimulator;
let get: (path: string) => Promise<{ status: number; body: Json }>;
let post: (path: string, body: Json) => Promise<{ status: number; body: Json }>;

beforeAll(async () => {
  sim = await startFyersSim();
  const { session } = await loginViaSim(sim);
  const headers = { Authorization: `${FYERS_APP_ID}:${session.accessToken}`, "Content-Type": "application/json" };
  const call = async (method: string, path: string, body?: Json) => {
    const r = await fetch(`${sim.httpUrl}/fyers${path}`, { method, headers, body: body && JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Json };
  };
  get = (path) => call("GET", path);
  post = (path, body) => call("POST", path, body);
  const base = { qty: 65, side: 1, productType: "MARGIN", validity: "DAY", disclosedQty: 0, offlineOrder: false };
  expect(
    (await post("/api/v3/orders/sync", { ...base, symbol: "NSE:NIFTY26DECFUT", type: 2, limitPrice: 0, stopPrice: 0 }))
      .status,
  ).toBe(200);
  expect(
    (
      await post("/api/v3/orders/sync", {
        ...base,
        symbol: "NSE:NIFTY26DECFUT",
        type: 1,
        limitPrice: 100,
        stopPrice: 0,
        orderTag: "tag1",
      })
    ).status,
  ).toBe(200);
});
afterAll(async () => {
  await sim?.close();
});

/** Fyers' field types where the docs give them: numbers, else strings (booleans named). */
const NUMBERS = new Set([
  "qty",
  "remainingQuantity",
  "filledQty",
  "limitPrice",
  "stopPrice",
  "tradedPrice",
  "type",
  "exchange",
  "segment",
  "instrument",
  "side",
  "status",
  "buyAvg",
  "buyQty",
  "buyVal",
  "sellAvg",
  "sellQty",
  "sellVal",
  "netAvg",
  "netQty",
  "realized_profit",
  "unrealized_profit",
  "pl",
  "rbiRefRate",
  "dayBuyQty",
  "daySellQty",
  "cfBuyQty",
  "cfSellQty",
  "qtyMulti_com",
  "tradedQty",
  "tradePrice",
  "tradeValue",
  "orderType",
]);
const BOOLEANS = new Set(["offlineOrder"]);

function expectFields(row: Json, fields: Iterable<string>) {
  for (const f of fields) {
    expect(row, `field ${f}`).toHaveProperty(f);
    const want = NUMBERS.has(f) ? "number" : BOOLEANS.has(f) ? "boolean" : "string";
    expect(typeof row[f], `type of ${f}`).toBe(want);
  }
}

const envelope = (body: Json) => expect(body).toMatchObject({ s: "ok", code: 200, message: "" });

describe("simulated Fyers API v3 vs the SDK and the docs", () => {
  it("serves the SDK's paths under one root", () => {
    expect(new URL(Config.SYNC_API).pathname).toBe("/api/v3");
    expect(new URL(Config.data_Api1).pathname).toBe("/data");
    expect([
      Config.get_profile,
      Config.funds,
      Config.orders,
      Config.tradebook,
      Config.positions,
      Config.holdings,
    ]).toEqual(["/profile", "/funds", "/orders", "/tradebook", "/positions", "/holdings"]);
    expect([Config.orders_sync, Config.auth, Config.generateAccessToken, Config.quotes, Config.market_depth]).toEqual([
      "/orders/sync",
      "/generate-authcode",
      "/validate-authcode",
      "/quotes",
      "/depth",
    ]);
  });

  it("order book rows carry every field the SDK maps (parentId exists only on bracket and cover legs)", async () => {
    const { status, body } = await get("/api/v3/orders");
    expect(status).toBe(200);
    envelope(body);
    const rows = body.orderBook as Json[];
    expect(rows).toHaveLength(2);
    const fields = Object.values(mappers.orders).filter((f) => f !== "parentId");
    for (const r of rows) expectFields(r, fields);
    expect(rows.map((r) => r.status).sort()).toEqual([2, 6]);
    expect(rows.find((r) => r.status === 6)).toMatchObject({ orderTag: "tag1", filledQty: 0, remainingQuantity: 65 });
    expect(rows.find((r) => r.status === 2)).toMatchObject({ filledQty: 65, remainingQuantity: 0 });
    expect(String(rows[0].orderDateTime)).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
  });

  it("trade book rows carry every field the SDK maps", async () => {
    const { body } = await get("/api/v3/tradebook");
    envelope(body);
    const rows = body.tradeBook as Json[];
    expect(rows).toHaveLength(1);
    expectFields(rows[0], Object.values(mappers.tradebook));
    expect(rows[0]).toMatchObject({ tradedQty: 65, side: 1, productType: "MARGIN", symbol: "NSE:NIFTY26DECFUT" });
  });

  it("positions carry every field the SDK maps, with the day's totals", async () => {
    const { body } = await get("/api/v3/positions");
    envelope(body);
    const rows = body.netPositions as Json[];
    expect(rows).toHaveLength(1);
    expectFields(rows[0], Object.values(mappers.position));
    expect(rows[0]).toMatchObject({ netQty: 65, side: 1, buyQty: 65, sellQty: 0 });
    expect(Object.keys(body.overall as Json).sort()).toEqual([
      "count_open",
      "count_total",
      "pl_realized",
      "pl_total",
      "pl_unrealized",
    ]);
  });

  it("profile and funds follow the documented shapes", async () => {
    const profile = await get("/api/v3/profile");
    envelope(profile.body);
    const data = profile.body.data as Json;
    for (const k of ["fy_id", "name", "display_name", "email_id", "PAN", "mobile_number"])
      expect(typeof data[k]).toBe("string");
    for (const k of ["totp", "ddpi_enabled", "mtf_enabled"]) expect(typeof data[k]).toBe("boolean");
    expect(data).toHaveProperty("image");
    const funds = await get("/api/v3/funds");
    envelope(funds.body);
    const lines = funds.body.fund_limit as Json[];
    expect(lines.map((l) => [l.id, l.title])).toEqual([
      [1, "Total Balance"],
      [2, "Utilized Amount"],
      [3, "Clear Balance"],
      [4, "Realized Profit and Loss"],
      [5, "Collaterals"],
      [6, "Fund Transfer"],
      [7, "Receivables"],
      [8, "Adhoc Limit"],
      [9, "Limit at start of the day"],
      [10, "Available Balance"],
    ]);
    for (const l of lines) expect([typeof l.equityAmount, typeof l.commodityAmount]).toEqual(["number", "number"]);
  });

  it("quotes follow the documented shape, one item per symbol, unknown symbols flagged", async () => {
    const { body } = await get(`/data/quotes?symbols=${encodeURIComponent("NSE:NIFTY50-INDEX,NSE:NOSUCH-EQ")}`);
    envelope(body);
    const [ok, bad] = body.d as Json[];
    expect(ok).toMatchObject({ n: "NSE:NIFTY50-INDEX", s: "ok" });
    const v = ok.v as Json;
    for (const k of [
      "ch",
      "chp",
      "lp",
      "spread",
      "ask",
      "bid",
      "open_price",
      "high_price",
      "low_price",
      "prev_close_price",
      "volume",
      "atp",
    ])
      expect(typeof v[k], k).toBe("number");
    for (const k of ["short_name", "exchange", "description", "original_name", "symbol", "fyToken", "tt"])
      expect(typeof v[k], k).toBe("string");
    expect(bad).toMatchObject({ n: "NSE:NOSUCH-EQ", s: "error" });
  });

  it("refuses a missing or foreign token with Fyers' 401 envelope", async () => {
    const r = await fetch(`${sim.httpUrl}/fyers/api/v3/funds`, {
      headers: { Authorization: `${FYERS_APP_ID}:eyJforged` },
    });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ s: "error", code: -16, message: "Could not authenticate the user" });
  });
});
