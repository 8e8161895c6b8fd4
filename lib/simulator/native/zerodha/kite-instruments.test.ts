import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { kiteRecords, masterRows, parseKiteCsv } from "@/lib/brokers/zerodha/master";
import { createMarket } from "@/lib/simulator/market/market";
import { instrumentsCsv, kiteCatalog } from "./kite-instruments";
import { kiteSessionExpiry } from "./kite-wire";

const market = createMarket({
  seed: 9,
  clock: { mode: "fixed", startAt: Date.parse("2026-12-07T04:00:00Z") },
  alwaysOpen: true,
});
const catalog = kiteCatalog(market);

describe("the simulator's instruments in Kite's terms", () => {
  it("names weekly options with the month character, monthly ones with the month, futures by month", () => {
    const weekly = catalog.bySim.get("NFO:NIFTY08DEC2624500CE");
    expect(weekly).toMatchObject({ tradingsymbol: "NIFTY26D0824500CE", segment: "NFO-OPT", exchange: "NFO" });
    expect(catalog.bySim.get("NFO:NIFTY29DEC2624500PE")?.tradingsymbol).toBe("NIFTY26DEC24500PE");
    expect(catalog.bySim.get("NFO:NIFTY05JAN2724500CE")?.tradingsymbol).toBe("NIFTY2710524500CE");
    expect(catalog.bySim.get("NFO:NIFTY29DEC26FUT")?.tradingsymbol).toBe("NIFTY26DECFUT");
    expect(catalog.bySim.get("BFO:SENSEX31DEC26FUT")).toMatchObject({
      tradingsymbol: "SENSEX26DECFUT",
      segment: "BFO-FUT",
    });
    expect(catalog.bySim.get("NSE_INDEX:NIFTY")).toMatchObject({
      tradingsymbol: "NIFTY 50",
      exchange: "NSE",
      segment: "INDICES",
    });
  });

  it("tokens are exchange token × 256 + the segment id", () => {
    for (const k of catalog.list) {
      const id = k.segment === "INDICES" ? 9 : { NSE: 1, NFO: 2, CDS: 3, BSE: 4, BFO: 5, BCD: 6, MCX: 7 }[k.exchange];
      expect(k.instrumentToken).toBe(k.exchangeToken * 256 + id!);
    }
  });

  it("the connector's master reader gets every simulator symbol back from the CSV", () => {
    const csv = instrumentsCsv(catalog);
    expect(csv.split("\n")[0]).toBe(
      "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange",
    );
    const master = new InstrumentMaster(masterRows(kiteRecords(parseKiteCsv(csv))), "2026-12-07");
    const derivatives = catalog.list.filter((k) => k.expiry !== "");
    expect(derivatives.length).toBeGreaterThan(1000);
    for (const k of catalog.list) {
      const row = master.brokerSymbol(k.tradingsymbol, k.exchange);
      expect(row?.symbol).toBe(k.sim.symbol);
      expect(row?.exchange).toBe(k.sim.exchange);
    }
  });

  it("a token dies at the first 06:00 IST after it was issued", () => {
    expect(new Date(kiteSessionExpiry(Date.parse("2026-12-07T21:00:00Z"))).toISOString()).toBe(
      "2026-12-08T00:30:00.000Z",
    );
    expect(new Date(kiteSessionExpiry(Date.parse("2026-12-08T00:30:00Z"))).toISOString()).toBe(
      "2026-12-09T00:30:00.000Z",
    );
  });
});
