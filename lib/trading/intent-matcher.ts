/**
 * Reconciliation of an intent whose send outcome is unknown, and the hedge-first gate between an account's BUY
 * and SELL phases. Pure: the caller fetches the order book and passes it in.
 */
import type { IntentState } from "./intents";

/** The fields of an intent that identify its broker order. Times are epoch ms. */
export interface IntentForMatch {
  /** The intent id, sent as OpenAlgo's `strategy` tag. */
  tag: string;
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  product: string;
  priceType: string;
  sentAt: number;
}

/** An order from the account's order book, normalised by the broker adapter. */
export interface BookOrder {
  orderId: string;
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  product: string;
  priceType: string;
  /** The strategy tag when the broker keeps it, else null. */
  strategyTag: string | null;
  /** Placement time (epoch ms) when the broker reports it, else null. */
  placedAt: number | null;
}

export type MatchResult =
  /** Adopt this order: its tag is the intent's. */
  | { kind: "tag"; order: BookOrder }
  /** Adopt this order: the only untagged order with the same contract, side, size, product and price type since the send. */
  | { kind: "fields"; order: BookOrder }
  /** Nothing matches (yet): keep waiting until the reconcile window ends, then it is safe to resend. */
  | { kind: "none" }
  /**
   * More than one order could be this intent's, or one could be but its placement time is unknown. Adopting either
   * could be wrong and resending could duplicate: a human must decide.
   */
  | { kind: "ambiguous"; candidates: BookOrder[]; reason: string }
  /** An order carries this intent's tag but differs in contract, side, size, product or price type. */
  | { kind: "conflict"; order: BookOrder; reason: string };

export interface MatchOptions {
  /** Allowance (ms) for the broker's clock running behind ours: orders placed this long before `sentAt` still count. */
  clockSkewMs: number;
  /**
   * True when the broker is known to keep the strategy tag on its orders: then only a tag identifies our order, and
   * an untagged look-alike (a manual order, say) must not be adopted. Default false: fall back to the fields.
   */
  brokerKeepsTags?: boolean;
}

const same = (a: string, b: string): boolean => a.trim().toUpperCase() === b.trim().toUpperCase();

function differences(intent: IntentForMatch, o: BookOrder): string[] {
  const out: string[] = [];
  if (!same(o.symbol, intent.symbol)) out.push(`symbol ${o.symbol}`);
  if (o.action !== intent.action) out.push(`action ${o.action}`);
  if (o.quantity !== intent.quantity) out.push(`quantity ${o.quantity}`);
  if (!same(o.product, intent.product)) out.push(`product ${o.product}`);
  if (!same(o.priceType, intent.priceType)) out.push(`price type ${o.priceType}`);
  return out;
}

/**
 * Finds the broker order an intent placed. By tag first (where the broker keeps tags); otherwise by symbol + action
 * + quantity + product + price type among orders with no tag, placed at/after `sentAt − clockSkewMs`, and not in
 * `linkedOrderIds` (orders already adopted by other intents); no fallback when `brokerKeepsTags`. Orders tagged with
 * another tag are never ours; an order with our tag that is linked elsewhere is a conflict.
 * Two candidates, or a candidate without a placement time, are reported as ambiguous, never guessed.
 */
export function matchOrderForIntent(
  intent: IntentForMatch,
  orders: readonly BookOrder[],
  linkedOrderIds: ReadonlySet<string>,
  options: MatchOptions,
): MatchResult {
  if (!(options.clockSkewMs >= 0)) throw new RangeError("clockSkewMs must be non-negative");
  const free = orders.filter((o) => !linkedOrderIds.has(o.orderId));
  const taken = orders.find(
    (o) => linkedOrderIds.has(o.orderId) && o.strategyTag !== null && o.strategyTag === intent.tag,
  );
  if (taken)
    return {
      kind: "conflict",
      order: taken,
      reason: `order ${taken.orderId} carries this intent's tag but is linked to another intent`,
    };

  const tagged = free.filter((o) => o.strategyTag !== null && o.strategyTag === intent.tag);
  if (tagged.length > 1)
    return { kind: "ambiguous", candidates: tagged, reason: `${tagged.length} orders carry the tag ${intent.tag}` };
  if (tagged.length === 1) {
    const diff = differences(intent, tagged[0]);
    if (diff.length > 0)
      return { kind: "conflict", order: tagged[0], reason: `tagged order differs: ${diff.join(", ")}` };
    return { kind: "tag", order: tagged[0] };
  }

  if (options.brokerKeepsTags) return { kind: "none" };
  const earliest = intent.sentAt - options.clockSkewMs;
  const lookalikes = free.filter((o) => o.strategyTag === null && differences(intent, o).length === 0);
  const timed = lookalikes.filter((o) => o.placedAt !== null && o.placedAt >= earliest);
  const untimed = lookalikes.filter((o) => o.placedAt === null);
  const candidates = [...timed, ...untimed];
  if (candidates.length === 0) return { kind: "none" };
  if (candidates.length > 1) {
    return {
      kind: "ambiguous",
      candidates,
      reason: `${candidates.length} untagged orders match ${intent.action} ${intent.quantity} ${intent.symbol}`,
    };
  }
  if (untimed.length === 1) {
    return {
      kind: "ambiguous",
      candidates,
      reason: `order ${untimed[0].orderId} matches but the broker gives no placement time`,
    };
  }
  return { kind: "fields", order: timed[0] };
}

/** A book order that was considered for an intent and not taken, with the reason. */
export interface RejectedCandidate {
  orderId: string;
  reason: string;
}

/**
 * Why each order of the book that trades the intent's contract on the intent's side is NOT the intent's order: the
 * evidence written down before a resend (which orders were looked at, and why none was taken).
 */
export function rejectedCandidates(
  intent: IntentForMatch,
  orders: readonly BookOrder[],
  linkedOrderIds: ReadonlySet<string>,
  options: MatchOptions,
): RejectedCandidate[] {
  const earliest = intent.sentAt - options.clockSkewMs;
  return orders
    .filter((o) => same(o.symbol, intent.symbol) && o.action === intent.action)
    .map((o) => {
      const why: string[] = [];
      if (linkedOrderIds.has(o.orderId)) why.push("linked to another intent");
      if (o.strategyTag !== null && o.strategyTag !== intent.tag) why.push(`tagged ${o.strategyTag}`);
      if (o.strategyTag === null && options.brokerKeepsTags) why.push("untagged at a broker that keeps tags");
      why.push(...differences(intent, o).map((d) => `different ${d}`));
      if (o.strategyTag === null && o.placedAt !== null && o.placedAt < earliest)
        why.push(`placed ${Math.round((intent.sentAt - o.placedAt) / 1000)} s before the send`);
      return { orderId: o.orderId, reason: why.join("; ") || "not taken" };
    });
}

/** One BUY-phase intent of an account as seen by the phase gate. */
export interface PhaseIntentOutcome {
  intentId: string;
  state: IntentState;
  reason?: string | null;
}

export type PhaseDecision =
  /** Every BUY slice is accepted (or filled): the SELL phase may start. */
  | { kind: "start_sell_phase" }
  /** Some BUY slices are still in flight (planned, claimed, sending, unknown): decide again later. */
  | { kind: "wait"; pending: string[] }
  /** A BUY slice failed or could not be confirmed: the SELL legs must be skipped (never naked). */
  | { kind: "skip_sell_phase"; failed: string[]; reason: string };

const CONFIRMED: ReadonlySet<IntentState> = new Set(["accepted", "reconciled_accepted", "partially_filled", "filled"]);
const IN_FLIGHT: ReadonlySet<IntentState> = new Set(["planned", "claimed", "sending", "unknown"]);

/**
 * Hedge-first gate. The SELL phase starts only when EVERY BUY slice is accepted, adopted or (partly) filled; with no
 * BUY legs it starts at once. Any rejected, cancelled, late-rejected, skipped or unreconciled (`safe_to_resend`) BUY
 * slice skips the SELL legs, even while others are still in flight — the account can no longer be fully hedged.
 */
export function accountPhaseDecision(buyOutcomes: readonly PhaseIntentOutcome[]): PhaseDecision {
  const failed = buyOutcomes.filter((o) => !CONFIRMED.has(o.state) && !IN_FLIGHT.has(o.state));
  if (failed.length > 0) {
    const details = failed.map(
      (o) =>
        `${o.intentId} ${o.state === "safe_to_resend" ? "unconfirmed after reconciliation" : o.state}${o.reason ? ` (${o.reason})` : ""}`,
    );
    return {
      kind: "skip_sell_phase",
      failed: failed.map((o) => o.intentId),
      reason: `BUY phase failed, SELL legs not sent: ${details.join("; ")}`,
    };
  }
  const pending = buyOutcomes.filter((o) => IN_FLIGHT.has(o.state)).map((o) => o.intentId);
  return pending.length > 0 ? { kind: "wait", pending } : { kind: "start_sell_phase" };
}
