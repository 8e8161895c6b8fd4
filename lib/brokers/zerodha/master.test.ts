import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { kiteRecords, masterRowOf, masterRows, parseKiteCsv } from "./master";

const csv = readFileSync(join(__dirname, "fixtures", "instruments-sample.csv"), "utf8");
const records = kiteRecords(parseKiteCsv(csv));
const master = new InstrumentMaster(masterRows(records), "2026-12-07");

describe("Kite instrument master → MirrorDesk symbols", () => {
  it("reads every row of the sample, quoted names included", () => {
    expect(records).toHaveLength(29);
    expect(records.find((r) => r.tradingsymbol === "SBIN")?.name).toBe("STATE BANK OF INDIA");
    expect(master.rows).toHaveLength(29);
  });

  it.each([
    ["NIFTY26D0824500CE", "NFO", "NIFTY08DEC2624500CE", "2026-12-08"],
    ["NIFTY26D0825000PE", "NFO", "NIFTY08DEC2625000PE", "2026-12-08"],
    ["NIFTY2710524500CE", "NFO", "NIFTY05JAN2724500CE", "2027-01-05"],
    ["NIFTY26O0625050CE", "NFO", "NIFTY06OCT2625050CE", "2026-10-06"],
    ["NIFTY26DEC24500CE", "NFO", "NIFTY29DEC2624500CE", "2026-12-29"],
    ["NIFTY26DECFUT", "NFO", "NIFTY29DEC26FUT", "2026-12-29"],
    ["NIFTY27JANFUT", "NFO", "NIFTY25JAN27FUT", "2027-01-25"],
    ["BANKNIFTY26DEC55100PE", "NFO", "BANKNIFTY29DEC2655100PE", "2026-12-29"],
    ["BANKNIFTY27JAN55000CE", "NFO", "BANKNIFTY25JAN2755000CE", "2027-01-25"],
    ["SENSEX26D1085000CE", "BFO", "SENSEX10DEC2685000CE", "2026-12-10"],
    ["SENSEX26DEC85000PE", "BFO", "SENSEX31DEC2685000PE", "2026-12-31"],
    ["SENSEX26DECFUT", "BFO", "SENSEX31DEC26FUT", "2026-12-31"],
  ])("%s on %s is %s (expiry %s), and back", (kite, exchange, symbol, expiry) => {
    const row = master.brokerSymbol(kite, exchange);
    expect(row).toMatchObject({ symbol, exchange, expiry });
    expect(master.symbol(symbol, exchange as "NFO")?.brokerSymbol).toBe(kite);
  });

  it("weekly and monthly contracts of one strike stay apart", () => {
    const weekly = master.symbol("NIFTY08DEC2624500CE", "NFO")!;
    const monthly = master.symbol("NIFTY29DEC2624500CE", "NFO")!;
    expect(weekly.token).not.toBe(monthly.token);
    expect(weekly.brokerSymbol).toBe("NIFTY26D0824500CE");
    expect(monthly.brokerSymbol).toBe("NIFTY26DEC24500CE");
  });

  it("strikes are rupees, lots and ticks as listed, freeze limits from the seeded table", () => {
    const row = master.symbol("SENSEX10DEC2685000CE", "BFO")!;
    expect(row.strike!.toString()).toBe("85000");
    expect(row.lotSize).toBe(20);
    expect(row.tickSize.toString()).toBe("0.05");
    expect(row.freezeQty).toBe(1000);
    expect(row.underlying).toBe("SENSEX");
    expect(row.optionType).toBe("CE");
    expect(master.symbol("NIFTY29DEC26FUT", "NFO")).toMatchObject({ strike: null, lotSize: 65, freezeQty: 1800 });
  });

  it("indices and equities keep their plain symbols", () => {
    expect(master.brokerSymbol("NIFTY 50", "NSE")).toMatchObject({
      symbol: "NIFTY",
      exchange: "NSE_INDEX",
      token: "256265",
    });
    expect(master.brokerSymbol("NIFTY BANK", "NSE")).toMatchObject({ symbol: "BANKNIFTY", exchange: "NSE_INDEX" });
    expect(master.brokerSymbol("SENSEX", "BSE")).toMatchObject({ symbol: "SENSEX", exchange: "BSE_INDEX" });
    expect(master.symbol("SBIN", "NSE")).toMatchObject({ brokerSymbol: "SBIN", token: "779521", lotSize: 1 });
    expect(master.symbol("SBIN", "BSE")?.token).toBe("128028676");
  });

  it("derivatives are indexed by underlying; the SDK's parsed rows map the same way", () => {
    expect(master.derivatives("NIFTY", "NFO")).toHaveLength(13);
    expect(master.derivatives("SENSEX", "BFO")).toHaveLength(5);
    const raw = records.find((r) => r.tradingsymbol === "NIFTY26D0824500CE")!;
    const parsedBySdk = { ...raw, strike: 24500, lot_size: 65, tick_size: 0.05, expiry: new Date("2026-12-08") };
    expect(masterRowOf(parsedBySdk)).toEqual(masterRowOf(raw));
  });
});
