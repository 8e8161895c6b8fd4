/**
 * One fill sync of one account: ONE order-book read however many of its intents are open, at most one trade-book
 * read, the pure mapping of lib/trading/fills.ts, compare-and-set writes and the affected runs' status. Concurrent
 * calls for one account share one sync; the poller (poller.ts) runs it for the accounts in the schedule.
 */
import type { Order, Trade } from "@/lib/brokers/types";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { isTracked, listTrackedIntents, type TrackedWindow } from "@/lib/db/queries/fill-tracking";
import type { IntentRow } from "@/lib/db/queries/intents";
import { log } from "@/lib/log";
import { touchesStops } from "@/lib/db/queries/leg-stops";
import { enqueuePositionInterestSync } from "@/lib/queues/market-data";
import { enqueueStopSync } from "@/lib/queues/risk-stops";
import { invalidateBooks } from "@/lib/services/accounts";
import { adapterFor } from "@/lib/services/broker-access";
import {
  bookDayStart,
  type BookRow,
  fillEvents,
  type FillOutcome,
  REJECTED_LATE_WATCH_MS,
  type TradeFill,
} from "@/lib/trading/fills";
import { applyIntentChanges, type IntentChange } from "@/lib/services/dispatch";
import { refreshRunStatus } from "@/lib/services/dispatch";

export interface FillSyncResult {
  /** Intents whose stored state or fill changed. */
  changed: number;
  /** Intents of the account still tracked afterwards (their orders may still change). */
  unsettled: number;
}

/** The tracked-intent window at `now`: sent during the current order-book day; late rejections watched a while. */
export function trackedWindow(now: number): TrackedWindow {
  return { since: new Date(bookDayStart(now)), watchSince: new Date(now - REJECTED_LATE_WATCH_MS) };
}

function bookRow(o: Order): BookRow {
  const filledQuantity = o.fillsReported === false ? null : o.filledQuantity;
  return {
    status: o.status,
    quantity: o.quantity,
    filledQuantity,
    averagePrice: o.averagePrice,
    rejectionReason: o.rejectionReason,
  };
}

function tradesByOrder(trades: readonly Trade[]): Map<string, TradeFill[]> {
  const out = new Map<string, TradeFill[]>();
  for (const t of trades) {
    const fills = out.get(t.orderId);
    const fill = { quantity: t.quantity, averagePrice: t.averagePrice };
    if (fills) fills.push(fill);
    else out.set(t.orderId, [fill]);
  }
  return out;
}

/**
 * Reads the account's order book once and records every fill, partial fill, cancellation and late rejection of its
 * tracked intents. Concurrent calls for one account share a sync that starts after the one in progress (so each
 * caller sees the books as they were after its call), instead of one broker read each. Throws when the account's
 * books cannot be read (nothing is changed then).
 */
export function syncAccountFills(accountId: string): Promise<FillSyncResult> {
  const queued = pending.get(accountId);
  if (queued && !queued.started) return queued.promise;
  const entry: { started: boolean; promise: Promise<FillSyncResult> } = {
    started: false,
    promise: Promise.resolve({ changed: 0, unsettled: 0 }),
  };
  const previous = queued?.promise.catch(() => undefined) ?? Promise.resolve();
  entry.promise = previous
    .then(() => {
      entry.started = true;
      return syncNow(accountId);
    })
    .finally(() => {
      if (pending.get(accountId) === entry) pending.delete(accountId);
    });
  pending.set(accountId, entry);
  return entry.promise;
}

const pending = new Map<string, { started: boolean; promise: Promise<FillSyncResult> }>();

async function syncNow(accountId: string): Promise<FillSyncResult> {
  const w = trackedWindow(Date.now());
  const intents = await listTrackedIntents(accountId, w);
  if (intents.length === 0) return { changed: 0, unsettled: 0 };
  const account = await loadAccountSecret(accountId);
  // A deleted account takes its intents with it (cascade): nothing is left to track.
  if (!account) return { changed: 0, unsettled: 0 };
  const adapter = adapterFor(account);
  // Only the tracked orders' rows are parsed: the book holds every order of the day.
  const wanted = new Set(intents.flatMap((r) => (r.brokerOrderId ? [r.brokerOrderId] : [])));
  const book = new Map((await adapter.orders(wanted)).map((o) => [o.orderId, o]));
  const at = Date.now();
  const decide = (row: IntentRow, trades: Map<string, TradeFill[]> | null): FillOutcome => {
    const order = book.get(row.brokerOrderId ?? "");
    // Not in the book (yet): nothing can be concluded from its absence.
    if (!order) return { kind: "none" };
    const tracked = { state: row.state, quantity: row.quantity, filledQuantity: row.filledQuantity };
    return fillEvents(tracked, bookRow(order), trades ? (trades.get(order.orderId) ?? []) : null, at);
  };
  let outcomes = intents.map((row) => ({ row, outcome: decide(row, null) }));
  const needTrades = new Set(
    outcomes.flatMap((o) => (o.outcome.kind === "need_trades" && o.row.brokerOrderId ? [o.row.brokerOrderId] : [])),
  );
  if (needTrades.size > 0) {
    const trades = tradesByOrder(await adapter.trades(needTrades));
    outcomes = outcomes.map((o) =>
      o.outcome.kind === "need_trades" ? { row: o.row, outcome: decide(o.row, trades) } : o,
    );
  }
  const changes: IntentChange[] = [];
  for (const { row, outcome } of outcomes) {
    if (outcome.kind !== "events") continue;
    if (outcome.priceMissing)
      log().warn(
        { accountId, intentId: row.id, orderId: row.brokerOrderId },
        "fill recorded without a price: neither book reports one",
      );
    changes.push({
      row,
      events: outcome.events,
      averagePrice: outcome.averagePrice?.toDecimalPlaces(4).toFixed() ?? null,
    });
  }
  const written = await applyIntentChanges(changes);
  // Fills move positions and funds: the books pages read them afresh on their next refresh.
  if (written.size > 0)
    await invalidateBooks([accountId]).catch((err) => log().warn({ err, accountId }, "book cache not invalidated"));
  // Fills open and close positions: their live-price interest follows at once (docs/market-data.md "Stale data").
  if (written.size > 0)
    await enqueuePositionInterestSync().catch((err) => log().warn({ err, accountId }, "positions interest not queued"));
  const runs = new Set([...written.values()].map((r) => r.runId));
  // Stops resting at the broker follow the positions they protect (docs/risk.md "Leg stops at the broker").
  if (await touchesStops([...runs]).catch(() => true))
    await enqueueStopSync(accountId).catch((err) => log().warn({ err, accountId }, "stop sync not queued"));
  await Promise.all(
    [...runs].map((runId) =>
      refreshRunStatus(runId).catch((err) => log().warn({ err, runId }, "run status not refreshed after fills")),
    ),
  );
  const unsettled = intents.filter((r) => isTracked(written.get(r.id) ?? r, w)).length;
  return { changed: written.size, unsettled };
}
