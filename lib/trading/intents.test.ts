import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  fnv1a64,
  INTENT_ID_PATTERN,
  intentId,
  intentsForAccountPlan,
  plannedIntent,
  transitionIntent,
  type IntentEvent,
  type IntentState,
  type IntentStatus,
} from "./intents";
import type { AccountPlan, PlannedLeg } from "./plan-account";

describe("fnv1a64", () => {
  it("matches the published FNV-1a 64-bit test vectors", () => {
    expect(fnv1a64("")).toBe(0xcbf29ce484222325n);
    expect(fnv1a64("a")).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64("foobar")).toBe(0x85944171f73967e8n);
  });
  it("equals the plain 64-bit BigInt definition on intent-id inputs and multi-byte text", () => {
    const reference = (text: string) => {
      let hash = 0xcbf29ce484222325n;
      for (const byte of new TextEncoder().encode(text))
        hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & (2n ** 64n - 1n);
      return hash;
    };
    const inputs = ["₹ 42 – नमस्ते", "\u{1F4C8}".repeat(9), "\xff".repeat(300)];
    for (let i = 0; i < 500; i++)
      inputs.push(`36:${crypto.randomUUID()}|36:${crypto.randomUUID()}|${i % 7}|${(i * 31) % 1000}`);
    for (const text of inputs) expect(fnv1a64(text)).toBe(reference(text));
  });
});

describe("intentId", () => {
  it("is deterministic, 15 alphanumerics, within OpenAlgo's strategy field and a 20-char broker tag", () => {
    const id = intentId("run-7f3a", "acc-12", 2, 3);
    expect(id).toBe(intentId("run-7f3a", "acc-12", 2, 3));
    expect(id).toMatch(INTENT_ID_PATTERN);
    expect(id).toMatch(/^[A-Za-z0-9]{1,20}$/);
  });
  it("differs for every component, including concatenations that would read the same", () => {
    const ids = [
      intentId("run1", "acc1", 0, 0),
      intentId("run2", "acc1", 0, 0),
      intentId("run1", "acc2", 0, 0),
      intentId("run1", "acc1", 1, 0),
      intentId("run1", "acc1", 0, 1),
      intentId("run1", "acc1", 1, 10),
      intentId("run1", "acc1", 11, 0),
      intentId("ab", "c", 0, 0),
      intentId("a", "bc", 0, 0),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
  it("does not collide across a large run (500 accounts × 4 legs × 10 slices)", () => {
    const ids = new Set<string>();
    for (let a = 0; a < 500; a++)
      for (let l = 0; l < 4; l++) for (let s = 0; s < 10; s++) ids.add(intentId("0d9c2b7e-run", `acct-${a}`, l, s));
    expect(ids.size).toBe(20_000);
  });
  it("rejects empty ids and bad indices", () => {
    expect(() => intentId("", "a", 0, 0)).toThrow(RangeError);
    expect(() => intentId("r", "", 0, 0)).toThrow(RangeError);
    expect(() => intentId("r", "a", -1, 0)).toThrow(RangeError);
    expect(() => intentId("r", "a", 0, 1.5)).toThrow(RangeError);
  });
});

describe("intentsForAccountPlan", () => {
  const leg = (legIndex: number, action: "BUY" | "SELL", slices: number[]): PlannedLeg => ({
    legIndex,
    symbol: `S${legIndex}`,
    exchange: "NFO",
    action,
    product: "MIS",
    priceType: "LIMIT",
    price: new Decimal("10.05"),
    phase: action === "BUY" ? 1 : 2,
    lots: slices.reduce((a, b) => a + b, 0) / 65,
    lotSize: 65,
    quantity: slices.reduce((a, b) => a + b, 0),
    slices,
    marginKind: "wing",
    marginNeeded: null,
    marginAvailable: null,
    warnings: [],
  });
  it("emits one intent per slice, BUY phase first, then leg and slice order", () => {
    const plan: Extract<AccountPlan, { status: "planned" }> = {
      status: "planned",
      accountId: "acc-9",
      accountName: "Neha",
      marginSource: "available",
      marginAvailable: new Decimal(0),
      marginNeeded: new Decimal(0),
      warnings: [],
      legs: [leg(0, "SELL", [1755, 65]), leg(1, "BUY", [130]), leg(2, "BUY", [1755, 1755])],
    };
    const intents = intentsForAccountPlan("run-1", plan);
    expect(intents.map((i) => [i.legIndex, i.sliceIndex, i.phase, i.quantity])).toEqual([
      [1, 0, 1, 130],
      [2, 0, 1, 1755],
      [2, 1, 1, 1755],
      [0, 0, 2, 1755],
      [0, 1, 2, 65],
    ]);
    expect(intents[3]).toMatchObject({
      intentId: intentId("run-1", "acc-9", 0, 0),
      accountId: "acc-9",
      runId: "run-1",
      symbol: "S0",
      action: "SELL",
      product: "MIS",
      priceType: "LIMIT",
    });
  });
});

const T0 = 1_763_000_000_000;
const STATES: IntentState[] = [
  "planned",
  "claimed",
  "sending",
  "accepted",
  "rejected",
  "unknown",
  "reconciled_accepted",
  "safe_to_resend",
  "filled",
  "partially_filled",
  "cancelled",
  "rejected_late",
  "skipped",
  "held",
];
const statusIn = (state: IntentState): IntentStatus => ({
  ...plannedIntent(100, T0),
  state,
  sentAt: T0,
  attempts: 1,
  filledQuantity: state === "partially_filled" ? 40 : 0,
});
const EVENTS: Record<IntentEvent["type"], IntentEvent> = {
  claim: { type: "claim", at: T0 + 1, workerId: "w1" },
  release: { type: "release", at: T0 + 1 },
  send: { type: "send", at: T0 + 2 },
  accept: { type: "accept", at: T0 + 3, orderId: "B-1" },
  reject: { type: "reject", at: T0 + 3, reason: "RMS: insufficient funds" },
  not_placed: { type: "not_placed", at: T0 + 3, reason: "not placed: HTTP 429 (gave up after 9 tries)" },
  outcome_unknown: { type: "outcome_unknown", at: T0 + 3, reason: "timeout after 10 s" },
  adopt: { type: "adopt", at: T0 + 9_000, orderId: "B-2" },
  reconcile_window_elapsed: { type: "reconcile_window_elapsed", at: T0 + 30_000, windowMs: 30_000 },
  partial_fill: { type: "partial_fill", at: T0 + 5, filledQuantity: 60 },
  fill: { type: "fill", at: T0 + 6 },
  cancel: { type: "cancel", at: T0 + 7, reason: "user cancelled" },
  reject_late: { type: "reject_late", at: T0 + 8, reason: "RMS: margin exceeds" },
  skip: { type: "skip", at: T0 + 1, reason: "not sent: exit requested (manual)" },
  hold: { type: "hold", at: T0 + 1, reason: "BUY phase failed, SELL legs not sent" },
  resume: { type: "resume", at: T0 + 2 },
};
// Written out independently of INTENT_TRANSITIONS: [from, event, to].
const VALID: [IntentState, IntentEvent["type"], IntentState][] = [
  ["planned", "claim", "claimed"],
  ["safe_to_resend", "claim", "claimed"],
  ["claimed", "release", "planned"],
  ["claimed", "send", "sending"],
  ["claimed", "outcome_unknown", "unknown"],
  ["sending", "accept", "accepted"],
  ["sending", "reject", "rejected"],
  ["sending", "not_placed", "safe_to_resend"],
  ["sending", "outcome_unknown", "unknown"],
  ["unknown", "adopt", "reconciled_accepted"],
  ["unknown", "reconcile_window_elapsed", "safe_to_resend"],
  ["accepted", "fill", "filled"],
  ["accepted", "partial_fill", "partially_filled"],
  ["accepted", "cancel", "cancelled"],
  ["accepted", "reject_late", "rejected_late"],
  ["reconciled_accepted", "fill", "filled"],
  ["reconciled_accepted", "partial_fill", "partially_filled"],
  ["reconciled_accepted", "cancel", "cancelled"],
  ["reconciled_accepted", "reject_late", "rejected_late"],
  ["partially_filled", "partial_fill", "partially_filled"],
  ["partially_filled", "fill", "filled"],
  ["partially_filled", "cancel", "cancelled"],
  ["rejected_late", "fill", "filled"],
  ["rejected_late", "partial_fill", "partially_filled"],
  ["planned", "skip", "skipped"],
  ["claimed", "skip", "skipped"],
  ["safe_to_resend", "skip", "skipped"],
  ["held", "skip", "skipped"],
  ["planned", "hold", "held"],
  ["claimed", "hold", "held"],
  ["safe_to_resend", "hold", "held"],
  ["held", "resume", "planned"],
];

describe("transitionIntent", () => {
  for (const [from, type, to] of VALID) {
    it(`${from} --${type}--> ${to}`, () => {
      const r = transitionIntent(statusIn(from), EVENTS[type]);
      expect(r.ok && r.status.state).toBe(to);
      expect(r.ok && r.status.updatedAt).toBe(EVENTS[type].at);
    });
  }

  it("refuses every other (state, event) combination with a typed error", () => {
    let refused = 0;
    for (const from of STATES) {
      for (const type of Object.keys(EVENTS) as IntentEvent["type"][]) {
        if (VALID.some(([f, t]) => f === from && t === type)) continue;
        const r = transitionIntent(statusIn(from), EVENTS[type]);
        expect(r).toMatchObject({ ok: false, error: { code: "invalid_transition", from, event: type } });
        refused++;
      }
    }
    expect(refused).toBe(STATES.length * Object.keys(EVENTS).length - VALID.length);
    expect([STATES.length, Object.keys(EVENTS).length]).toEqual([14, 16]);
  });

  it("terminal states accept nothing further (filled, cancelled, rejected, skipped)", () => {
    for (const s of ["filled", "cancelled", "rejected", "skipped"] as const) {
      for (const e of Object.values(EVENTS)) expect(transitionIntent(statusIn(s), e).ok).toBe(false);
    }
  });

  it("records claim owner, send time and attempts, order ids, fills and reasons", () => {
    const steps: IntentEvent[] = [
      EVENTS.claim,
      EVENTS.send,
      EVENTS.outcome_unknown,
      { type: "reconcile_window_elapsed", at: T0 + 2 + 30_000, windowMs: 30_000 },
      { type: "claim", at: T0 + 40_000, workerId: "w2" },
      { type: "send", at: T0 + 40_001 },
      EVENTS.accept,
      EVENTS.partial_fill,
      EVENTS.fill,
    ];
    let s = plannedIntent(100, T0);
    const seen: [IntentState, number, string | null, number | null][] = [];
    for (const e of steps) {
      const r = transitionIntent(s, e);
      if (!r.ok) throw new Error(r.error.message);
      s = r.status;
      seen.push([s.state, s.attempts, s.claimedBy, s.sentAt]);
    }
    expect(seen.map(([state, attempts]) => `${state}:${attempts}`)).toEqual([
      "claimed:0",
      "sending:1",
      "unknown:1",
      "safe_to_resend:1",
      "claimed:1",
      "sending:2",
      "accepted:2",
      "partially_filled:2",
      "filled:2",
    ]);
    expect(seen[4][2]).toBe("w2");
    expect(s).toMatchObject({ orderId: "B-1", filledQuantity: 100, sentAt: T0 + 40_001, reason: null });
    const released = transitionIntent({ ...statusIn("claimed"), claimedBy: "w1" }, EVENTS.release);
    expect(released.ok && released.status.claimedBy).toBeNull();
    const rejected = transitionIntent(statusIn("sending"), EVENTS.reject);
    expect(rejected.ok && rejected.status.reason).toBe("RMS: insufficient funds");
  });

  it("a never-placed send waits to be resent with its attempt counted; a held slice resumes unclaimed and unsent", () => {
    const notPlaced = transitionIntent(statusIn("sending"), EVENTS.not_placed);
    expect(notPlaced.ok && [notPlaced.status.state, notPlaced.status.attempts, notPlaced.status.reason]).toEqual([
      "safe_to_resend",
      1,
      "not placed: HTTP 429 (gave up after 9 tries)",
    ]);
    const held = transitionIntent({ ...statusIn("claimed"), claimedBy: "w1", attempts: 0, sentAt: null }, EVENTS.hold);
    expect(held.ok && [held.status.state, held.status.reason]).toEqual([
      "held",
      "BUY phase failed, SELL legs not sent",
    ]);
    const resumed = held.ok ? transitionIntent(held.status, EVENTS.resume) : held;
    expect(resumed.ok && resumed.status).toMatchObject({
      state: "planned",
      claimedBy: null,
      reason: null,
      attempts: 0,
      sentAt: null,
    });
  });

  it("reconciles a dead worker's claim from the claim time, even when an older attempt has a send time", () => {
    const fresh = transitionIntent(
      { ...plannedIntent(65, T0), state: "claimed", updatedAt: T0 + 50 },
      EVENTS.outcome_unknown,
    );
    expect(fresh.ok && [fresh.status.state, fresh.status.sentAt, fresh.status.reason]).toEqual([
      "unknown",
      T0 + 50,
      "timeout after 10 s",
    ]);
    const reclaimed = transitionIntent(
      { ...statusIn("claimed"), sentAt: T0, updatedAt: T0 + 90_000 },
      EVENTS.outcome_unknown,
    );
    expect(reclaimed.ok && reclaimed.status.sentAt).toBe(T0 + 90_000);
    const sending = transitionIntent(
      { ...statusIn("sending"), sentAt: T0 + 7, updatedAt: T0 + 9 },
      EVENTS.outcome_unknown,
    );
    expect(sending.ok && sending.status.sentAt).toBe(T0 + 7);
  });

  it("refuses to call a send safe to repeat before the reconcile window has elapsed", () => {
    const early = transitionIntent(statusIn("unknown"), {
      type: "reconcile_window_elapsed",
      at: T0 + 29_999,
      windowMs: 30_000,
    });
    expect(early).toMatchObject({ ok: false, error: { code: "invalid_event" } });
    const noSend = transitionIntent({ ...statusIn("unknown"), sentAt: null }, EVENTS.reconcile_window_elapsed);
    expect(noSend).toMatchObject({ ok: false, error: { code: "invalid_event" } });
    expect(
      transitionIntent(statusIn("unknown"), { type: "reconcile_window_elapsed", at: T0 + 30_000, windowMs: 0 }),
    ).toMatchObject({ ok: false, error: { code: "invalid_event" } });
  });

  it("validates event payloads", () => {
    const bad: [IntentState, IntentEvent][] = [
      ["planned", { type: "claim", at: T0, workerId: " " }],
      ["sending", { type: "accept", at: T0, orderId: "" }],
      ["unknown", { type: "adopt", at: T0, orderId: " " }],
      ["sending", { type: "reject", at: T0, reason: "" }],
      ["planned", { type: "skip", at: T0, reason: "" }],
      ["planned", { type: "hold", at: T0, reason: " " }],
      ["sending", { type: "not_placed", at: T0, reason: "" }],
      ["accepted", { type: "partial_fill", at: T0, filledQuantity: 0 }],
      ["accepted", { type: "partial_fill", at: T0, filledQuantity: 100 }],
      ["accepted", { type: "partial_fill", at: T0, filledQuantity: 2.5 }],
      ["partially_filled", { type: "partial_fill", at: T0, filledQuantity: 39 }], // below the 40 already filled
      ["accepted", { type: "fill", at: T0, filledQuantity: 99 }], // a fill is at least the slice
      ["accepted", { type: "fill", at: T0, filledQuantity: 100.5 }],
    ];
    for (const [state, e] of bad)
      expect(transitionIntent(statusIn(state), e)).toMatchObject({
        ok: false,
        error: { code: "invalid_event", event: e.type },
      });
  });

  it("a fill beyond the slice (an order enlarged at the broker) keeps the excess; by default it is the slice", () => {
    const over = transitionIntent(statusIn("partially_filled"), { type: "fill", at: T0, filledQuantity: 150 });
    expect(over.ok && [over.status.state, over.status.filledQuantity]).toEqual(["filled", 150]);
    const exact = transitionIntent(statusIn("partially_filled"), EVENTS.fill);
    expect(exact.ok && exact.status.filledQuantity).toBe(100);
  });

  it("plannedIntent refuses a non-positive or fractional quantity", () => {
    expect(() => plannedIntent(0, T0)).toThrow(RangeError);
    expect(() => plannedIntent(1.5, T0)).toThrow(RangeError);
    expect(plannedIntent(65, T0)).toMatchObject({ state: "planned", quantity: 65, attempts: 0, filledQuantity: 0 });
  });
});
