/**
 * Placing intents: `sending` is persisted (with the send time) BEFORE any broker call, the calls of a phase go out
 * concurrently (the account's rate governor spaces them), and every outcome is recorded in one write.
 */
import Decimal from "decimal.js";
import type {
  BrokerAdapter,
  Exchange,
  PlaceOrderRequest,
  PlaceOrderResult,
  PriceType,
  Product,
} from "@/lib/brokers/types";
import { type IntentRow, touchSending } from "@/lib/db/queries/intents";
import {
  AppError,
  BrokerAuthError,
  BrokerUnavailableError,
  BrokerValidationError,
  RateLimitedError,
  ValidationError,
} from "@/lib/errors";
import type { IntentEvent } from "@/lib/trading/intents";
import { applyIntentChanges, type IntentChange } from "./intents";
import { sleep } from "@/lib/util/sleep";
import type { DispatchOptions } from "./options";

function orderRequest(row: IntentRow): PlaceOrderRequest {
  return {
    symbol: row.symbol,
    exchange: row.exchange as Exchange,
    action: row.action as "BUY" | "SELL",
    quantity: row.quantity,
    priceType: row.priceType as PriceType,
    product: row.product as Product,
    ...(row.price === null ? {} : { price: new Decimal(row.price.toString()) }),
    ...(row.triggerPrice === null ? {} : { triggerPrice: new Decimal(row.triggerPrice.toString()) }),
    // The intent id travels as the order's tag: reconciliation finds the order by it where the broker keeps tags.
    strategy: row.id,
  };
}

/** The broker provably did not act, and asking again later is sensible (its limit, or no connection at all). */
const refusedForNow = (e: unknown) => e instanceof RateLimitedError || e instanceof BrokerUnavailableError;
/** The broker (or our own check) refused the request before anything was recorded: a definite rejection. */
const refusedForGood = (e: unknown) =>
  e instanceof BrokerAuthError || e instanceof BrokerValidationError || e instanceof ValidationError;

interface Placement {
  /** The row as it stood at the final attempt (its send time moves forward with each refused try). */
  row: IntentRow;
  /** The broker's answer, or `not_placed`: every bounded try was refused before the broker took anything. */
  result: PlaceOrderResult | { kind: "not_placed"; reason: string };
  at: number;
}

/**
 * One placement. `placeOrder` never retries by itself and throws only when nothing was placed: those throws are
 * tried again (bounded), each time after moving the stored send time forward. Null when the intent is no longer
 * ours (recovery took it over): then nothing more may be sent for it.
 */
async function placeOne(
  adapter: BrokerAdapter,
  row: IntentRow,
  workerId: string,
  opts: DispatchOptions,
): Promise<Placement | null> {
  let current = row;
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await adapter.placeOrder(orderRequest(current));
      return { row: current, result, at: Date.now() };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (refusedForNow(e) && attempt < opts.maxRefusedRetries) {
        await sleep(opts.refusedBackoffMs * (attempt + 1));
        const at = new Date();
        if (!(await touchSending(current.id, workerId, at))) return null;
        current = { ...current, sentAt: at, updatedAt: at };
        continue;
      }
      if (refusedForNow(e))
        return {
          row: current,
          result: { kind: "not_placed", reason: `not placed: ${message} (gave up after ${attempt + 1} tries)` },
          at: Date.now(),
        };
      if (refusedForGood(e)) return { row: current, result: { kind: "rejected", reason: message }, at: Date.now() };
      // Anything else (a Redis failure in the rate governor, a bug) cannot prove the order was not placed.
      const reason = e instanceof AppError ? message : `unexpected error while placing: ${message}`;
      return { row: current, result: { kind: "unknown", reason }, at: Date.now() };
    }
  }
}

function outcomeEvent(p: Placement): IntentEvent {
  switch (p.result.kind) {
    case "accepted":
      return { type: "accept", at: p.at, orderId: p.result.orderId };
    case "rejected":
      return { type: "reject", at: p.at, reason: p.result.reason.trim() || "rejected by the broker" };
    case "unknown":
      return { type: "outcome_unknown", at: p.at, reason: p.result.reason.trim() || "no answer from the broker" };
    case "not_placed":
      return { type: "not_placed", at: p.at, reason: p.result.reason };
  }
}

/**
 * Places intents this worker holds in `sending` (persisted before this call), concurrently — the account's rate
 * governor spaces them — then records every outcome in one write. Returns the rows as stored afterwards (only those
 * still ours: a row recovery took over in the meantime is left to reconciliation).
 */
export async function placeSending(
  adapter: BrokerAdapter,
  sending: readonly IntentRow[],
  workerId: string,
  opts: DispatchOptions,
): Promise<Map<string, IntentRow>> {
  if (sending.length === 0) return new Map();
  const placements = await Promise.all(sending.map((row) => placeOne(adapter, row, workerId, opts)));
  const changes: IntentChange[] = placements
    .filter((p): p is Placement => p !== null)
    .map((p) => ({
      row: p.row,
      events: [outcomeEvent(p)],
      expectClaimedBy: workerId,
      ...(p.result.kind === "rejected" && p.result.orderId ? { rejectedOrderId: p.result.orderId } : {}),
    }));
  return applyIntentChanges(changes);
}
