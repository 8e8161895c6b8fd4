import { describe, expect, it } from "vitest";
import { bookRowKey, bookTotals, repriceRow, rowUnrealised, type BookRow } from "./live-book";

const row = (over: Partial<BookRow>): BookRow => ({
  accountId: "acc-1",
  accountName: "Alpha",
  strategyId: "s-1",
  strategyName: "Condor",
  runId: null,
  exchange: "NFO",
  symbol: "NIFTY08DEC2624500CE",
  product: "NRML",
  netQty: 75,
  avgPrice: "100",
  ltp: null,
  realisedPnl: "0",
  unrealisedPnl: null,
  closedOutside: false,
  ...over,
});

describe("live book", () => {
  it("re-prices with the ledger's definition, (LTP − average) × net quantity, for longs and shorts", () => {
    expect(repriceRow(row({}), "112.35").unrealisedPnl).toBe("926.25");
    expect(repriceRow(row({ netQty: -150, avgPrice: "80.5" }), "70").unrealisedPnl).toBe("1575");
    expect(repriceRow(row({}), "112.35").ltp).toBe("112.35");
  });

  it("keeps a flat row at zero and a row closed outside MirrorDesk at zero; no average means unknown", () => {
    const flat = row({ netQty: 0, avgPrice: null, unrealisedPnl: "0" });
    expect(repriceRow(flat, "120")).toBe(flat);
    expect(repriceRow(row({ closedOutside: true }), "120").unrealisedPnl).toBe("0");
    expect(rowUnrealised(row({ avgPrice: null }), "120")).toBeNull();
    expect(rowUnrealised(row({}), null)).toBeNull();
  });

  it("subtotals per account and per strategy add known amounts and count what they leave out", () => {
    const rows = [
      row({ unrealisedPnl: "500", realisedPnl: "100" }),
      row({ accountId: "acc-2", accountName: "Beta", unrealisedPnl: "-200", realisedPnl: "-50.5" }),
      row({ strategyId: null, strategyName: null, symbol: "SBIN", unrealisedPnl: null, realisedPnl: "10" }),
      row({ strategyId: null, strategyName: null, symbol: "TCS", netQty: 0, unrealisedPnl: "0", realisedPnl: null }),
    ];
    const t = bookTotals(rows);
    expect(t.total).toEqual({ id: null, name: "Total", realised: "59.5", unrealised: "300", open: 3, unpriced: 2 });
    expect(t.accounts.map((a) => [a.name, a.realised, a.unrealised, a.unpriced])).toEqual([
      ["Alpha", "110", "500", 2],
      ["Beta", "-50.5", "-200", 0],
    ]);
    expect(t.strategies.map((s) => [s.id, s.name, s.unrealised, s.open])).toEqual([
      ["s-1", "Condor", "300", 2],
      [null, "Manual tickets", "0", 1],
    ]);
  });

  it("keys rows by scope, account, contract and product", () => {
    expect(bookRowKey(row({}))).toBe("s-1||acc-1|NFO|NIFTY08DEC2624500CE|NRML");
    expect(bookRowKey(row({ strategyId: null, runId: "r" }))).toBe("|r|acc-1|NFO|NIFTY08DEC2624500CE|NRML");
  });
});
