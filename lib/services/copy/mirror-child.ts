/**
 * ORDERS mode, one child (docs/copy-trading.md "ORDERS mode"): a master MODIFY or CANCEL applied to that child's
 * orders of the master order — one order-book read, the pure re-proportioning (lib/trading/copy/orders.ts), then
 * modifies and cancels through the child's adapter (its rate governor inside), concurrently.
 */
import Decimal from "decimal.js";
import type { BrokerAdapter, Order } from "@/lib/brokers/types";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import type { IntentRow } from "@/lib/db/queries/intents";
import { BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { adapterFor } from "@/lib/services/broker-access";
import { applyIntentChanges } from "@/lib/services/dispatch";
import { reproportionChild, type SliceChange } from "@/lib/trading/copy/orders";
import type { CopyChildRule } from "@/lib/trading/copy/types";
import type { IntentState } from "@/lib/trading/intents";
import { applyChanges, readBook, sliceOf } from "./mirror-broker";
import type { MirrorContext, MirroredChild, MirroredSlice, MirrorOutcome } from "./mirror-types";

const OPEN: ReadonlySet<IntentState> = new Set(["accepted", "reconciled_accepted", "partially_filled"]);
const IN_FLIGHT: ReadonlySet<IntentState> = new Set(["claimed", "sending", "unknown"]);
const UNSENT: ReadonlySet<IntentState> = new Set(["planned", "safe_to_resend", "held"]);
const transient = (e: unknown) => e instanceof BrokerUnavailableError || e instanceof RateLimitedError;
const text = (e: unknown) => (e instanceof Error ? e.message : String(e));

const result = (rows: readonly IntentRow[], over: Partial<MirroredChild> & Pick<MirroredChild, "outcome">) => ({
  accountId: rows[0].accountId,
  action: rows[0].action as "BUY" | "SELL",
  quantity: rows.reduce((t, r) => t + r.filledQuantity, 0),
  reason: null,
  slices: [],
  ...over,
});

/** Applies the event to one child's intents of the master order (`rows`, one per slice). Never throws. */
export async function mirrorChild(
  ctx: MirrorContext,
  rule: CopyChildRule | null,
  input: readonly IntentRow[],
): Promise<MirroredChild> {
  let rows = [...input].sort((a, b) => a.sliceIndex - b.sliceIndex);
  let skipped = new Set<string>();
  if (ctx.kind === "CANCEL") {
    // Not sent yet: never sent now (compare-and-set against dispatch claiming them meanwhile).
    const unsent = rows.filter((r) => UNSENT.has(r.state));
    const reason = "master order cancelled before this copy was sent";
    const written = await applyIntentChanges(
      unsent.map((row) => ({ row, events: [{ type: "skip", at: Date.now(), reason }] })),
    );
    rows = rows.map((r) => written.get(r.id) ?? r);
    skipped = new Set(written.keys());
  }
  const inFlight = rows.filter(
    (r) => IN_FLIGHT.has(r.state) || (ctx.runActive && UNSENT.has(r.state) && r.state !== "held"),
  );
  if (inFlight.length > 0) return result(rows, { outcome: "waiting", reason: "the child's order is still being sent" });
  const open = rows.filter((r) => OPEN.has(r.state) && r.brokerOrderId);
  if (open.length === 0) {
    const states = [...new Set(rows.filter((r) => !skipped.has(r.id)).map((r) => r.state))];
    const verb = ctx.kind === "CANCEL" ? "cancel" : "modify";
    const reason = [
      skipped.size > 0 ? "never sent: the master order was cancelled first" : null,
      states.length > 0 ? `nothing working to ${verb}: the child's order is already ${states.join(", ")}` : null,
    ];
    return result(rows, {
      outcome: skipped.size > 0 ? "cancelled" : "noted",
      reason: reason.filter(Boolean).join("; "),
      slices: rows.map((r) => ({
        intentId: r.id,
        brokerOrderId: r.brokerOrderId,
        did: skipped.has(r.id) ? "skipped" : "done",
        detail: r.state,
      })),
    });
  }
  const account = await loadAccountSecret(rows[0].accountId);
  if (!account) return result(rows, { outcome: "failed", reason: "the account no longer exists" });
  let adapter: BrokerAdapter;
  let book: Map<string, Order>;
  try {
    adapter = adapterFor(account);
    book = await readBook(adapter, open);
  } catch (e) {
    return result(rows, { outcome: transient(e) ? "waiting" : "failed", reason: `order book unreadable: ${text(e)}` });
  }
  if (open.some((r) => !book.has(r.brokerOrderId as string)))
    return result(rows, { outcome: "waiting", reason: "the child's order is not in its order book yet" });
  const slices = rows.map((r) => sliceOf(r, book.get(r.brokerOrderId ?? "")));
  let changes: SliceChange[];
  let total: number;
  let reason: string | null = null;
  if (ctx.kind === "CANCEL") {
    changes = slices.filter((s) => s.working).map((s) => ({ intentId: s.intentId, kind: "cancel" }));
    total = slices.reduce((t, s) => t + s.filled, 0);
  } else {
    // A child no longer in the group follows price changes only: its share of a new quantity is unknown.
    const change = rule ? ctx.change : { ...ctx.change, newQuantity: ctx.change.oldQuantity };
    const plan = reproportionChild(
      change,
      rule ?? placeholderRule(rows[0].accountId),
      slices,
      ctx.sizes,
      ctx.increaseBlocked,
    );
    ({ changes, total, reason } = plan);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const done = await applyChanges(ctx, adapter, changes, byId, book);
  const notWorking = slices
    .filter((s) => !s.working)
    .map((s): MirroredSlice => {
      const r = byId.get(s.intentId) as IntentRow;
      const status = book.get(r.brokerOrderId ?? "")?.status ?? r.state;
      return { intentId: r.id, brokerOrderId: r.brokerOrderId, did: "done", detail: `already ${status}` };
    });
  const all = [...done, ...notWorking].sort(
    (a, b) => (byId.get(a.intentId)?.sliceIndex ?? 0) - (byId.get(b.intentId)?.sliceIndex ?? 0),
  );
  const failures = all.filter((s) => s.did === "failed");
  const acted = all.some((s) => s.did === "modified" || s.did === "cancelled");
  const outcome: MirrorOutcome =
    failures.length > 0
      ? "failed"
      : acted
        ? ctx.kind === "CANCEL"
          ? "cancelled"
          : "modified"
        : all.some((s) => s.did === "kept")
          ? "unchanged"
          : "noted";
  const notes = [
    reason,
    ...all.filter((s) => s.did === "done" || s.did === "failed").map((s) => `order ${s.brokerOrderId}: ${s.detail}`),
  ];
  return {
    accountId: rows[0].accountId,
    action: rows[0].action as "BUY" | "SELL",
    quantity: total,
    reason: notes.filter((n) => n).join("; ") || null,
    outcome,
    slices: all,
  };
}

/** A stand-in rule for a child removed from the group (only prices are mirrored to it). */
function placeholderRule(accountId: string): CopyChildRule {
  return {
    accountId,
    accountName: "",
    multiplier: new Decimal(1),
    rounding: "DOWN",
    minOneLot: false,
    enabled: false,
    maxLotsPerOrder: null,
    maxOpenLots: null,
    reverse: false,
  };
}
