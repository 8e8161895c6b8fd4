/**
 * Fyers' JSON symbol masters → MirrorDesk rows, against sample files shaped like Fyers' downloads: every row's OpenAlgo
 * symbol comes from its underlying, expiry, strike and type (weekly and monthly tickers alike), and back.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { MASTER_FILES, masterRoot, parseMaster } from "./master";

const fixture = (file: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, "fixtures", `${file}_sym_master.json`), "utf8"));
const rows = MASTER_FILES.flatMap((f) => parseMaster(f, fixture(f)));
const master = new InstrumentMaster(rows, "2026-12-07");

/** Every ticker of the samples with the OpenAlgo symbol and exchange it must map to. */
const EXPECTED: [ticker: string, file: string, symbol: string, exchange: string][] = [
  ["NSE:NIFTY26DECFUT", "NSE_FO", "NIFTY29DEC26FUT", "NFO"],
  ["NSE:NIFTY27JANFUT", "NSE_FO", "NIFTY25JAN27FUT", "NFO"],
  ["NSE:NIFTY26D0824500CE", "NSE_FO", "NIFTY08DEC2624500CE", "NFO"],
  ["NSE:NIFTY26D0824500PE", "NSE_FO", "NIFTY08DEC2624500PE", "NFO"],
  ["NSE:NIFTY26D0824550CE", "NSE_FO", "NIFTY08DEC2624550CE", "NFO"],
  ["NSE:NIFTY26D1524600CE", "NSE_FO", "NIFTY15DEC2624600CE", "NFO"],
  ["NSE:NIFTY26D1524600PE", "NSE_FO", "NIFTY15DEC2624600PE", "NFO"],
  ["NSE:NIFTY26DEC24500CE", "NSE_FO", "NIFTY29DEC2624500CE", "NFO"],
  ["NSE:NIFTY26DEC24500PE", "NSE_FO", "NIFTY29DEC2624500PE", "NFO"],
  ["NSE:NIFTY2710525000CE", "NSE_FO", "NIFTY05JAN2725000CE", "NFO"],
  ["NSE:BANKNIFTY26DECFUT", "NSE_FO", "BANKNIFTY29DEC26FUT", "NFO"],
  ["NSE:BANKNIFTY26DEC52000CE", "NSE_FO", "BANKNIFTY29DEC2652000CE", "NFO"],
  ["NSE:BANKNIFTY26DEC52000PE", "NSE_FO", "BANKNIFTY29DEC2652000PE", "NFO"],
  ["NSE:BANKNIFTY27JAN52500CE", "NSE_FO", "BANKNIFTY25JAN2752500CE", "NFO"],
  ["NSE:MIDCPNIFTY26DEC12912.5PE", "NSE_FO", "MIDCPNIFTY29DEC2612912.5PE", "NFO"],
  ["BSE:SENSEX26D1081000CE", "BSE_FO", "SENSEX10DEC2681000CE", "BFO"],
  ["BSE:SENSEX26D1081000PE", "BSE_FO", "SENSEX10DEC2681000PE", "BFO"],
  ["BSE:SENSEX26DEC81000CE", "BSE_FO", "SENSEX31DEC2681000CE", "BFO"],
  ["BSE:SENSEX26DECFUT", "BSE_FO", "SENSEX31DEC26FUT", "BFO"],
  ["NSE:SBIN-EQ", "NSE_CM", "SBIN", "NSE"],
  ["NSE:NIFTY50-INDEX", "NSE_CM", "NIFTY", "NSE_INDEX"],
  ["NSE:NIFTYBANK-INDEX", "NSE_CM", "BANKNIFTY", "NSE_INDEX"],
  ["BSE:SENSEX-INDEX", "BSE_CM", "SENSEX", "BSE_INDEX"],
  ["BSE:SBIN-A", "BSE_CM", "SBIN", "BSE"],
];

describe("fyers master", () => {
  it("reads every sample row", () => {
    expect(rows).toHaveLength(EXPECTED.length);
  });

  it.each(EXPECTED)("%s → %s and back", (ticker, file, symbol, exchange) => {
    const row = master.brokerSymbol(ticker, file);
    expect(row).toMatchObject({ symbol, exchange });
    expect(master.symbol(symbol, row!.exchange)?.brokerSymbol).toBe(ticker);
    expect(master.token(row!.token, file)).toBe(row);
  });

  it("weekly and monthly tickers of one strike are different contracts with their own expiries", () => {
    const weekly = master.symbol("NIFTY08DEC2624500CE", "NFO")!;
    const monthly = master.symbol("NIFTY29DEC2624500CE", "NFO")!;
    expect([weekly.expiry, monthly.expiry]).toEqual(["2026-12-08", "2026-12-29"]);
    expect([weekly.brokerSymbol, monthly.brokerSymbol]).toEqual(["NSE:NIFTY26D0824500CE", "NSE:NIFTY26DEC24500CE"]);
    // Fyers' expiry is epoch seconds at 15:30 IST: the IST date, not the UTC one, is the contract's.
    expect(master.symbol("NIFTY25JAN27FUT", "NFO")!.expiry).toBe("2027-01-25");
  });

  it("strikes are rupees, fractional ones kept exactly; futures and cash rows have none", () => {
    expect(master.symbol("NIFTY29DEC2624500PE", "NFO")!.strike!.toFixed()).toBe("24500");
    expect(master.symbol("MIDCPNIFTY29DEC2612912.5PE", "NFO")!.strike!.toFixed()).toBe("12912.5");
    expect(master.symbol("NIFTY29DEC26FUT", "NFO")!.strike).toBeNull();
    expect(master.symbol("SBIN", "NSE")!.strike).toBeNull();
  });

  it("carries lot size, freeze quantity, tick, type and underlying", () => {
    expect(master.symbol("NIFTY08DEC2624500CE", "NFO")).toMatchObject({
      lotSize: 65,
      freezeQty: 1800,
      instrumentType: "CE",
      optionType: "CE",
      underlying: "NIFTY",
      name: "NIFTY",
      token: "101126120840113",
    });
    expect(master.symbol("SENSEX31DEC26FUT", "BFO")).toMatchObject({
      lotSize: 20,
      freezeQty: 1000,
      instrumentType: "FUT",
    });
    expect(master.symbol("BANKNIFTY29DEC26FUT", "NFO")!.tickSize.toFixed()).toBe("0.05");
    // Cash rows publish no freeze quantity: unknown, not a limit.
    expect(master.symbol("SBIN", "NSE")).toMatchObject({ lotSize: 1, freezeQty: null, instrumentType: "EQ" });
    expect(master.symbol("NIFTY", "NSE_INDEX")).toMatchObject({ instrumentType: "INDEX", expiry: null });
  });

  it("lists an underlying's derivatives per exchange", () => {
    expect(master.derivatives("SENSEX", "BFO")).toHaveLength(4);
    expect(master.derivatives("SENSEX", "NFO")).toHaveLength(0);
    expect(master.derivatives("NIFTY", "NFO").filter((r) => r.optionType === null)).toHaveLength(2);
  });

  it("skips unreadable rows instead of failing the master", () => {
    const parsed = parseMaster("NSE_FO", {
      good: (fixture("NSE_FO") as Record<string, unknown>)["NSE:NIFTY26DECFUT"],
      bad: { symTicker: "NSE:BROKEN" },
      noStrike: {
        ...((fixture("NSE_FO") as Record<string, Record<string, unknown>>)["NSE:NIFTY26DEC24500CE"] ?? {}),
        strikePrice: 0,
      },
    });
    expect(parsed.map((r) => r.symbol)).toEqual(["NIFTY29DEC26FUT"]);
    expect(parseMaster("NSE_FO", "not json")).toEqual([]);
  });

  it("takes masters from Fyers' public host for the real API, else from under the given root", () => {
    expect(masterRoot("https://api-t1.fyers.in")).toBe("https://public.fyers.in");
    expect(masterRoot("http://127.0.0.1:5130/fyers/")).toBe("http://127.0.0.1:5130/fyers");
  });
});
