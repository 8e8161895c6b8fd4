import { describe, expect, it } from "vitest";
import {
  atmStrike,
  convertExpiry,
  formatExpiry,
  futureSymbol,
  isOnStrikeGrid,
  optionSymbol,
  parseDerivativeSymbol,
  parseExpiry,
  parseStrikeOffset,
  strikeAtOffset,
  strikeOffsetLabel,
} from "./symbols";

describe("expiry formats", () => {
  it("formats an ISO date in every format", () => {
    expect(formatExpiry("2025-11-25", "DDMMMYY")).toBe("25NOV25");
    expect(formatExpiry("2025-11-25", "DD-MMM-YY")).toBe("25-NOV-25");
    expect(formatExpiry("2026-08-05", "DD-Mon-YYYY")).toBe("05-Aug-2026");
  });
  it("parses every format back, case-insensitively", () => {
    for (const t of ["25NOV25", "25-NOV-25", "25-Nov-2025", "25-nov-2025", "2025-11-25"])
      expect(parseExpiry(t)).toBe("2025-11-25");
    expect(convertExpiry("28-AUG-25", "DDMMMYY")).toBe("28AUG25");
    expect(convertExpiry("28AUG25", "DD-Mon-YYYY")).toBe("28-Aug-2025");
  });
  it("rejects impossible or malformed expiries", () => {
    for (const t of ["31FEB26", "25XYZ25", "2025-13-01", "5NOV25", ""]) expect(parseExpiry(t)).toBeUndefined();
  });
});

describe("option and future symbols", () => {
  it("builds OpenAlgo symbols", () => {
    expect(optionSymbol("NIFTY", "2025-11-25", 26000, "CE")).toBe("NIFTY25NOV2526000CE");
    expect(optionSymbol("nifty", "2024-11-28", "24000", "PE")).toBe("NIFTY28NOV2424000PE");
    expect(futureSymbol("BANKNIFTY", "2024-04-24")).toBe("BANKNIFTY24APR24FUT");
    expect(optionSymbol("VEDL", "2024-04-25", 292.5, "CE")).toBe("VEDL25APR24292.5CE");
  });
  it("round-trips build → parse, fractional strikes included", () => {
    const cases = [
      ["NIFTY", "2025-11-25", 26000, "CE"],
      ["SENSEX", "2026-03-25", 85100, "PE"],
      ["VEDL", "2024-04-25", 292.5, "CE"],
      ["MIDCPNIFTY", "2026-01-27", 13525, "PE"],
    ] as const;
    for (const [u, e, k, t] of cases) {
      expect(parseDerivativeSymbol(optionSymbol(u, e, k, t))).toEqual({
        kind: "option",
        underlying: u,
        expiry: e,
        strike: k,
        optionType: t,
      });
    }
    expect(parseDerivativeSymbol("NIFTY25NOV25FUT")).toEqual({
      kind: "future",
      underlying: "NIFTY",
      expiry: "2025-11-25",
    });
  });
  it("parses underlyings that end in digits and currency strikes", () => {
    expect(parseDerivativeSymbol("SENSEX5025NOV2585000PE")).toMatchObject({ underlying: "SENSEX50", strike: 85000 });
    expect(parseDerivativeSymbol("USDINR19APR2482CE")).toMatchObject({
      underlying: "USDINR",
      expiry: "2024-04-19",
      strike: 82,
    });
    expect(parseDerivativeSymbol("M&M30DEC25FUT")).toMatchObject({ kind: "future", underlying: "M&M" });
  });
  it("rejects equities, impossible dates and non-canonical strikes", () => {
    for (const s of [
      "SBIN",
      "NIFTY",
      "NIFTY31FEB2626000CE",
      "NIFTY25NOV2526000XE",
      "NIFTY25NOV25026000CE",
      "NIFTY25NOV2526000.0CE",
      "NIFTY25NOV25CE",
    ]) {
      expect(parseDerivativeSymbol(s)).toBeUndefined();
    }
  });
});

describe("strike selection", () => {
  it("rounds spot to the nearest step for ATM", () => {
    expect(atmStrike(25974.9, 50)).toBe(25950);
    expect(atmStrike(25975, 50)).toBe(26000);
    expect(atmStrike(59049.99, 100)).toBe(59000);
    expect(atmStrike(13512.4, 25)).toBe(13500);
    expect(atmStrike(291.3, 2.5)).toBe(292.5);
    expect(() => atmStrike(100, 0)).toThrow(RangeError);
  });
  it("puts CE ITM below ATM and PE ITM above", () => {
    expect(strikeAtOffset(26000, 50, "ATM", "CE")).toBe(26000);
    expect(strikeAtOffset(26000, 50, "ITM2", "CE")).toBe(25900);
    expect(strikeAtOffset(26000, 50, "OTM3", "CE")).toBe(26150);
    expect(strikeAtOffset(26000, 50, "ITM2", "PE")).toBe(26100);
    expect(strikeAtOffset(26000, 50, "OTM3", "PE")).toBe(25850);
    expect(strikeAtOffset(292.5, 2.5, "otm1", "CE")).toBe(295);
    expect(() => strikeAtOffset(26000, 50, "ITM0", "CE")).toThrow(RangeError);
  });
  it("labels strikes relative to ATM like the option chain", () => {
    expect(strikeOffsetLabel(25900, 26000, 50, "CE")).toBe("ITM2");
    expect(strikeOffsetLabel(25900, 26000, 50, "PE")).toBe("OTM2");
    expect(strikeOffsetLabel(26000, 26000, 50, "PE")).toBe("ATM");
    expect(parseStrikeOffset("OTM12")).toEqual({ kind: "OTM", n: 12 });
    expect(parseStrikeOffset("ITM-1")).toBeUndefined();
    expect(isOnStrikeGrid(26050, 50)).toBe(true);
    expect(isOnStrikeGrid(26025, 50)).toBe(false);
  });
});
