/**
 * A stop that rested at the broker and filled: one risk event per stop order (LEG_STOP_LOSS / LEG_TAKE_PROFIT, action
 * EXIT, no exit id: the broker executed it) and one notification, both exactly once — the event's id derives from the
 * stop, and only the call that inserts it notifies. The fill itself is already in the ledger, booked to the protected
 * run (lib/trading/ledger.ts).
 */
import Decimal from "decimal.js";
import { filledStopsWithoutEvent, insertStopEvents, type NewStopEvent } from "@/lib/db/queries/leg-stops";
import { enqueueNotification } from "@/lib/queues/notifications";
import { stopKindOf } from "@/lib/trading/risk/leg-stops";

const rupees = (v: string | null) => (v === null ? "an unreported price" : `₹${new Decimal(v).toFixed(2)}`);

/** Writes the events of stops that filled since the last call; returns how many were written now. */
export async function recordFilledStops(accountId: string, runIds: readonly string[]): Promise<number> {
  const filled = await filledStopsWithoutEvent(accountId, runIds);
  if (filled.length === 0) return 0;
  const events: (NewStopEvent & { title: string; at: Date })[] = filled.map((f) => {
    const kind = stopKindOf(f.stopLeg);
    const label = kind === "stop_loss" ? "stop-loss" : "take-profit";
    const level = kind === "stop_loss" ? `trigger ${rupees(f.level)}` : `limit ${rupees(f.level)}`;
    return {
      id: f.eventId,
      ownerId: f.ownerId,
      runId: f.runId,
      accountId: f.accountId,
      legIndex: f.legIndex,
      rule: kind === "stop_loss" ? "LEG_STOP_LOSS" : "LEG_TAKE_PROFIT",
      threshold: f.level,
      observed: f.averagePrice,
      prices: [
        { exchange: f.exchange, symbol: f.symbol, ltp: f.averagePrice, at: f.at.toISOString(), source: "broker_fill" },
      ],
      title: `Leg ${f.legIndex + 1} ${label} filled at the broker`,
      message: `Leg ${f.legIndex + 1} ${label} filled at the broker: ${f.action} ${f.filled} ${f.symbol} at ${rupees(f.averagePrice)} (${f.priceType}, ${level})`,
      at: f.at,
    };
  });
  const written = new Set(await insertStopEvents(events));
  for (const e of events.filter((x) => written.has(x.id)))
    await enqueueNotification({
      ownerId: e.ownerId,
      kind: "RISK",
      title: e.title,
      body: e.message,
      batchKey: `risk:${e.runId}`,
      severity: "WARNING",
      accountId: e.accountId,
      runId: e.runId,
      at: e.at.toISOString(),
    });
  return written.size;
}
