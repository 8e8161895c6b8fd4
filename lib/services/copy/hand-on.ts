/**
 * Hand-on (docs/copy-trading.md "Events, runs and exactly once"): when none of the group's COPY runs is still being
 * sent, the group's PENDING events become ONE COPY run — one leg per event, each child's orders with intent ids
 * derived from the event — and are marked SENT in the run's own transaction. MODIFY and CANCEL events are applied
 * to the children's working orders (./orders-mode) once the orders before them are out.
 */
import { createHash } from "node:crypto";
import Decimal from "decimal.js";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import type { ScanGroup } from "@/lib/db/queries/copy-engine";
import {
  closePendingEvents,
  copyRunInFlight,
  listPendingEvents,
  markEventsSent,
  type EventChild,
  type PendingEvent,
} from "@/lib/db/queries/copy-events";
import { KillSwitchError } from "@/lib/errors";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/services/broker-access";
import { createRun } from "@/lib/services/runs";
import { placeChildOrders } from "@/lib/trading/copy/orders";
import { copyContractKey, copyIntentKey, type ContractSizes } from "@/lib/trading/copy/types";
import { sliceQuantities } from "@/lib/trading/instruments";
import type { AccountPlan, PlannedLeg } from "@/lib/trading/plan-account";
import { runTotals } from "@/lib/trading/plan";
import type { ResolvedLeg } from "@/lib/trading/resolve-legs";
import { parseDerivativeSymbol } from "@/lib/trading/symbols";
import { clampClose } from "@/lib/trading/copy/sizing";
import { contractSizesFor, exitAdjustments, exposureBook } from "./exposure";
import { mirrorChange } from "./orders-mode";

export type HandOnResult = { runId: string | null; sent: number; waiting: boolean };

/** A UUID (v4 layout) derived from `text`: the same events always name the same run. */
function uuidFrom(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const skipReason = (children: readonly EventChild[]) =>
  children.length === 0
    ? "no child to copy to"
    : [...new Set(children.map((c) => c.reason ?? "nothing to send"))].join("; ");

/** The events before the first MODIFY/CANCEL that has orders in front of it; those are applied first when at the head. */
async function applyLeadingChanges(events: PendingEvent[]): Promise<PendingEvent[]> {
  let i = 0;
  while (i < events.length && (events[i].kind === "MODIFY" || events[i].kind === "CANCEL")) {
    await mirrorChange(events[i].id).catch(async (err) => {
      log().warn({ err, eventId: events[i].id }, "copy change not applied");
      await closePendingEvents([events[i].id], "FAILED", err instanceof Error ? err.message : String(err));
    });
    i += 1;
  }
  const rest = events.slice(i);
  const stop = rest.findIndex((e) => e.kind === "MODIFY" || e.kind === "CANCEL");
  return stop < 0 ? rest : rest.slice(0, stop);
}

function childrenFor(e: PendingEvent, group: ScanGroup, sizes: ContractSizes | undefined): EventChild[] | string {
  const paused = new Set(group.children.filter((c) => !c.enabled).map((c) => c.accountId));
  let children = e.children;
  if (e.kind === "PLACE") {
    if (!sizes) return `lot size of ${e.symbol} unknown`;
    children = placeChildOrders({ action: e.action, quantity: e.quantity }, group.children, sizes);
  }
  // A child paused after detection gets nothing.
  return children.map((c) =>
    paused.has(c.accountId) && c.quantity > 0 ? { ...c, quantity: 0, reason: "child paused" } : c,
  );
}

/** Hands the group's PENDING events on; waits (does nothing) while one of its COPY runs is still being sent. */
export async function handOnEvents(group: ScanGroup): Promise<HandOnResult> {
  let events = await listPendingEvents(group.id);
  if (events.length === 0) return { runId: null, sent: 0, waiting: false };
  if (!group.enabled) {
    await closePendingEvents(
      events.map((e) => e.id),
      "SKIPPED",
      "group paused",
    );
    return { runId: null, sent: 0, waiting: false };
  }
  if (await copyRunInFlight(group.id)) return { runId: null, sent: 0, waiting: true };
  events = await applyLeadingChanges(events);
  if (events.length === 0) return { runId: null, sent: 0, waiting: false };
  const sizes = await sizesOf(group, events);
  // Closes are cut to what each child holds now (lib/trading/copy/sizing.ts clampClose), legs before them included.
  const held = events.some((e) => e.children.some((c) => (c.closes ?? 0) > 0))
    ? await exposureBook(group.id, await exitAdjustments(group), undefined, false)
    : null;
  const legs: ResolvedLeg[] = [];
  const plans = new Map<string, { leg: PlannedLeg; closes: number }[]>();
  const marks: { id: string; legIndex: number; children: EventChild[] }[] = [];
  const failed: { id: string; reason: string }[] = [];
  const skipped: { id: string; reason: string }[] = [];
  for (const e of events) {
    const s = sizes.get(copyContractKey(e));
    let children: EventChild[] | string;
    try {
      children = childrenFor(e, group, s);
    } catch (err) {
      children = err instanceof Error ? err.message : String(err);
    }
    if (typeof children === "string" || !s) {
      failed.push({ id: e.id, reason: typeof children === "string" ? children : `lot size of ${e.symbol} unknown` });
      continue;
    }
    if (held)
      children = children.map((c) => {
        const order = clampClose(c, held.exposure(c.accountId, e));
        held.add(c.accountId, e, order.action === "BUY" ? order.quantity : -order.quantity);
        return order;
      });
    const sending = children.filter((c) => c.quantity > 0);
    if (sending.length === 0) {
      skipped.push({ id: e.id, reason: skipReason(children) });
      continue;
    }
    const legIndex = legs.length;
    legs.push(resolvedLeg(e, legIndex, s));
    marks.push({ id: e.id, legIndex, children });
    for (const c of sending)
      plans.set(c.accountId, [
        ...(plans.get(c.accountId) ?? []),
        { leg: plannedLeg(group.id, e, c, legIndex, s), closes: c.closes ?? 0 },
      ]);
  }
  for (const f of failed) await closePendingEvents([f.id], "FAILED", f.reason);
  for (const k of skipped) await closePendingEvents([k.id], "SKIPPED", k.reason);
  if (marks.length === 0) return { runId: null, sent: 0, waiting: false };
  const names = new Map(group.children.map((c) => [c.accountId, c.accountName]));
  const accounts: AccountPlan[] = [...plans].map(([accountId, planned]) => ({
    status: "planned",
    accountId,
    accountName: names.get(accountId) ?? accountId,
    legs: withPhases(planned),
    marginSource: "available",
    marginAvailable: new Decimal(0),
    marginNeeded: new Decimal(0),
    warnings: [],
  }));
  const ids = marks.map((m) => m.id).join(",");
  const runId = uuidFrom(`copy-run:${group.id}:${ids}`);
  try {
    await createRun({
      runId,
      ownerId: group.ownerId,
      strategyId: null,
      kind: "COPY",
      idempotencyKey: `copy:${group.id}:${runId}`,
      triggeredAt: new Date(),
      preview: { legs, conditions: {}, accounts, totals: runTotals(accounts) },
      copyGroupId: group.id,
      andThen: (tx) => markEventsSent(tx, runId, marks),
    });
  } catch (err) {
    if (!(err instanceof KillSwitchError)) throw err;
    await closePendingEvents(
      marks.map((m) => m.id),
      "BLOCKED",
      err.message,
    );
    return { runId: null, sent: 0, waiting: false };
  }
  return { runId, sent: marks.length, waiting: false };
}

async function sizesOf(group: ScanGroup, events: readonly PendingEvent[]): Promise<Map<string, ContractSizes>> {
  const account = await loadAccountSecret(group.masterAccountId);
  if (!account) return new Map();
  const unique = new Map(
    events.map((e) => [copyContractKey(e), { symbol: e.symbol, exchange: e.exchange, product: e.product }]),
  );
  return contractSizesFor(group, adapterFor(account), [...unique.values()]);
}

function resolvedLeg(e: PendingEvent, legIndex: number, s: ContractSizes): ResolvedLeg {
  const parsed = parseDerivativeSymbol(e.symbol);
  return {
    legIndex,
    underlying: parsed?.underlying ?? e.symbol,
    instrument: parsed?.kind === "option" ? "options" : parsed?.kind === "future" ? "futures" : "equity",
    action: e.action,
    optionType: parsed?.kind === "option" ? parsed.optionType : null,
    symbol: e.symbol,
    exchange: e.exchange as ResolvedLeg["exchange"],
    expiry: parsed?.expiry ?? "",
    strike: null,
    lotSize: s.lotSize,
    freezeQty: s.freezeQty,
    sliceLots: s.freezeQty === null ? null : Math.floor(s.freezeQty / s.lotSize),
    // The run-wide leg is for display; each child's own leg carries the exact price type (SL, SL-M too).
    priceType: e.priceType === "LIMIT" || e.priceType === "SL" ? "LIMIT" : "MARKET",
    price: e.price === null ? null : new Decimal(e.price),
    referencePrice: null,
    warnings: [],
  };
}

/**
 * Hedge-first phases of one child's legs: BUYs first, SELLs once they are confirmed — except a SELL that only closes
 * a long the child holds, when the child buys nothing back in this run: it goes with the BUYs, so an opening BUY the
 * child's broker refuses (a roll into a contract it cannot afford) never holds back the close of what the master
 * closed. With a buy-back in the run the closing SELL stays behind it: selling a wing first leaves the short naked.
 */
function withPhases(legs: readonly { leg: PlannedLeg; closes: number }[]): PlannedLeg[] {
  const buysBack = legs.some((l) => l.leg.action === "BUY" && l.closes > 0);
  return legs.map(({ leg, closes }) => ({
    ...leg,
    phase: leg.action === "BUY" || (!buysBack && closes >= leg.quantity) ? 1 : 2,
  }));
}

function plannedLeg(groupId: string, e: PendingEvent, c: EventChild, legIndex: number, s: ContractSizes): PlannedLeg {
  const priceType = (e.kind === "PLACE" ? (e.priceType ?? "MARKET") : "MARKET") as PlannedLeg["priceType"];
  const priced = priceType === "LIMIT" || priceType === "SL";
  const triggered = priceType === "SL" || priceType === "SL-M";
  return {
    legIndex,
    symbol: e.symbol,
    exchange: e.exchange,
    action: c.action,
    product: e.product as PlannedLeg["product"],
    priceType,
    price: priced && e.price !== null ? new Decimal(e.price) : null,
    triggerPrice: triggered && e.triggerPrice !== null ? new Decimal(e.triggerPrice) : null,
    intentKey: copyIntentKey(groupId, e.masterOrderId, e.seq),
    phase: c.action === "BUY" ? 1 : 2,
    lots: c.quantity / s.lotSize,
    lotSize: s.lotSize,
    quantity: c.quantity,
    slices: sliceQuantities(c.quantity, s.lotSize, s.freezeQty ?? 1),
    marginKind: "wing",
    marginNeeded: null,
    marginAvailable: null,
    warnings: [],
  };
}
