import { describe, expect, it } from "vitest";
import { copyFilterVerdict, windowMinutes } from "./filters";
import type { CopyFilters } from "./types";

const base: CopyFilters = {
  exchanges: ["NFO", "BFO"],
  products: [],
  allowSymbols: [],
  denySymbols: [],
  windowStart: null,
  windowEnd: null,
};
const opt = { symbol: "NIFTY08DEC2624500CE", exchange: "NFO", product: "NRML" };
const at = (hhmm: string, opening = true) => ({ opening, istMinutes: windowMinutes(hhmm)! });

describe("copyFilterVerdict", () => {
  it.each([
    ["copies F&O by default", base, opt, at("10:00"), null],
    [
      "refuses an exchange not listed",
      base,
      { ...opt, exchange: "NSE", symbol: "SBIN" },
      at("10:00"),
      "exchange NSE not copied",
    ],
    ["refuses a product not listed", { ...base, products: ["MIS"] }, opt, at("10:00"), "product NRML not copied"],
    ["an empty product list copies all", { ...base, products: [] }, { ...opt, product: "MIS" }, at("10:00"), null],
    [
      "deny by underlying",
      { ...base, denySymbols: ["nifty"] },
      opt,
      at("10:00"),
      "NIFTY08DEC2624500CE is on the deny list",
    ],
    [
      "deny by exact symbol",
      { ...base, denySymbols: [opt.symbol] },
      opt,
      at("10:00"),
      "NIFTY08DEC2624500CE is on the deny list",
    ],
    [
      "deny does not match a longer underlying",
      { ...base, denySymbols: ["NIFTY"] },
      { ...opt, symbol: "BANKNIFTY30DEC2652000PE" },
      at("10:00"),
      null,
    ],
    ["allow by underlying", { ...base, allowSymbols: ["NIFTY"] }, opt, at("10:00"), null],
    [
      "allow list refuses others",
      { ...base, allowSymbols: ["BANKNIFTY"] },
      opt,
      at("10:00"),
      "NIFTY08DEC2624500CE is not on the allow list",
    ],
    [
      "deny wins over allow",
      { ...base, allowSymbols: ["NIFTY"], denySymbols: [opt.symbol] },
      opt,
      at("10:00"),
      "NIFTY08DEC2624500CE is on the deny list",
    ],
    ["inside the window", { ...base, windowStart: "09:20", windowEnd: "15:00" }, opt, at("09:20"), null],
    [
      "before the window",
      { ...base, windowStart: "09:20", windowEnd: "15:00" },
      opt,
      at("09:19"),
      "outside the copy window 09:20–15:00",
    ],
    [
      "at the window's end",
      { ...base, windowStart: "09:20", windowEnd: "15:00" },
      opt,
      at("15:00"),
      "outside the copy window 09:20–15:00",
    ],
    ["closes ignore the window", { ...base, windowStart: "09:20", windowEnd: "15:00" }, opt, at("15:20", false), null],
    ["only a start", { ...base, windowStart: "10:00" }, opt, at("09:59"), "outside the copy window 10:00–"],
    ["a window over midnight", { ...base, windowStart: "22:00", windowEnd: "02:00" }, opt, at("01:00"), null],
  ] as const)("%s", (_name, filters, contract, when, expected) => {
    expect(copyFilterVerdict(filters, contract, when)).toBe(expected);
  });

  it("reads HH:MM and nothing else", () => {
    expect(windowMinutes("09:15")).toBe(555);
    expect(windowMinutes("24:00")).toBeNull();
    expect(windowMinutes("9:15")).toBeNull();
  });
});
