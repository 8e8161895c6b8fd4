/**
 * Reconciliation of intents whose send outcome is unknown: one order-book read per poll for all of an account's
 * unknown intents, adoption of the matching order (lib/trading/intent-matcher), and `safe_to_resend` only after a
 * book read that started once the reconcile window had passed found nothing. Never a blind resend.
 */
import { randomUUID } from "node:crypto";
import type { BrokerAdapter, Order } from "@/lib/brokers/types";
import { type IntentRow, linkedOrderIds } from "@/lib/db/queries/intents";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  type BookOrder,
  matchOrderForIntent,
  type RejectedCandidate,
  rejectedCandidates,
} from "@/lib/trading/intent-matcher";
import type { IntentEvent } from "@/lib/trading/intents";
import { applyIntentChanges, type IntentChange } from "./intents";
import type { DispatchOptions } from "./options";
import { jsonify } from "@/lib/util/jsonify";

export interface ReconcileResult {
  /** Adopted (possibly already filled/rejected/cancelled) or now safe to resend. */
  settled: number;
  /** Still unknown: waiting for the window, or the book could not be read this time. */
  waiting: number;
  /** Still unknown and beyond what software may decide (ambiguous or conflicting orders): a person must look. */
  stuck: { intentId: string; reason: string }[];
}

const LOCK_TTL_MS = 15_000;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** One reconciler per account at a time, so two jobs never adopt one broker order for two intents. */
async function withAccountLock<T>(accountId: string, fn: () => Promise<T>): Promise<T | null> {
  const key = `md:dispatch:reconcile:${accountId}`;
  const token = randomUUID();
  const got = await redis().set(key, token, "PX", LOCK_TTL_MS, "NX");
  if (got !== "OK") return null;
  try {
    return await fn();
  } finally {
    await redis()
      .eval(RELEASE_LUA, 1, key, token)
      .catch(() => undefined);
  }
}

function bookOrder(o: Order): BookOrder {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    action: o.action,
    quantity: o.quantity,
    product: o.product,
    priceType: o.priceType,
    strategyTag: o.strategy && o.strategy.trim() !== "" ? o.strategy : null,
    placedAt: o.placedAt?.getTime() ?? null,
  };
}

const fieldsKey = (r: IntentRow) => `${r.symbol.toUpperCase()}|${r.action}|${r.quantity}|${r.product}|${r.priceType}`;

/**
 * Adopting `order` only links it. What became of it since — fills and their average price, a cancellation, a
 * rejection (which must be confirmed against the trade book: statuses flap) — is the fill tracker's to record
 * (lib/services/fills/index.ts, scheduled when the dispatch ends), because an order book row alone may lack fills and prices
 * (OpenAlgo live rows do) and one place must decide them.
 */
function adoptionEvents(order: Order, at: number): IntentEvent[] {
  return [{ type: "adopt", at, orderId: order.orderId }];
}

/**
 * Every intent made safe to resend after its window is logged and audited with the evidence: the order-book read it
 * rests on (when it started, how many orders it held) and each order of the same contract and side that was looked
 * at and not taken, with the reason. A person can then tell why MirrorDesk sent an order again.
 */
async function recordResendEvidence(
  accountId: string,
  written: ReadonlyMap<string, IntentRow>,
  evidence: ReadonlyMap<string, { sentAt: number; candidates: RejectedCandidate[] }>,
  book: { readStartedAt: number; orders: number; windowMs: number },
): Promise<void> {
  for (const [id, e] of evidence) {
    const row = written.get(id);
    if (!row) continue;
    const details = {
      runId: row.runId,
      accountId,
      sentAt: new Date(e.sentAt).toISOString(),
      windowMs: book.windowMs,
      book: { source: "order book", readStartedAt: new Date(book.readStartedAt).toISOString(), orders: book.orders },
      candidates: e.candidates,
    };
    log().warn({ intentId: id, ...details }, "no order found within the reconcile window: safe to resend");
    await insertAudit({
      action: "intent.safe_to_resend",
      entity: "intent",
      entityId: id,
      details: jsonify(details),
    }).catch((err) => log().error({ err, intentId: id }, "resend evidence not audited"));
  }
}

/**
 * One reconciliation poll over `unknowns` (intents of one account in state `unknown`). `linkSince` bounds the
 * search for orders already linked to other intents of the account (today's, in practice).
 */
export async function reconcileUnknown(
  adapter: BrokerAdapter,
  accountId: string,
  unknowns: readonly IntentRow[],
  linkSince: Date,
  opts: DispatchOptions,
): Promise<ReconcileResult> {
  const none: ReconcileResult = { settled: 0, waiting: unknowns.length, stuck: [] };
  if (unknowns.length === 0) return none;
  const result = await withAccountLock(accountId, async () => {
    const readStartedAt = Date.now();
    let orders: Order[];
    try {
      orders = await adapter.orders();
    } catch (e) {
      // Without a book read nothing may be concluded: in particular the window must not "elapse" unseen.
      log().warn({ accountId, err: e }, "order book unreadable while reconciling");
      return none;
    }
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    const book = orders.map(bookOrder);
    const linked = await linkedOrderIds(accountId, linkSince);
    const sameFields = new Map<string, number>();
    for (const r of unknowns) sameFields.set(fieldsKey(r), (sameFields.get(fieldsKey(r)) ?? 0) + 1);

    const changes: IntentChange[] = [];
    const evidence = new Map<string, { sentAt: number; candidates: RejectedCandidate[] }>();
    const stuck: ReconcileResult["stuck"] = [];
    let waiting = 0;
    const ordered = [...unknowns].sort((a, b) => (a.sentAt?.getTime() ?? 0) - (b.sentAt?.getTime() ?? 0));
    for (const row of ordered) {
      const sentAt = row.sentAt?.getTime() ?? row.updatedAt.getTime();
      const windowOver = readStartedAt >= sentAt + opts.reconcileWindowMs;
      const m = matchOrderForIntent(
        {
          tag: row.id,
          symbol: row.symbol,
          action: row.action as "BUY" | "SELL",
          quantity: row.quantity,
          product: row.product,
          priceType: row.priceType,
          sentAt,
        },
        book,
        linked,
        { clockSkewMs: opts.clockSkewMs },
      );
      let adopt: BookOrder | null = null;
      if (m.kind === "tag" || m.kind === "fields") adopt = m.order;
      else if (m.kind === "ambiguous") {
        // k of our own unknown intents with identical fields and at most k untagged, timed look-alikes: each order is
        // one of ours and they are interchangeable, so adopting one per intent can neither lose nor double an order.
        const interchangeable = m.candidates.every((c) => c.strategyTag === null && c.placedAt !== null);
        const ours = sameFields.get(fieldsKey(row)) ?? 1;
        if (interchangeable && m.candidates.length <= ours)
          adopt = [...m.candidates].sort((a, b) => (a.placedAt ?? 0) - (b.placedAt ?? 0))[0];
        else if (windowOver) stuck.push({ intentId: row.id, reason: m.reason });
        else waiting += 1;
      } else if (m.kind === "conflict") {
        stuck.push({ intentId: row.id, reason: m.reason });
      } else if (windowOver) {
        changes.push({
          row,
          events: [{ type: "reconcile_window_elapsed", at: readStartedAt, windowMs: opts.reconcileWindowMs }],
        });
        const intent = {
          tag: row.id,
          symbol: row.symbol,
          action: row.action as "BUY" | "SELL",
          quantity: row.quantity,
          product: row.product,
          priceType: row.priceType,
          sentAt,
        };
        evidence.set(row.id, {
          sentAt,
          candidates: rejectedCandidates(intent, book, linked, { clockSkewMs: opts.clockSkewMs }),
        });
      } else {
        waiting += 1;
      }
      if (adopt) {
        linked.add(adopt.orderId);
        const order = byId.get(adopt.orderId) as Order;
        changes.push({ row, events: adoptionEvents(order, Date.now()) });
      }
    }
    const written = await applyIntentChanges(changes);
    await recordResendEvidence(accountId, written, evidence, {
      readStartedAt,
      orders: orders.length,
      windowMs: opts.reconcileWindowMs,
    });
    if (stuck.length > 0) log().error({ accountId, stuck }, "intents need a person: the order book is ambiguous");
    return { settled: written.size, waiting: waiting + (changes.length - written.size), stuck };
  });
  return result ?? none;
}
