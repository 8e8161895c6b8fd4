import { describe, expect, it } from "vitest";
import {
  exitRunPreview,
  instrumentKey,
  legExcess,
  planAccountExit,
  type BrokerNet,
  type ExitMode,
  type Holding,
} from "./exit-plan";
import { intentsForAccountPlan } from "./intents";

const CE = "NIFTY25NOV2526000CE";
const PE = "NIFTY25NOV2525000PE";
const FUT = "BANKNIFTY25NOV25FUT";
const instruments = new Map([
  [instrumentKey("NFO", CE), { lotSize: 65, freezeQty: 1755 }],
  [instrumentKey("NFO", PE), { lotSize: 65, freezeQty: 1755 }],
  [instrumentKey("NFO", FUT), { lotSize: 30, freezeQty: 600 }],
]);
const hold = (runId: string, symbol: string, netQty: number, over: Partial<Holding> = {}): Holding => ({
  runId,
  strategyId: "s1",
  legIndex: null,
  symbol,
  exchange: "NFO",
  product: "NRML",
  netQty,
  ...over,
});
const net = (symbol: string, quantity: number, over: Partial<BrokerNet> = {}): BrokerNet => ({
  symbol,
  exchange: "NFO",
  product: "NRML",
  quantity,
  ...over,
});
const plan = (mode: ExitMode, holdings: Holding[], broker: BrokerNet[]) =>
  planAccountExit({ mode, holdings, broker, instruments });
const brief = (p: ReturnType<typeof plan>) =>
  p.legs.map((l) => `${l.phase} ${l.action} ${l.symbol} ${l.product} ${l.slices.join("+")}`);

describe("planAccountExit", () => {
  const cases: {
    name: string;
    mode: ExitMode;
    holdings: Holding[];
    broker: BrokerNet[];
    legs: string[];
    warn?: RegExp;
  }[] = [
    {
      name: "a long is sold, a short bought back: the exact inverse",
      mode: "scoped",
      holdings: [hold("r1", CE, -65), hold("r1", PE, 130)],
      broker: [net(CE, -65), net(PE, 130)],
      legs: [`1 BUY ${CE} NRML 65`, `2 SELL ${PE} NRML 130`],
    },
    {
      name: "shorts are bought back (phase 1) before longs are sold, whatever the input order",
      mode: "scoped",
      holdings: [hold("r1", PE, 65), hold("r1", CE, -65)],
      broker: [net(PE, 65), net(CE, -65)],
      legs: [`1 BUY ${CE} NRML 65`, `2 SELL ${PE} NRML 65`],
    },
    {
      name: "28 NIFTY lots slice at 27 lots (1,755) + 1 lot",
      mode: "scoped",
      holdings: [hold("r1", CE, -1820)],
      broker: [net(CE, -1820)],
      legs: [`1 BUY ${CE} NRML 1755+65`],
    },
    {
      name: "100 NIFTY lots: 3 × 27 + 19",
      mode: "scoped",
      holdings: [hold("r1", CE, 6500)],
      broker: [net(CE, 6500)],
      legs: [`2 SELL ${CE} NRML 1755+1755+1755+1235`],
    },
    {
      name: "BANKNIFTY futures slice at 600",
      mode: "scoped",
      holdings: [hold("r1", FUT, 900)],
      broker: [net(FUT, 900)],
      legs: [`2 SELL ${FUT} NRML 600+300`],
    },
    {
      name: "never more than the broker's net: the ledger says 130, the broker 65",
      mode: "scoped",
      holdings: [hold("r1", CE, 130)],
      broker: [net(CE, 65)],
      legs: [`2 SELL ${CE} NRML 65`],
      warn: /broker's net is 65; exiting 65/,
    },
    {
      name: "broker flat: nothing is sent",
      mode: "scoped",
      holdings: [hold("r1", CE, 65)],
      broker: [],
      legs: [],
      warn: /shows no position/,
    },
    {
      name: "broker on the other side: never flipped",
      mode: "scoped",
      holdings: [hold("r1", CE, 65)],
      broker: [net(CE, -65)],
      legs: [],
      warn: /crossed/,
    },
    {
      name: "product is kept: an MIS holding is not exited against an NRML position",
      mode: "scoped",
      holdings: [hold("r1", CE, 65, { product: "MIS" })],
      broker: [net(CE, 65)],
      legs: [],
      warn: /no position/,
    },
    {
      name: "exchange is kept",
      mode: "scoped",
      holdings: [hold("r1", CE, 65)],
      broker: [net(CE, 65, { exchange: "BFO" })],
      legs: [],
      warn: /no position/,
    },
    {
      name: "scoped ignores what the broker holds outside the scope",
      mode: "scoped",
      holdings: [hold("r1", CE, 65)],
      broker: [net(CE, 195), net(PE, -65)],
      legs: [`2 SELL ${CE} NRML 65`],
    },
    {
      name: "flatten exits everything the broker shows",
      mode: "flatten",
      holdings: [],
      broker: [net(CE, 195), net(PE, -65), net(FUT, 0)],
      legs: [`1 BUY ${PE} NRML 65`, `2 SELL ${CE} NRML 195`],
    },
    {
      name: "flatten: an unknown contract (equity) goes in lots of 1, unsliced",
      mode: "flatten",
      holdings: [],
      broker: [net("SBIN", 7, { exchange: "NSE", product: "CNC" })],
      legs: ["2 SELL SBIN CNC 7"],
    },
    {
      name: "flatten leaves a broken lot to a person",
      mode: "flatten",
      holdings: [],
      broker: [net(CE, 100)],
      legs: [`2 SELL ${CE} NRML 65`],
      warn: /35 unit\(s\) are not a whole lot/,
    },
    {
      name: "zero holdings are ignored",
      mode: "scoped",
      holdings: [hold("r1", CE, 0)],
      broker: [net(CE, 65)],
      legs: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(c.mode, c.holdings, c.broker);
      expect(brief(p)).toEqual(c.legs);
      if (c.warn) expect(p.warnings.join("\n")).toMatch(c.warn);
      for (const l of p.legs) {
        expect(l.slices.reduce((s, x) => s + x, 0)).toBe(l.quantity);
        expect(l.allocations.reduce((s, a) => s + a.quantity, 0)).toBe(l.quantity);
        expect(l.quantity % l.lotSize).toBe(0);
      }
    });
  }

  it("two runs of a strategy in one position: one leg, allocated to the runs in the given order", () => {
    const p = plan("scoped", [hold("r1", CE, 65), hold("r2", CE, 130)], [net(CE, 195)]);
    expect(brief(p)).toEqual([`2 SELL ${CE} NRML 195`]);
    expect(p.legs[0].allocations.map((a) => [a.runId, a.quantity])).toEqual([
      ["r1", 65],
      ["r2", 130],
    ]);
  });

  it("capped by the broker: the first holding is served first", () => {
    const p = plan("scoped", [hold("r1", CE, 65), hold("r2", CE, 130)], [net(CE, 130)]);
    expect(p.legs[0].allocations.map((a) => [a.runId, a.quantity])).toEqual([
      ["r1", 65],
      ["r2", 65],
    ]);
  });

  it("flatten attributes to given holdings what it can and leaves the rest to the ledger's replay (auto)", () => {
    const p = plan("flatten", [hold("r1", CE, 65), hold("r9", CE, -65, { strategyId: "s9" })], [net(CE, 195)]);
    expect(p.legs[0].allocations.map((a) => [a.runId, a.quantity, a.auto ?? false])).toEqual([
      ["r1", 65, false],
      [null, 130, true],
    ]);
    expect(p.warnings.join()).toMatch(/crossed/);
  });

  it("an excess holding carries its leg index", () => {
    const p = plan("scoped", [hold("r1", CE, -65, { legIndex: 2 })], [net(CE, -130)]);
    expect(p.legs[0].allocations).toEqual([{ runId: "r1", strategyId: "s1", legIndex: 2, quantity: 65 }]);
  });

  it("a freeze below one lot is treated as unknown (one slice), with a warning", () => {
    const p = planAccountExit({
      mode: "flatten",
      holdings: [],
      broker: [net(CE, 130)],
      instruments: new Map([[instrumentKey("NFO", CE), { lotSize: 65, freezeQty: 50 }]]),
    });
    expect(brief(p)).toEqual([`2 SELL ${CE} NRML 130`]);
    expect(p.warnings.join()).toMatch(/below one lot/);
  });

  it("refuses fractional quantities", () => {
    expect(() => plan("flatten", [], [net(CE, 1.5)])).toThrow(RangeError);
  });
});

describe("legExcess", () => {
  const cases: [number, number, number, number][] = [
    [130, 130, 0, 0],
    [130, 195, 0, 65],
    [130, 195, 65, 0],
    [130, 65, 0, 0],
    [130, 260, 65, 65],
  ];
  for (const [target, filled, exited, want] of cases)
    it(`target ${target}, filled ${filled}, exited ${exited} → ${want}`, () =>
      expect(legExcess(target, filled, exited)).toBe(want));
});

describe("exitRunPreview", () => {
  it("one run-wide leg per contract and side, BUY first; each account its own quantities; intents follow", () => {
    const a = plan("flatten", [hold("r1", CE, -65)], [net(CE, -65), net(PE, 130)]);
    const b = plan("flatten", [], [net(PE, 1820)]);
    const { preview, attribution } = exitRunPreview("x1", [
      { accountId: "a", accountName: "A", plan: a },
      { accountId: "b", accountName: "B", plan: b },
    ]);
    expect(preview.legs.map((l) => [l.legIndex, l.action, l.symbol, l.optionType, l.instrument, l.priceType])).toEqual([
      [0, "BUY", CE, "CE", "options", "MARKET"],
      [1, "SELL", PE, "PE", "options", "MARKET"],
    ]);
    expect(preview.totals.orders).toBe(4);
    const [pa, pb] = preview.accounts;
    if (pa.status !== "planned" || pb.status !== "planned") throw new Error("planned");
    expect(pb.legs.map((l) => [l.legIndex, l.slices])).toEqual([[1, [1755, 65]]]);
    const intents = intentsForAccountPlan("00000000-0000-0000-0000-000000000001", pa);
    expect(intents.map((i) => [i.phase, i.action, i.quantity, i.product, i.priceType])).toEqual([
      [1, "BUY", 65, "NRML", "MARKET"],
      [2, "SELL", 130, "NRML", "MARKET"],
    ]);
    expect(attribution.legs).toEqual([
      { accountId: "a", legIndex: 0, allocations: [{ runId: "r1", strategyId: "s1", legIndex: null, quantity: 65 }] },
      {
        accountId: "a",
        legIndex: 1,
        allocations: [{ runId: null, strategyId: null, legIndex: null, quantity: 130, auto: true }],
      },
      {
        accountId: "b",
        legIndex: 1,
        allocations: [{ runId: null, strategyId: null, legIndex: null, quantity: 1820, auto: true }],
      },
    ]);
  });
});
