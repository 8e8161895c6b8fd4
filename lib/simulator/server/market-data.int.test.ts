/**
 * Compatibility suite, market data and reference endpoints (docs/openalgo.md "Market data", "Sessions"), over real
 * HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, get, post, startTestSimulator } from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
let url: string;
const key = ALPHA.apiKey;
const api = (name: string, body: Record<string, unknown>) => post(url, `/api/v1/${name}`, { apikey: key, ...body });

beforeAll(async () => {
  sim = await startTestSimulator();
  url = sim.httpUrl;
});
afterAll(() => sim.close());

async function niftyExpiry(): Promise<string> {
  const r = await api("expiry", { symbol: "NIFTY", exchange: "NFO", instrumenttype: "options" });
  return (r.json.data[0] as string).replace(/-/g, "");
}

describe("quotes, multiquotes, depth", () => {
  it("quotes a listed symbol with OpenAlgo's keys, sorted", async () => {
    const r = await api("quotes", { symbol: "SBIN", exchange: "NSE" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(Object.keys(r.json.data)).toEqual([
      "ask",
      "bid",
      "high",
      "low",
      "ltp",
      "oi",
      "open",
      "prev_close",
      "volume",
    ]);
    expect(r.json.data.ltp).toBeGreaterThan(0);
    expect(r.text.startsWith('{"data":{"ask":')).toBe(true);
    expect(r.text.endsWith("}\n")).toBe(true);
  });

  it("400s an unknown symbol with the master-contract text and a bad exchange with the data shape", async () => {
    const r = await api("quotes", { symbol: "NOSUCH", exchange: "NSE" });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe(
      "Symbol 'NOSUCH' not found for exchange 'NSE'. Please verify the symbol name and ensure master contracts are downloaded.",
    );
    const bad = await api("quotes", { symbol: "SBIN", exchange: "nse" });
    expect(bad.status).toBe(400);
    expect(bad.json.message.exchange[0]).toMatch(/^Must be one of: NSE, NFO, /);
  });

  it("multiquotes lists invalid symbols first, and 400s when all are invalid", async () => {
    const r = await api("multiquotes", {
      symbols: [
        { symbol: "SBIN", exchange: "NSE" },
        { symbol: "NOSUCH", exchange: "NSE" },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.results.map((x: { symbol: string }) => x.symbol)).toEqual(["NOSUCH", "SBIN"]);
    expect(r.json.results[0].error).toMatch(/not found/);
    const all = await api("multiquotes", { symbols: [{ symbol: "NOSUCH", exchange: "NSE" }] });
    expect(all.status).toBe(400);
    expect(all.json.invalid_symbols).toHaveLength(1);
    const empty = await api("multiquotes", { symbols: [] });
    expect(empty.json.message.symbols[0]).toMatch(/Shorter than minimum length 1/);
  });

  it("depth has five levels a side and the totals", async () => {
    const r = await api("depth", { symbol: "RELIANCE", exchange: "NSE" });
    expect(r.status).toBe(200);
    expect(r.json.data.asks).toHaveLength(5);
    expect(r.json.data.bids).toHaveLength(5);
    expect(Object.keys(r.json.data.asks[0])).toEqual(["price", "quantity"]);
    expect(r.json.data.bids[0].price).toBeLessThanOrEqual(r.json.data.asks[0].price);
    expect(r.json.data.totalbuyqty).toBeGreaterThan(0);
  });
});

describe("history and intervals", () => {
  it("lists the intervals in six groups and serves candles with epoch-second timestamps", async () => {
    const iv = await api("intervals", {});
    expect(Object.keys(iv.json.data)).toEqual(["days", "hours", "minutes", "months", "seconds", "weeks"]);
    const r = await api("history", {
      symbol: "SBIN",
      exchange: "NSE",
      interval: "D",
      start_date: "2026-11-02",
      end_date: "2026-11-20",
    });
    expect(r.status).toBe(200);
    expect(r.json.data.length).toBeGreaterThan(5);
    const c = r.json.data[0];
    expect(Object.keys(c)).toEqual(["close", "high", "low", "oi", "open", "timestamp", "volume"]);
    expect(Number.isInteger(c.timestamp) && c.timestamp < 1e11).toBe(true);
  });

  it("refuses an interval outside the whitelist and answers source=db with 404", async () => {
    const bad = await api("history", {
      symbol: "SBIN",
      exchange: "NSE",
      interval: "7m",
      start_date: "2026-11-01",
      end_date: "2026-11-20",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message.interval[0]).toMatch(/^Must be one of: 1s, 5s/);
    const db = await api("history", {
      symbol: "SBIN",
      exchange: "NSE",
      interval: "1m",
      start_date: "2026-11-20",
      end_date: "2026-11-20",
      source: "db",
    });
    expect(db.status).toBe(404);
  });
});

describe("symbol, search, expiry, instruments", () => {
  it("symbol prints cash rows with expiry -1 and strike null, and 404s unknown ones", async () => {
    const r = await api("symbol", { symbol: "SBIN", exchange: "NSE" });
    expect(r.json.data).toMatchObject({
      symbol: "SBIN",
      exchange: "NSE",
      expiry: "-1",
      strike: null,
      freeze_qty: 1,
      instrumenttype: "EQ",
    });
    expect(typeof r.json.data.id).toBe("number");
    const missing = await api("symbol", { symbol: "NOSUCH", exchange: "NSE" });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe("Symbol NOSUCH not found in exchange NSE");
  });

  it("search finds symbols, reports no matches as 200, and 400s an empty query with a plain string", async () => {
    const r = await api("search", { query: "SBIN", exchange: "NSE" });
    expect(r.json.message).toBe("Found 1 matching symbols");
    const none = await api("search", { query: "ZZZZZZ" });
    expect(none.json).toEqual({ data: [], message: "No matching symbols found", status: "success" });
    const empty = await api("search", { query: "" });
    expect(empty.status).toBe(400);
    expect(empty.json.message).toBe("Query parameter is required and cannot be empty");
  });

  it("expiry answers DD-MMM-YY dates ascending and validates the lowercase instrumenttype", async () => {
    const r = await api("expiry", { symbol: "NIFTY", exchange: "NFO", instrumenttype: "options" });
    expect(r.json.data.length).toBeGreaterThan(1);
    expect(r.json.data[0]).toMatch(/^\d{2}-[A-Z]{3}-\d{2}$/);
    expect(r.json.message).toMatch(/^Found \d+ expiry dates for NIFTY options in NFO$/);
    const bad = await api("expiry", { symbol: "NIFTY", exchange: "NFO", instrumenttype: "FUTURES" });
    expect(bad.json.message).toEqual({ instrumenttype: ["Must be one of: futures, options."] });
  });

  it("instruments is a GET with the key in the query, as JSON or CSV", async () => {
    const r = await get(url, `/api/v1/instruments?apikey=${key}&exchange=NSE`);
    expect(r.status).toBe(200);
    expect(r.json.data.some((i: { symbol: string }) => i.symbol === "SBIN")).toBe(true);
    expect(r.json.data[0].freeze_qty).toBeUndefined();
    const csv = await get(url, `/api/v1/instruments?apikey=${key}&exchange=NSE&format=csv`);
    expect(csv.headers.get("content-type")).toBe("text/csv");
    expect(csv.text.split("\n")[0]).toBe(
      "symbol,brsymbol,name,exchange,brexchange,token,expiry,strike,lotsize,instrumenttype,tick_size",
    );
    const noKey = await get(url, "/api/v1/instruments?exchange=NSE");
    expect(noKey.status).toBe(400);
    expect(noKey.text).toBe('{"message":{"apikey":["Field may not be null."]},"status":"error"}\n');
    expect((await get(url, "/api/v1/instruments?apikey=bad")).status).toBe(403);
  });
});

describe("option endpoints", () => {
  it("optionchain answers unsorted with Python spacing, labels ATM/ITM/OTM and adds greeks on request", async () => {
    const expiry = await niftyExpiry();
    const r = await api("optionchain", {
      underlying: "NIFTY",
      exchange: "NSE_INDEX",
      expiry_date: expiry,
      strike_count: 2,
      with_greeks: true,
    });
    expect(r.status).toBe(200);
    expect(r.text.startsWith('{"status": "success", "underlying": "NIFTY", "underlying_ltp": ')).toBe(true);
    expect(r.json.chain).toHaveLength(5);
    const atm = r.json.chain[2];
    expect(atm.strike).toBe(r.json.atm_strike);
    expect([atm.ce.label, atm.pe.label]).toEqual(["ATM", "ATM"]);
    expect([r.json.chain[0].ce.label, r.json.chain[0].pe.label]).toEqual(["ITM2", "OTM2"]);
    expect(atm.ce.delta).toBeGreaterThan(0);
    expect(atm.pe.delta).toBeLessThan(0);
    expect(r.json.greeks_included).toBe(true);
  });

  it("optionchain validation errors and 404s keep the Python shape", async () => {
    const r = await api("optionchain", { underlying: "NIFTY", exchange: "NSE_INDEX" });
    expect(r.status).toBe(400);
    expect(r.text).toBe(
      '{"status": "error", "message": "Validation error", "errors": {"expiry_date": ["Missing data for required field."]}}\n',
    );
    const missing = await api("optionchain", { underlying: "NIFTY", exchange: "NSE_INDEX", expiry_date: "25DEC20" });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe(
      '{"status": "error", "message": "No strikes found for NIFTY expiring 25DEC20. Please check expiry date or update master contract."}\n',
    );
  });

  it("optionsymbol resolves offsets: CE ITM is a lower strike, PE ITM a higher one", async () => {
    const expiry = await niftyExpiry();
    const pick = async (offset: string, option_type: string) =>
      (
        await api("optionsymbol", {
          underlying: "NIFTY",
          exchange: "NSE_INDEX",
          expiry_date: expiry,
          offset,
          option_type,
        })
      ).json;
    const atm = await pick("ATM", "CE");
    expect(atm.exchange).toBe("NFO");
    expect(atm.symbol).toMatch(new RegExp(`^NIFTY${expiry}\\d+CE$`));
    const strike = (s: string) => Number(s.slice(`NIFTY${expiry}`.length, -2));
    expect(strike((await pick("ITM2", "CE")).symbol)).toBeLessThan(strike(atm.symbol));
    expect(strike((await pick("ITM2", "PE")).symbol)).toBeGreaterThan(strike(atm.symbol));
    const bad = await api("optionsymbol", {
      underlying: "NIFTY",
      exchange: "NSE_INDEX",
      expiry_date: expiry,
      offset: "ITM100",
      option_type: "CE",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe("Validation error");
  });

  it("optiongreeks prices an option, 401s a bad key and uses the greeks error shape", async () => {
    const expiry = await niftyExpiry();
    const sym = (
      await api("optionsymbol", {
        underlying: "NIFTY",
        exchange: "NSE_INDEX",
        expiry_date: expiry,
        offset: "ATM",
        option_type: "CE",
      })
    ).json.symbol;
    const r = await api("optiongreeks", { symbol: sym, exchange: "NFO" });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: "success", symbol: sym, option_type: "CE", underlying: "NIFTY" });
    expect(r.json.expiry_date).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{4}$/);
    expect(r.json.greeks.delta).toBeGreaterThan(0.2);
    expect((await post(url, "/api/v1/optiongreeks", { apikey: "bad", symbol: sym, exchange: "NFO" })).status).toBe(401);
    const invalid = await api("optiongreeks", { exchange: "NFO" });
    expect(invalid.json).toEqual({
      errors: { symbol: ["Missing data for required field."] },
      message: "Validation failed",
      status: "error",
    });
    const multi = await api("multioptiongreeks", {
      symbols: [
        { symbol: sym, exchange: "NFO" },
        { symbol: "NOSUCH", exchange: "NFO" },
      ],
    });
    expect(multi.json.status).toBe("partial");
    expect(multi.json.summary).toEqual({ failed: 1, success: 1, total: 2 });
  });
});

describe("market calendar", () => {
  it("timings list the sessions of a trading day and nothing equity-side on a Sunday", async () => {
    const mon = await api("market/timings", { date: "2026-11-23" });
    const nse = mon.json.data.find((t: { exchange: string }) => t.exchange === "NSE");
    // 09:15–15:30 IST on 2026-11-23.
    expect(nse).toEqual({
      end_time: Date.UTC(2026, 10, 23, 10, 0),
      exchange: "NSE",
      start_time: Date.UTC(2026, 10, 23, 3, 45),
    });
    const sun = await api("market/timings", { date: "2026-11-22" });
    expect(sun.json.data.some((t: { exchange: string }) => t.exchange === "NSE")).toBe(false);
  });

  it("holidays carry the year, timezone and closed exchanges", async () => {
    const r = await api("market/holidays", { year: 2026 });
    expect(r.json).toMatchObject({ status: "success", timezone: "Asia/Kolkata", year: 2026 });
    const republic = r.json.data.find((h: { date: string }) => h.date === "2026-01-26");
    expect(republic.closed_exchanges).toContain("NSE");
    expect(republic.holiday_type).toBe("TRADING_HOLIDAY");
    expect((await api("market/holidays", { year: 2019 })).status).toBe(400);
  });
});
