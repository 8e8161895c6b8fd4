import { describe, expect, it } from "vitest";
import { bookRowKey, bookTotals, repriceRow, rowUnrealised, sumPnl, type BookRow } from "./live-book";

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

  it("sums P&L exactly, and a sum with any part unknown is unknown", () => {
    expect(sumPnl(["0.1", "0.2", "-0.05"])?.toString()).toBe("0.25");
    expect(sumPnl([])?.toString()).toBe("0");
    expect(sumPnl(["100", null, "5"])).toBeNull();
  });

  it("subtotals per account and per strategy: unknown when a row is unpriced, counting those rows", () => {
    const rows = [
      row({ unrealisedPnl: "500", realisedPnl: "100" }),
      row({ accountId: "acc-2", accountName: "Beta", unrealisedPnl: "-200", realisedPnl: "-50.5" }),
      row({ strategyId: null, strategyName: null, symbol: "SBIN", unrealisedPnl: null, realisedPnl: "10" }),
      row({ strategyId: null, strategyName: null, symbol: "TCS", netQty: 0, unrealisedPnl: "0", realisedPnl: null }),
    ];
    const t = bookTotals(rows);
    expect(t.total).toEqual({
      id: null,
      name: "Total",
      realised: null,
      unrealised: null,
      total: null,
      open: 3,
      unpriced: 2,
      notLive: 0,
    });
    expect(t.accounts.map((a) => [a.name, a.realised, a.unrealised, a.total, a.unpriced])).toEqual([
      ["Alpha", null, null, null, 2],
      ["Beta", "-50.5", "-200", "-250.5", 0],
    ]);
    expect(t.strategies.map((s) => [s.id, s.name, s.unrealised, s.open])).toEqual([
      ["s-1", "Condor", "300", 2],
      [null, "Manual tickets", null, 1],
    ]);
  });

  it("a flat row counts 0 unrealised; open rows priced by REST or flagged stale are counted as not live", () => {
    const rows = [
      row({ unrealisedPnl: "500", ltp: "106.67", priceSource: "rest" }),
      row({ symbol: "B", unrealisedPnl: "-20", ltp: "99", stale: true }),
      row({ symbol: "C", unrealisedPnl: "1", ltp: "100", priceSource: "feed" }),
      row({ symbol: "D", netQty: 0, unrealisedPnl: null, ltp: null, realisedPnl: "-7.25" }),
    ];
    expect(bookTotals(rows).total).toMatchObject({
      realised: "-7.25",
      unrealised: "481",
      total: "473.75",
      open: 3,
      unpriced: 0,
      notLive: 2,
    });
  });

  it("keys rows by scope, account, contract and product", () => {
    expect(bookRowKey(row({}))).toBe("s-1||acc-1|NFO|NIFTY08DEC2624500CE|NRML");
    expect(bookRowKey(row({ strategyId: null, runId: "r" }))).toBe("|r|acc-1|NFO|NIFTY08DEC2624500CE|NRML");
  });

  it("never gives a copy group's row and a manual ticket's row in one contract the same key or subtotal", () => {
    const ticket = row({ strategyId: null, strategyName: null, netQty: 75, realisedPnl: "10", unrealisedPnl: "5" });
    const copy = row({ strategyId: null, strategyName: "Copy: Desk", copyGroupId: "g-1", netQty: 150 });
    expect(bookRowKey(copy)).toBe("||copy:g-1|acc-1|NFO|NIFTY08DEC2624500CE|NRML");
    expect(bookRowKey(copy)).not.toBe(bookRowKey(ticket));
    const { strategies } = bookTotals([copy, ticket]);
    expect(strategies.map((s) => [s.id, s.name, s.open])).toEqual([
      ["copy:g-1", "Copy: Desk", 1],
      [null, "Manual tickets", 1],
    ]);
  });
});
