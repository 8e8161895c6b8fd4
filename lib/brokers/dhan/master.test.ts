/**
 * The Dhan scrip-master mapping against a sample shaped exactly like Dhan's detailed download: each row gets the
 * right OpenAlgo symbol and back, weekly and monthly contracts stay apart, units are converted (tick paise → rupees).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { parseCsv, parseDhanMaster } from "./master";

const SAMPLE = readFileSync(path.join(__dirname, "fixtures/api-scrip-master-detailed.sample.csv"), "utf8");
const rows = parseDhanMaster(SAMPLE);
const master = new InstrumentMaster(rows, "2026-12-07");

describe("Dhan detailed scrip master", () => {
  it("keeps every tradable row of the sample (35 rows: 3 indices, 1 equity, 5 futures, 26 options)", () => {
    expect(rows).toHaveLength(35);
    expect(rows.filter((r) => r.optionType !== null)).toHaveLength(26);
    expect(rows.filter((r) => r.instrumentType === "FUTIDX")).toHaveLength(5);
  });

  it("maps a NIFTY weekly option: symbol from underlying + expiry + strike + type, tick in rupees", () => {
    const r = master.symbol("NIFTY08DEC2624500CE", "NFO")!;
    expect(r).toMatchObject({
      brokerExchange: "NSE_FNO",
      brokerSymbol: "NIFTY-Dec2026-24500-CE",
      expiry: "2026-12-08",
      lotSize: 65,
      freezeQty: 1800,
      underlying: "NIFTY",
      optionType: "CE",
    });
    expect(r.strike!.eq(24500)).toBe(true);
    expect(r.tickSize.eq(0.05)).toBe(true);
    // Back: Dhan's segment + security id lead to the same row.
    expect(master.token(r.token, "NSE_FNO")).toBe(r);
  });

  it("tells weekly from monthly contracts although Dhan's trading symbols are the same", () => {
    const weekly = master.symbol("NIFTY15DEC2624500PE", "NFO")!;
    const monthly = master.symbol("NIFTY29DEC2624500PE", "NFO")!;
    expect(weekly.brokerSymbol).toBe(monthly.brokerSymbol);
    expect(weekly.token).not.toBe(monthly.token);
    expect([weekly.expiry, monthly.expiry]).toEqual(["2026-12-15", "2026-12-29"]);
  });

  it("maps futures (tick 10 paise) and BANKNIFTY monthlies", () => {
    const fut = master.symbol("NIFTY29DEC26FUT", "NFO")!;
    expect(fut).toMatchObject({
      brokerSymbol: "NIFTY-Dec2026-FUT",
      expiry: "2026-12-29",
      strike: null,
      optionType: null,
    });
    expect(fut.tickSize.eq(0.1)).toBe(true);
    expect(master.symbol("BANKNIFTY26JAN27FUT", "NFO")?.lotSize).toBe(30);
    expect(master.symbol("BANKNIFTY29DEC2656000CE", "NFO")?.brokerSymbol).toBe("BANKNIFTY-Dec2026-56000-CE");
  });

  it("maps SENSEX derivatives to BFO / BSE_FNO and its index to BSE_INDEX", () => {
    const w = master.symbol("SENSEX10DEC2681000CE", "BFO")!;
    expect(w).toMatchObject({ brokerExchange: "BSE_FNO", lotSize: 20, freezeQty: 1000, expiry: "2026-12-10" });
    expect(master.symbol("SENSEX31DEC2681000PE", "BFO")?.expiry).toBe("2026-12-31");
    expect(master.symbol("SENSEX", "BSE_INDEX")).toMatchObject({ token: "51", brokerExchange: "IDX_I" });
  });

  it("maps the equity and the NSE indices", () => {
    expect(master.symbol("SBIN", "NSE")).toMatchObject({ token: "3045", brokerExchange: "NSE_EQ", lotSize: 1 });
    expect(master.symbol("NIFTY", "NSE_INDEX")).toMatchObject({ token: "13", brokerExchange: "IDX_I" });
    expect(master.token("25", "IDX_I")?.symbol).toBe("BANKNIFTY");
  });

  it("every row round-trips: symbol → row → Dhan token → the same symbol", () => {
    for (const r of rows) expect(master.token(r.token, r.brokerExchange)?.symbol).toBe(r.symbol);
  });

  it("reads quoted fields and refuses a file without the columns it needs", () => {
    expect(parseCsv('a,"b, c",d,\n1,"x ""y""",3,\n')).toEqual([
      ["a", "b, c", "d", ""],
      ["1", 'x "y"', "3", ""],
    ]);
    expect(() => parseDhanMaster("EXCH_ID,SEGMENT\nNSE,E\n")).toThrow(TypeError);
  });
});
