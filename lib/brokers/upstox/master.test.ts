/**
 * The sample BOD master (fixtures/complete.sample.json, shaped like Upstox's `complete.json.gz` once unpacked) mapped
 * to MirrorDesk's symbols and back: weekly and monthly contracts, strikes in rupees, ticks in paise, expiries as the
 * IST date of the epoch-ms end of day.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { masterUrl, parseMaster, toMasterRow } from "./master";

const raw = JSON.parse(readFileSync(join(__dirname, "fixtures", "complete.sample.json"), "utf8")) as Record<
  string,
  unknown
>[];
const master = new InstrumentMaster(parseMaster(raw), "2026-12-07");
const byKey = (key: string) => raw.find((r) => r.instrument_key === key)!;

describe("upstox master → MirrorDesk symbols", () => {
  it("maps every F&O row to the OpenAlgo symbol of its underlying, expiry, strike and type", () => {
    const expected: [string, string, string][] = [
      ["NIFTY 24500 CE 08 DEC 26", "NIFTY08DEC2624500CE", "NFO"],
      ["NIFTY 25000 PE 15 DEC 26", "NIFTY15DEC2625000PE", "NFO"],
      ["NIFTY 24500 CE 29 DEC 26", "NIFTY29DEC2624500CE", "NFO"],
      ["NIFTY 25000 PE 26 JAN 27", "NIFTY26JAN2725000PE", "NFO"],
      ["NIFTY FUT 29 DEC 26", "NIFTY29DEC26FUT", "NFO"],
      ["NIFTY FUT 26 JAN 27", "NIFTY26JAN27FUT", "NFO"],
      ["BANKNIFTY 52500 CE 29 DEC 26", "BANKNIFTY29DEC2652500CE", "NFO"],
      ["BANKNIFTY FUT 29 DEC 26", "BANKNIFTY29DEC26FUT", "NFO"],
      ["SENSEX 80000 PE 10 DEC 26", "SENSEX10DEC2680000PE", "BFO"],
      ["SENSEX 80000 CE 31 DEC 26", "SENSEX31DEC2680000CE", "BFO"],
      ["SENSEX FUT 31 DEC 26", "SENSEX31DEC26FUT", "BFO"],
      ["NIFTY 24512.5 CE 29 DEC 26", "NIFTY29DEC2624512.5CE", "NFO"],
      ["CRUDEOIL FUT 17 DEC 26", "CRUDEOIL17DEC26FUT", "MCX"],
    ];
    for (const [brokerSymbol, symbol, exchange] of expected) {
      const source = raw.find((r) => r.trading_symbol === brokerSymbol)!;
      const row = master.brokerSymbol(brokerSymbol, String(source.segment));
      expect(row?.symbol, brokerSymbol).toBe(symbol);
      expect(row?.exchange).toBe(exchange);
      // And back: the OpenAlgo symbol finds Upstox's instrument key and trading symbol.
      expect(master.symbol(symbol, exchange as "NFO")).toMatchObject({ token: source.instrument_key, brokerSymbol });
    }
  });

  it("weekly and monthly contracts of one strike are distinct symbols with their own expiries", () => {
    const weekly = master.symbol("NIFTY08DEC2624500CE", "NFO")!;
    const monthly = master.symbol("NIFTY29DEC2624500CE", "NFO")!;
    expect(byKey(weekly.token).weekly).toBe(true);
    expect(byKey(monthly.token).weekly).toBe(false);
    expect([weekly.expiry, monthly.expiry]).toEqual(["2026-12-08", "2026-12-29"]);
    expect(weekly.token).not.toBe(monthly.token);
    const expiries = [...new Set(master.derivatives("NIFTY", "NFO").map((r) => r.expiry))].sort();
    expect(expiries).toEqual(["2026-12-08", "2026-12-15", "2026-12-29", "2027-01-26"]);
  });

  it("units: strikes in rupees, tick sizes from paise, lot and freeze quantities, expiry at the IST date", () => {
    const ce = master.symbol("NIFTY08DEC2624500CE", "NFO")!;
    expect(ce.strike?.toString()).toBe("24500");
    expect(ce.tickSize.toString()).toBe("0.05");
    expect(ce).toMatchObject({ lotSize: 65, freezeQty: 1755, optionType: "CE", underlying: "NIFTY" });
    expect(master.symbol("NIFTY29DEC2624512.5CE", "NFO")!.strike?.toString()).toBe("24512.5");
    // 23:59:59 IST is 18:29:59 UTC the same day: the expiry date must not slip to the next day.
    expect(byKey(ce.token).expiry).toBe(Date.parse("2026-12-08T18:29:59Z"));
    expect(master.symbol("SENSEX10DEC2680000PE", "BFO")).toMatchObject({ lotSize: 20, freezeQty: 1000 });
    expect(master.symbol("RELIANCE", "NSE")).toMatchObject({
      token: "NSE_EQ|INE002A01018",
      lotSize: 1,
      expiry: null,
      strike: null,
    });
    expect(master.symbol("RELIANCE", "NSE")!.tickSize.toString()).toBe("0.1");
  });

  it("indices keep Upstox's keys under OpenAlgo's index names", () => {
    expect(master.symbol("NIFTY", "NSE_INDEX")?.token).toBe("NSE_INDEX|Nifty 50");
    expect(master.symbol("BANKNIFTY", "NSE_INDEX")?.token).toBe("NSE_INDEX|Nifty Bank");
    expect(master.symbol("SENSEX", "BSE_INDEX")?.token).toBe("BSE_INDEX|SENSEX");
  });

  it("skips segments MirrorDesk does not trade and rows it cannot read", () => {
    expect(master.token("NSE_COM|9001", "NSE_COM")).toBeUndefined();
    expect(toMasterRow({ segment: "NSE_FO", instrument_type: "CE" })).toBeNull();
    expect(master.rows.length).toBe(raw.length - 1);
  });

  it("downloads from Upstox's assets host for Upstox's API root, else from the account's host", () => {
    expect(masterUrl("https://api.upstox.com/")).toBe(
      "https://assets.upstox.com/market-quote/instruments/exchange/complete.json.gz",
    );
    expect(masterUrl("http://127.0.0.1:5120/upstox")).toBe(
      "http://127.0.0.1:5120/upstox/market-quote/instruments/exchange/complete.json.gz",
    );
  });
});
