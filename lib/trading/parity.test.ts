import { describe, expect, it } from "vitest";
import { type DriftKind, parityOf, type ParityIntent } from "./parity";

const A = { accountId: "a", accountName: "Alpha", skipped: null };
const B = { accountId: "b", accountName: "Beta", skipped: null };
const slice = (state: string, filledQuantity = 0, extra: Partial<ParityIntent> = {}): ParityIntent => ({
  accountId: "a",
  legIndex: 0,
  symbol: "NIFTY25NOV2526000CE",
  action: "SELL",
  quantity: 65,
  state,
  filledQuantity,
  averagePrice: null,
  reason: null,
  ...extra,
});

describe("parityOf", () => {
  const kinds: [
    string,
    ParityIntent[],
    DriftKind,
    Partial<Record<"filled" | "open" | "pending" | "unconfirmed" | "failed" | "drift", number>>,
  ][] = [
    ["every slice filled", [slice("filled", 65), slice("filled", 65)], "ok", { filled: 130, drift: 0 }],
    [
      "accepted, not filled yet",
      [slice("filled", 65), slice("accepted")],
      "working",
      { filled: 65, open: 65, drift: -65 },
    ],
    ["partly filled", [slice("partially_filled", 30)], "working", { filled: 30, open: 35, drift: -35 }],
    ["still being sent", [slice("planned"), slice("sending")], "working", { pending: 130, drift: -130 }],
    [
      "unknown outcome: retryable",
      [slice("filled", 65), slice("unknown", 0, { reason: "timeout" })],
      "unconfirmed",
      { unconfirmed: 65, drift: -65 },
    ],
    ["safe to resend: retryable", [slice("safe_to_resend")], "unconfirmed", { unconfirmed: 65 }],
    [
      "late RMS rejection",
      [slice("filled", 65), slice("rejected_late", 0, { reason: "RMS: margin" })],
      "short",
      { filled: 65, failed: 65, drift: -65 },
    ],
    [
      "rejected, with something else still working",
      [slice("rejected", 0, { reason: "freeze" }), slice("accepted")],
      "short",
      { failed: 65, open: 65 },
    ],
    [
      "cancelled after a partial fill: only the rest is missing",
      [slice("cancelled", 20, { reason: "cancelled at the broker" })],
      "short",
      { filled: 20, failed: 45, drift: -45 },
    ],
    ["skipped (BUY phase failed)", [slice("skipped", 0, { reason: "BUY phase failed" })], "short", { failed: 65 }],
    ["filled beyond the slice", [slice("filled", 130)], "excess", { filled: 130, drift: 65 }],
  ];
  it.each(kinds)("%s", (_name, intents, kind, figures) => {
    const p = parityOf([A], intents);
    expect(p.accounts[0].kind).toBe(kind);
    expect(p.accounts[0].legs[0].kind).toBe(kind);
    expect(p.accounts[0].legs[0]).toMatchObject(figures);
    expect(p.accounts[0].legs[0].target).toBe(intents.reduce((t, i) => t + i.quantity, 0));
  });

  it("averages the priced fills by quantity, in decimals", () => {
    const p = parityOf(
      [A],
      [
        slice("filled", 65, { averagePrice: "100.05" }),
        slice("partially_filled", 30, { averagePrice: "101" }),
        slice("accepted"),
      ],
    );
    // (65 × 100.05 + 30 × 101) / 95 = 100.35
    expect(p.accounts[0].legs[0].averagePrice).toBe("100.35");
    expect(parityOf([A], [slice("accepted")]).accounts[0].legs[0].averagePrice).toBeNull();
  });

  it("one cell per leg in leg order, the account takes its worst cell, totals add up, reasons listed once", () => {
    const intents = [
      slice("filled", 65, { legIndex: 1, action: "BUY", symbol: "NIFTY25NOV2526200CE" }),
      slice("rejected_late", 0, { reason: "RMS: margin" }),
      slice("rejected_late", 0, { reason: "RMS: margin" }),
      slice("filled", 65, { accountId: "b" }),
      slice("unknown", 0, { accountId: "b", legIndex: 1, action: "BUY", symbol: "NIFTY25NOV2526200CE" }),
      slice("filled", 65, { accountId: "zzz" }),
    ];
    const p = parityOf([A, B], intents);
    expect(
      p.accounts.map((a) => [a.accountName, a.kind, a.legs.map((l) => `${l.legIndex}:${l.kind}`).join(",")]),
    ).toEqual([
      ["Alpha", "short", "0:short,1:ok"],
      ["Beta", "unconfirmed", "0:ok,1:unconfirmed"],
    ]);
    expect(p.accounts[0].legs[0].reasons).toEqual(["RMS: margin"]);
    expect(p.accounts.map((a) => a.retryable)).toEqual([0, 1]);
    expect(p.totals).toEqual({ target: 325, filled: 130, open: 0, pending: 0, unconfirmed: 65, failed: 130 });
    expect(p.drifted).toBe(2);
  });

  it("a skipped account has no cells and is at parity with its zero target", () => {
    const p = parityOf([{ accountId: "c", accountName: "Gamma", skipped: "zero lots" }], []);
    expect(p.accounts[0]).toMatchObject({ skipped: "zero lots", legs: [], kind: "ok" });
    expect(p.drifted).toBe(0);
  });
});
