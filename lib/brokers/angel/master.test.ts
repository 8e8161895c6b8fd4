/** Angel's scrip master (the shipped sample, shaped like the real download) into MirrorDesk's symbols and back. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { parseAngelExpiry, parseAngelMaster } from "./master";

const raw: unknown = JSON.parse(
  readFileSync(fileURLToPath(new URL("./fixtures/OpenAPIScripMaster.sample.json", import.meta.url)), "utf8"),
);
const rows = parseAngelMaster(raw);
const master = new InstrumentMaster(rows, "2026-12-07");

describe("angel scrip master", () => {
  it("maps each derivative row to the OpenAlgo symbol and back to Angel's symbol and token", () => {
    const cases: [string, string, string, string][] = [
      // [segment, Angel symbol, OpenAlgo symbol, OpenAlgo exchange]
      ["NFO", "NIFTY08DEC2626000CE", "NIFTY08DEC2626000CE", "NFO"],
      ["NFO", "NIFTY15DEC2625950PE", "NIFTY15DEC2625950PE", "NFO"],
      ["NFO", "NIFTY29DEC2626050CE", "NIFTY29DEC2626050CE", "NFO"],
      ["NFO", "NIFTY29DEC26FUT", "NIFTY29DEC26FUT", "NFO"],
      ["NFO", "NIFTY26JAN27FUT", "NIFTY26JAN27FUT", "NFO"],
      ["NFO", "BANKNIFTY29DEC2659900PE", "BANKNIFTY29DEC2659900PE", "NFO"],
      ["BFO", "SENSEX10DEC2685000CE", "SENSEX10DEC2685000CE", "BFO"],
      ["BFO", "SENSEX31DEC26FUT", "SENSEX31DEC26FUT", "BFO"],
      ["NSE", "SBIN-EQ", "SBIN", "NSE"],
      ["BSE", "SBIN", "SBIN", "BSE"],
      ["NSE", "Nifty 50", "NIFTY", "NSE_INDEX"],
      ["NSE", "Nifty Bank", "BANKNIFTY", "NSE_INDEX"],
      ["BSE", "SENSEX", "SENSEX", "BSE_INDEX"],
    ];
    for (const [seg, angel, symbol, exchange] of cases) {
      const row = master.brokerSymbol(angel, seg);
      expect(row, angel).toBeDefined();
      expect([row!.symbol, row!.exchange]).toEqual([symbol, exchange]);
      const back = master.symbol(symbol, row!.exchange);
      expect(back?.brokerSymbol).toBe(angel);
      expect(master.token(back!.token, seg)).toBe(back);
    }
  });

  it("reads strikes and tick sizes in paise, expiries as DDMMMYYYY, lot sizes and freeze quantities", () => {
    const ce = master.symbol("NIFTY08DEC2626000CE", "NFO")!;
    expect(ce.strike!.eq(26000)).toBe(true);
    expect(ce.tickSize.eq(new Decimal("0.05"))).toBe(true);
    expect(ce).toMatchObject({
      expiry: "2026-12-08",
      lotSize: 65,
      freezeQty: 1800,
      optionType: "CE",
      underlying: "NIFTY",
    });
    const fut = master.symbol("NIFTY29DEC26FUT", "NFO")!;
    expect(fut.tickSize.eq(new Decimal("0.1"))).toBe(true);
    expect(fut.strike).toBeNull();
    expect(master.symbol("BANKNIFTY29DEC2660000CE", "NFO")).toMatchObject({ lotSize: 30, freezeQty: 600 });
    expect(master.symbol("SENSEX31DEC2685000PE", "BFO")).toMatchObject({
      lotSize: 20,
      freezeQty: 1000,
      expiry: "2026-12-31",
    });
    expect(parseAngelExpiry("26DEC2024")).toBe("2024-12-26");
    expect(parseAngelExpiry("26DEC24")).toBeUndefined();
  });

  it("keeps NIFTY weekly and monthly expiries apart, BANKNIFTY monthly only, SENSEX weekly on Thursdays", () => {
    const expiries = (u: string, ex: "NFO" | "BFO") =>
      [
        ...new Set(
          master
            .derivatives(u, ex)
            .filter((r) => r.optionType)
            .map((r) => r.expiry),
        ),
      ].sort();
    expect(expiries("NIFTY", "NFO")).toEqual(["2026-12-08", "2026-12-15", "2026-12-29"]);
    expect(expiries("BANKNIFTY", "NFO")).toEqual(["2026-12-29"]);
    expect(expiries("SENSEX", "BFO")).toEqual(["2026-12-10", "2026-12-31"]);
  });

  it("leaves out other series, stock derivatives and commodities; refuses a body that is not an array", () => {
    expect(master.brokerSymbol("IDEA-BE", "NSE")).toBeUndefined();
    expect(master.brokerSymbol("SBIN29DEC26FUT", "NFO")).toBeUndefined();
    expect(master.brokerSymbol("SBIN29DEC26900CE", "NFO")).toBeUndefined();
    expect(master.brokerSymbol("CRUDEOIL18DEC26FUT", "MCX")).toBeUndefined();
    expect(rows.length).toBe(35);
    expect(() => parseAngelMaster({ data: [] })).toThrow(TypeError);
  });
});
