/**
 * Order intents: one per (run, account, leg, slice). Deterministic ids that travel in OpenAlgo's `strategy` field,
 * and the intent state machine as a pure transition function (exactly-once sending: docs/architecture.md "Exactly
 * once").
 */
import type { AccountPlan, PlannedLeg } from "./plan-account";

const UTF8 = new TextEncoder();

/**
 * FNV-1a, 64-bit, over the UTF-8 bytes of `text`. Computed in four 16-bit limbs (the prime is 2^40 + 0x1b3), not with
 * BigInt arithmetic per byte: a trigger hashes one id per intent, and the BigInt loop cost the web app about 10 ms of
 * CPU per 800 intents (docs/performance.md "The trigger's request path").
 */
export function fnv1a64(text: string): bigint {
  // 0xcbf29ce484222325, lowest limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (const byte of UTF8.encode(text)) {
    h0 ^= byte;
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
  }
  return (BigInt(h3 * 0x10000 + h2) << 32n) | BigInt(h1 * 0x10000 + h0);
}

/**
 * Intent ids are `md` + 13 base-36 digits of a 64-bit hash: 15 plain alphanumerics, because some brokers keep
 * only 20 alphanumeric characters of an order tag (Zerodha) and a truncated tag would defeat reconciliation.
 */
export const INTENT_ID_PATTERN = /^md[0-9a-z]{13}$/;

/**
 * Deterministic id of the intent for slice `sliceIndex` of leg `legIndex` of account `accountId` in run `runId`.
 * Ids and indices are length-prefixed before hashing so that no two different tuples share an input string.
 */
export function intentId(runId: string, accountId: string, legIndex: number, sliceIndex: number): string {
  if (runId.length === 0 || accountId.length === 0) throw new RangeError("runId and accountId must be non-empty");
  for (const [name, v] of [
    ["legIndex", legIndex],
    ["sliceIndex", sliceIndex],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  }
  const key = `${runId.length}:${runId}|${accountId.length}:${accountId}|${legIndex}|${sliceIndex}`;
  return `md${fnv1a64(key).toString(36).padStart(13, "0")}`;
}

/** What dispatch stores and sends for one slice. */
export interface OrderIntentSpec {
  intentId: string;
  runId: string;
  accountId: string;
  legIndex: number;
  sliceIndex: number;
  phase: 1 | 2;
  symbol: string;
  exchange: string;
  action: PlannedLeg["action"];
  product: PlannedLeg["product"];
  priceType: PlannedLeg["priceType"];
  price: PlannedLeg["price"];
  /** SL and SL-M only; null otherwise. */
  triggerPrice: PlannedLeg["price"];
  /** Units of this slice. */
  quantity: number;
}

/** Every slice of a planned account as an intent, BUY phase first, then leg and slice order. */
export function intentsForAccountPlan(
  runId: string,
  plan: Extract<AccountPlan, { status: "planned" }>,
): OrderIntentSpec[] {
  const legs = [...plan.legs].sort((a, b) => a.phase - b.phase || a.legIndex - b.legIndex);
  return legs.flatMap((leg) =>
    leg.slices.map((quantity, sliceIndex) => ({
      // A copy leg's ids derive from its event (master order, event seq) and the child, not from the carrying run.
      intentId:
        leg.intentKey === undefined
          ? intentId(runId, plan.accountId, leg.legIndex, sliceIndex)
          : intentId(leg.intentKey, plan.accountId, 0, sliceIndex),
      runId,
      accountId: plan.accountId,
      legIndex: leg.legIndex,
      sliceIndex,
      phase: leg.phase,
      symbol: leg.symbol,
      exchange: leg.exchange,
      action: leg.action,
      product: leg.product,
      priceType: leg.priceType,
      price: leg.price,
      triggerPrice: leg.triggerPrice ?? null,
      quantity,
    })),
  );
}

export type IntentState =
  | "planned"
  | "claimed"
  | "sending"
  | "accepted"
  | "rejected"
  | "unknown"
  | "reconciled_accepted"
  | "safe_to_resend"
  | "filled"
  | "partially_filled"
  | "cancelled"
  | "rejected_late"
  | "skipped"
  /** A SELL slice held back because its account's BUY phase failed (never naked); a person's retry may resume it. */
  | "held";

/** The mutable part of a stored intent. Times are epoch milliseconds (UTC). */
export interface IntentStatus {
  state: IntentState;
  /** Units of the slice (fixed at planning). */
  quantity: number;
  /** Sends so far; a send after `safe_to_resend` makes it 2, and so on. */
  attempts: number;
  claimedBy: string | null;
  /** Time of the latest send: reconciliation only adopts orders placed at or after it. */
  sentAt: number | null;
  orderId: string | null;
  filledQuantity: number;
  /** Broker error text, skip reason or cause of an unknown outcome. */
  reason: string | null;
  updatedAt: number;
}

export type IntentEvent =
  /** A worker takes exclusive ownership (a compare-and-set in storage) from `planned` or `safe_to_resend`. */
  | { type: "claim"; at: number; workerId: string }
  /** The owner gives the intent back unsent (shutdown, or restart recovery of an intent that never reached `sending`). */
  | { type: "release"; at: number }
  /**
   * About to call the broker. Must be persisted BEFORE the call: a crash after it leaves `sending`, which recovery
   * treats as `outcome_unknown`, never as unsent.
   */
  | { type: "send"; at: number }
  /** The place-order call returned success with a broker order id (accepted, not filled). */
  | { type: "accept"; at: number; orderId: string }
  /** The place-order call returned a definite business rejection (nothing was placed). */
  | { type: "reject"; at: number; reason: string }
  /**
   * The broker provably never took the order (429s or no connection, every bounded try): sending again cannot
   * duplicate, so the intent waits to be resent, like one whose reconcile window passed empty.
   */
  | { type: "not_placed"; at: number; reason: string }
  /**
   * Timeout, connection reset, 5xx, or a worker that died in `sending`: the order may or may not exist. Also allowed
   * from `claimed`, for restart recovery when a dead worker's claim cannot be proven unsent; the claim time then
   * stands in for the send time.
   */
  | { type: "outcome_unknown"; at: number; reason: string }
  /** Reconciliation found the broker order this intent placed (see `matchOrderForIntent`). */
  | { type: "adopt"; at: number; orderId: string }
  /** No matching order appeared within the reconcile window after the send: sending again cannot duplicate. */
  | { type: "reconcile_window_elapsed"; at: number; windowMs: number }
  /** The order book shows `filledQuantity` of the slice filled (0 < filled < quantity, never decreasing). */
  | { type: "partial_fill"; at: number; filledQuantity: number }
  /**
   * The order book shows the slice completely filled. Also accepted after `rejected_late`: statuses flap.
   * `filledQuantity` (default: the slice) is only given when the broker filled MORE than the slice (an order
   * enlarged at the broker): the excess is real exposure and must stay visible, never be capped away.
   */
  | { type: "fill"; at: number; filledQuantity?: number }
  /** The broker order was cancelled (by the user, the run's cancel action, or the exchange). */
  | { type: "cancel"; at: number; reason: string }
  /** An accepted order was rejected afterwards (RMS, seconds later). */
  | { type: "reject_late"; at: number; reason: string }
  /** Never to be sent: the account is unusable, an exit stopped the run's unsent slices, or a send is unconfirmable. */
  | { type: "skip"; at: number; reason: string }
  /** The account's BUY phase failed: its unsent SELL slices are held (never naked) until a retry or an exit. */
  | { type: "hold"; at: number; reason: string }
  /** A person's retry got every BUY slice of the account confirmed: its held SELL slices may be sent now. */
  | { type: "resume"; at: number };

export type IntentTransitionError =
  | { code: "invalid_transition"; from: IntentState; event: IntentEvent["type"]; message: string }
  | { code: "invalid_event"; event: IntentEvent["type"]; message: string };

export type IntentTransitionResult = { ok: true; status: IntentStatus } | { ok: false; error: IntentTransitionError };

/** States each event may leave; anything else is an invalid transition. */
export const INTENT_TRANSITIONS: Readonly<
  Record<IntentEvent["type"], { from: readonly IntentState[]; to: IntentState }>
> = {
  claim: { from: ["planned", "safe_to_resend"], to: "claimed" },
  release: { from: ["claimed"], to: "planned" },
  send: { from: ["claimed"], to: "sending" },
  accept: { from: ["sending"], to: "accepted" },
  reject: { from: ["sending"], to: "rejected" },
  not_placed: { from: ["sending"], to: "safe_to_resend" },
  outcome_unknown: { from: ["claimed", "sending"], to: "unknown" },
  adopt: { from: ["unknown"], to: "reconciled_accepted" },
  reconcile_window_elapsed: { from: ["unknown"], to: "safe_to_resend" },
  partial_fill: {
    from: ["accepted", "reconciled_accepted", "partially_filled", "rejected_late"],
    to: "partially_filled",
  },
  fill: { from: ["accepted", "reconciled_accepted", "partially_filled", "rejected_late"], to: "filled" },
  cancel: { from: ["accepted", "reconciled_accepted", "partially_filled"], to: "cancelled" },
  reject_late: { from: ["accepted", "reconciled_accepted"], to: "rejected_late" },
  skip: { from: ["planned", "claimed", "safe_to_resend", "held"], to: "skipped" },
  hold: { from: ["planned", "claimed", "safe_to_resend"], to: "held" },
  resume: { from: ["held"], to: "planned" },
};

/** A fresh intent for a slice of `quantity` units. */
export function plannedIntent(quantity: number, at: number): IntentStatus {
  if (!Number.isSafeInteger(quantity) || quantity <= 0)
    throw new RangeError(`quantity must be a positive integer, got ${quantity}`);
  return {
    state: "planned",
    quantity,
    attempts: 0,
    claimedBy: null,
    sentAt: null,
    orderId: null,
    filledQuantity: 0,
    reason: null,
    updatedAt: at,
  };
}

function checkEvent(status: IntentStatus, e: IntentEvent): string | null {
  switch (e.type) {
    case "claim":
      return e.workerId.trim() === "" ? "workerId must be non-empty" : null;
    case "accept":
    case "adopt":
      return e.orderId.trim() === "" ? "orderId must be non-empty" : null;
    case "reject":
    case "not_placed":
    case "outcome_unknown":
    case "cancel":
    case "reject_late":
    case "skip":
    case "hold":
      return e.reason.trim() === "" ? "a reason is required" : null;
    case "reconcile_window_elapsed":
      if (!(e.windowMs > 0)) return "windowMs must be positive";
      if (status.sentAt === null || e.at < status.sentAt + e.windowMs)
        return "the reconcile window has not elapsed since the send";
      return null;
    case "partial_fill":
      if (!Number.isSafeInteger(e.filledQuantity) || e.filledQuantity <= 0 || e.filledQuantity >= status.quantity) {
        return `filledQuantity must be between 1 and ${status.quantity - 1}`;
      }
      return e.filledQuantity < status.filledQuantity ? "filled quantity cannot decrease" : null;
    case "fill":
      if (e.filledQuantity === undefined) return null;
      if (!Number.isSafeInteger(e.filledQuantity) || e.filledQuantity < status.quantity)
        return `filledQuantity must be an integer of at least ${status.quantity}`;
      return e.filledQuantity < status.filledQuantity ? "filled quantity cannot decrease" : null;
    default:
      return null;
  }
}

/** Applies one event. Never throws: an event not allowed in the current state returns a typed error. */
export function transitionIntent(status: IntentStatus, event: IntentEvent): IntentTransitionResult {
  const rule = INTENT_TRANSITIONS[event.type];
  if (!rule.from.includes(status.state)) {
    return {
      ok: false,
      error: {
        code: "invalid_transition",
        from: status.state,
        event: event.type,
        message: `cannot ${event.type} an intent that is ${status.state}`,
      },
    };
  }
  const problem = checkEvent(status, event);
  if (problem) return { ok: false, error: { code: "invalid_event", event: event.type, message: problem } };
  const next: IntentStatus = { ...status, state: rule.to, updatedAt: event.at };
  switch (event.type) {
    case "claim":
      return { ok: true, status: { ...next, claimedBy: event.workerId } };
    case "release":
      return { ok: true, status: { ...next, claimedBy: null } };
    case "send":
      return { ok: true, status: { ...next, sentAt: event.at, attempts: status.attempts + 1, reason: null } };
    case "accept":
    case "adopt":
      return { ok: true, status: { ...next, orderId: event.orderId } };
    case "outcome_unknown":
      // From `claimed`, any send happened after the claim (its last update): the claim time both bounds the search
      // and starts the reconcile window (an older attempt's send time would end the window too early).
      return {
        ok: true,
        status: {
          ...next,
          sentAt: status.state === "claimed" ? status.updatedAt : status.sentAt,
          reason: event.reason,
        },
      };
    case "reject":
    case "not_placed":
    case "cancel":
    case "reject_late":
    case "skip":
    case "hold":
      return { ok: true, status: { ...next, reason: event.reason } };
    case "resume":
      return { ok: true, status: { ...next, claimedBy: null, reason: null } };
    case "partial_fill":
      return { ok: true, status: { ...next, filledQuantity: event.filledQuantity } };
    case "fill":
      return { ok: true, status: { ...next, filledQuantity: event.filledQuantity ?? status.quantity } };
    case "reconcile_window_elapsed":
      return { ok: true, status: next };
  }
}
