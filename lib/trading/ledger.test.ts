import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  buildLedger,
  excessExited,
  ledgerFills,
  splitExitFills,
  unrealisedPnl,
  type ExitAllocation,
  type IntentFill,
  type LedgerFill,
} from "./ledger";

const d = (v: Decimal.Value) => new Decimal(v);
const S1 = { strategyId: "s1", runId: null };
const fill = (
  action: "BUY" | "SELL",
  quantity: number,
  price: Decimal.Value | null,
  over: Partial<LedgerFill> = {},
): LedgerFill => ({
  scope: S1,
  accountId: "a1",
  symbol: "NIFTY25NOV2526000CE",
  exchange: "NFO",
  product: "NRML",
  action,
  quantity,
  price: price === null ? null : d(price),
  ...over,
});

describe("buildLedger (average cost)", () => {
  const cases: { name: string; fills: LedgerFill[]; netQty: number; avg: string | null; realised: string | null }[] = [
    {
      name: "one buy opens a long at its price",
      fills: [fill("BUY", 65, "100")],
      netQty: 65,
      avg: "100",
      realised: "0",
    },
    {
      name: "two buys average by quantity",
      fills: [fill("BUY", 65, "100"), fill("BUY", 130, "130")],
      netQty: 195,
      avg: "120",
      realised: "0",
    },
    {
      name: "a partial sell realises against the average and keeps it",
      fills: [fill("BUY", 130, "100"), fill("SELL", 65, "110")],
      netQty: 65,
      avg: "100",
      realised: "650",
    },
    {
      name: "selling out flattens: average gone, P&L realised",
      fills: [fill("BUY", 65, "100"), fill("SELL", 65, "90.5")],
      netQty: 0,
      avg: null,
      realised: "-617.5",
    },
    {
      name: "a short gains when bought back lower",
      fills: [fill("SELL", 65, "200"), fill("BUY", 65, "150")],
      netQty: 0,
      avg: null,
      realised: "3250",
    },
    {
      name: "shorts average like longs",
      fills: [fill("SELL", 65, "200"), fill("SELL", 65, "100")],
      netQty: -130,
      avg: "150",
      realised: "0",
    },
    {
      name: "an oversized sell closes the long and opens a short at its price",
      fills: [fill("BUY", 65, "100"), fill("SELL", 130, "120")],
      netQty: -65,
      avg: "120",
      realised: "1300",
    },
    {
      name: "an oversized buy closes the short and opens a long",
      fills: [fill("SELL", 65, "100"), fill("BUY", 195, "90")],
      netQty: 130,
      avg: "90",
      realised: "650",
    },
    {
      name: "a fill without a price leaves quantities exact and prices unknown",
      fills: [fill("BUY", 65, "100"), fill("BUY", 65, null)],
      netQty: 130,
      avg: null,
      realised: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [row] = buildLedger(c.fills);
      expect(row.netQty).toBe(c.netQty);
      expect(row.avgPrice?.toString() ?? null).toBe(c.avg);
      expect(row.realisedPnl?.toString() ?? null).toBe(c.realised);
    });
  }

  it("keeps one row per scope, account, symbol, exchange and product", () => {
    const rows = buildLedger([
      fill("BUY", 65, "100"),
      fill("SELL", 65, "100", { scope: { strategyId: "s2", runId: null } }),
      fill("BUY", 65, "100", { accountId: "a2" }),
      fill("BUY", 65, "100", { product: "MIS" }),
      fill("BUY", 65, "100", { exchange: "BFO" }),
      fill("BUY", 65, "100", { symbol: "NIFTY25NOV2526000PE" }),
      fill("BUY", 65, "100"),
    ]);
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r.scope.strategyId === "s2")?.netQty).toBe(-65);
    expect(
      rows.find(
        (r) =>
          r.scope.strategyId === "s1" &&
          r.accountId === "a1" &&
          r.product === "NRML" &&
          r.exchange === "NFO" &&
          r.symbol.endsWith("CE"),
      )?.netQty,
    ).toBe(130);
  });

  it("counts bought and sold units", () => {
    const [row] = buildLedger([fill("BUY", 65, "1"), fill("SELL", 130, "1"), fill("BUY", 65, "1")]);
    expect([row.boughtQty, row.soldQty, row.netQty]).toEqual([130, 130, 0]);
  });

  it("refuses a fill of zero or fractional units", () => {
    expect(() => buildLedger([fill("BUY", 0, "1")])).toThrow(RangeError);
    expect(() => buildLedger([fill("BUY", 1.5, "1")])).toThrow(RangeError);
  });
});

describe("unrealisedPnl", () => {
  const cases: [string, number, string | null, string | null, string | null][] = [
    ["long above its average", 65, "100", "110", "650"],
    ["long below", 65, "100", "95", "-325"],
    ["short below its average gains", -65, "100", "90", "650"],
    ["flat is zero whatever the price", 0, null, null, "0"],
    ["no LTP: unknown, not zero", 65, "100", null, null],
    ["a zero LTP is no price", 65, "100", "0", null],
    ["no average: unknown", 65, null, "100", null],
  ];
  for (const [name, netQty, avg, ltp, want] of cases) {
    it(name, () => {
      expect(
        unrealisedPnl({ netQty, avgPrice: avg === null ? null : d(avg) }, ltp === null ? null : d(ltp))?.toString() ??
          null,
      ).toBe(want);
    });
  }
});

const alloc = (runId: string | null, quantity: number, legIndex: number | null = null): ExitAllocation => ({
  runId,
  strategyId: runId ? `s-${runId}` : null,
  legIndex,
  quantity,
});

describe("splitExitFills", () => {
  it("gives the first allocation the first units, across slices, at each slice's price", () => {
    const parts = splitExitFills(
      [
        { filled: 100, price: d(10) },
        { filled: 95, price: d(11) },
      ],
      [alloc("r1", 130), alloc("r2", 65)],
    );
    expect(parts.map((p) => [p.allocation?.runId ?? null, p.quantity, p.price?.toString()])).toEqual([
      ["r1", 100, "10"],
      ["r1", 30, "11"],
      ["r2", 65, "11"],
    ]);
  });
  it("a partly filled leg fills allocations in order and leaves the later ones short", () => {
    const parts = splitExitFills(
      [
        { filled: 65, price: d(10) },
        { filled: 0, price: null },
      ],
      [alloc("r1", 65), alloc("r2", 65)],
    );
    expect(parts.map((p) => [p.allocation?.runId, p.quantity])).toEqual([["r1", 65]]);
  });
  it("units beyond every allocation are unallocated", () => {
    const parts = splitExitFills([{ filled: 130, price: d(1) }], [alloc("r1", 65)]);
    expect(parts.map((p) => [p.allocation?.runId ?? null, p.quantity])).toEqual([
      ["r1", 65],
      [null, 65],
    ]);
  });
});

const intent = (over: Partial<IntentFill>): IntentFill => ({
  runId: "r1",
  runKind: "STRATEGY",
  strategyId: "s1",
  accountId: "a1",
  legIndex: 0,
  sliceIndex: 0,
  symbol: "X",
  exchange: "NFO",
  product: "NRML",
  action: "BUY",
  filledQuantity: 65,
  averagePrice: d(100),
  ...over,
});

describe("ledgerFills: attribution", () => {
  const exitAllocs = new Map<string, ExitAllocation[]>([
    [
      "x1|a1|0",
      [
        { runId: "r1", strategyId: "s1", legIndex: null, quantity: 65 },
        { runId: "t1", strategyId: null, legIndex: null, quantity: 65 },
        { runId: null, strategyId: null, legIndex: null, quantity: 65 },
      ],
    ],
  ]);
  const rows: IntentFill[] = [
    intent({}),
    intent({ runId: "t1", runKind: "TICKET", strategyId: null }),
    intent({
      runId: "x1",
      runKind: "EXIT",
      strategyId: null,
      action: "SELL",
      filledQuantity: 130,
      averagePrice: d(110),
    }),
    intent({
      runId: "x1",
      runKind: "EXIT",
      strategyId: null,
      action: "SELL",
      sliceIndex: 1,
      filledQuantity: 65,
      averagePrice: d(111),
    }),
    intent({ runId: "r2", strategyId: "s1", filledQuantity: 0 }),
  ];

  it("per strategy: exit fills count against the strategies and runs they close; unallocated units are nobody's", () => {
    const ledger = buildLedger(ledgerFills(rows, exitAllocs, "strategy"));
    const byScope = Object.fromEntries(
      ledger.map((r) => [`${r.scope.strategyId}|${r.scope.runId}`, [r.netQty, r.realisedPnl?.toString()]]),
    );
    expect(byScope).toEqual({ "s1|null": [0, "650"], "null|null": [0, "650"] });
  });

  it("per strategy: offsetting manual tickets in one contract net to one position (account, contract, product)", () => {
    const tickets: IntentFill[] = [
      intent({ runId: "t1", runKind: "TICKET", strategyId: null, filledQuantity: 130, averagePrice: d(100) }),
      intent({
        runId: "t2",
        runKind: "TICKET",
        strategyId: null,
        action: "SELL",
        filledQuantity: 65,
        averagePrice: d(110),
      }),
      intent({ runId: "t3", runKind: "TICKET", strategyId: null, filledQuantity: 65, averagePrice: d(104) }),
      intent({ runId: "t4", runKind: "TICKET", strategyId: null, product: "MIS", filledQuantity: 65 }),
    ];
    const ledger = buildLedger(ledgerFills(tickets, new Map(), "strategy"));
    expect(
      ledger.map((p) => [
        p.scope.strategyId,
        p.scope.runId,
        p.product,
        p.netQty,
        p.avgPrice?.toString(),
        p.realisedPnl?.toString(),
      ]),
    ).toEqual([
      [null, null, "NRML", 130, "102", "650"],
      [null, null, "MIS", 65, "100", "0"],
    ]);
  });

  it("a broker-side stop's fills close the run it protects, not a position of their own", () => {
    const fills: IntentFill[] = [
      intent({ runId: "r1", action: "SELL", filledQuantity: 130, averagePrice: d(100) }),
      intent({ runId: "st1", runKind: "STOP_ORDERS", protectsRunId: "r1", filledQuantity: 130, averagePrice: d(120) }),
    ];
    expect(
      buildLedger(ledgerFills(fills, new Map(), "run")).map((p) => [
        p.scope.runId,
        p.netQty,
        p.realisedPnl?.toString(),
      ]),
    ).toEqual([["r1", 0, "-2600"]]);
  });

  it("per run: the strategy's runs are separate scopes", () => {
    const ledger = buildLedger(ledgerFills([...rows, intent({ runId: "r3", filledQuantity: 65 })], exitAllocs, "run"));
    const byRun = Object.fromEntries(ledger.map((r) => [r.scope.runId, r.netQty]));
    expect(byRun).toEqual({ r1: 0, t1: 0, r3: 65 });
  });

  it("an auto allocation (kill switch) closes the runs open on the other side, first opened first, the rest nobody's", () => {
    const rows: IntentFill[] = [
      intent({ runId: "r1", filledQuantity: 65 }),
      intent({ runId: "r2", strategyId: "s2", filledQuantity: 130 }),
      intent({ runId: "r3", strategyId: "s3", action: "SELL", filledQuantity: 65 }),
      intent({
        runId: "x1",
        runKind: "EXIT",
        strategyId: null,
        action: "SELL",
        filledQuantity: 260,
        averagePrice: d(90),
      }),
      intent({ runId: "r4", strategyId: "s4", filledQuantity: 65 }),
    ];
    const allocs = new Map([
      ["x1|a1|0", [{ runId: null, strategyId: null, legIndex: null, quantity: 260, auto: true }]],
    ]);
    const byRun = Object.fromEntries(
      buildLedger(ledgerFills(rows, allocs, "run")).map((r) => [r.scope.runId, [r.netQty, r.realisedPnl?.toString()]]),
    );
    // r1 and r2 closed at 90 (bought at 100), the short r3 untouched, r4 opened after the exit untouched.
    expect(byRun).toEqual({ r1: [0, "-650"], r2: [0, "-1300"], r3: [-65, "0"], r4: [65, "0"] });
  });

  it("a partly filled auto exit closes the first-opened run first", () => {
    const rows = [
      intent({ runId: "r1" }),
      intent({ runId: "r2" }),
      intent({ runId: "x1", runKind: "EXIT", action: "SELL", filledQuantity: 65 }),
    ];
    const allocs = new Map([
      ["x1|a1|0", [{ runId: null, strategyId: null, legIndex: null, quantity: 130, auto: true }]],
    ]);
    const byRun = Object.fromEntries(
      buildLedger(ledgerFills(rows, allocs, "run")).map((r) => [r.scope.runId, r.netQty]),
    );
    expect(byRun).toEqual({ r1: 0, r2: 65 });
  });

  it("an auto exit never closes a position in another account, contract or product", () => {
    const rows = [
      intent({ runId: "r1", accountId: "a2" }),
      intent({ runId: "r2", product: "MIS" }),
      intent({ runId: "r3", symbol: "Y" }),
      intent({ runId: "x1", runKind: "EXIT", action: "SELL" }),
    ];
    const allocs = new Map([
      ["x1|a1|0", [{ runId: null, strategyId: null, legIndex: null, quantity: 65, auto: true }]],
    ]);
    expect(buildLedger(ledgerFills(rows, allocs, "run")).map((r) => r.netQty)).toEqual([65, 65, 65]);
  });

  it("an exit leg without allocations is booked to nobody", () => {
    expect(
      buildLedger(
        ledgerFills([intent({}), intent({ runId: "x9", runKind: "EXIT", action: "SELL" })], new Map(), "strategy"),
      )[0].netQty,
    ).toBe(65);
  });

  it("excessExited counts only the fills allocated to that leg's excess", () => {
    const allocs = new Map([["x2|a1|0", [alloc("r1", 65, 3), alloc("r1", 65, null)]]]);
    const exitRows = [intent({ runId: "x2", runKind: "EXIT", action: "SELL", filledQuantity: 100 })];
    expect(excessExited(exitRows, allocs, { runId: "r1", accountId: "a1", legIndex: 3 })).toBe(65);
    expect(excessExited(exitRows, allocs, { runId: "r1", accountId: "a1", legIndex: 2 })).toBe(0);
    expect(excessExited(exitRows, allocs, { runId: "r1", accountId: "a2", legIndex: 3 })).toBe(0);
  });
});
