/**
 * The trading calendar (docs/calendar.md): each exchange's session on an IST date — an admin's override first, then
 * what the market-data accounts' OpenAlgo reported, then the built-in defaults (weekends and the seeded holidays
 * closed, the regular windows). Every time-based decision reads it: the auto square-off, the MIS cut-off, the
 * stale-data watchdog, holiday-adjusted expiries and the risk engine's time exits.
 */
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { insertAudit } from "@/lib/db/queries/audit";
import { deleteAdminSession, upsertAdminSession } from "@/lib/db/queries/market-sessions";
import { inTransaction } from "@/lib/db/transaction";
import { NotFoundError } from "@/lib/errors";
import { tradingSettings } from "@/lib/services/settings";
import { addDays, isIsoDate, istDateOf, sessionOpenAt, type ExchangeSession } from "@/lib/trading/calendar";
import { CALENDAR_EXCHANGES, expiryHolidays, overrideRow, type SessionOverride } from "@/lib/trading/session-sources";
import { jsonify } from "@/lib/util/jsonify";
import { z } from "zod";
import { bumpCalendarVersion, createCalendarReader } from "./reader";
import { refreshFromSource, type RefreshOutcome } from "./refresh";
import { buildCalendarView, type CalendarQuery } from "./view";

export { sessionOverrideSchema } from "@/lib/trading/session-sources";
export { calendarQuerySchema, type CalendarView } from "./view";
// How the last refresh went (the calendar page; the morning readiness check reads it too).
export { CALENDAR_ALERT, lastRefresh, type RefreshOutcome } from "./refresh";

const reader = createCalendarReader();

/** `exchange`'s session on the IST date `date`. */
export function sessionOf(exchange: string, date: string): Promise<ExchangeSession> {
  return reader.sessionOf(exchange, date);
}

/** Whether `exchange` is in session at `at`. */
export async function inSession(exchange: string, at: Date): Promise<boolean> {
  return sessionOpenAt(await sessionOf(exchange, istDateOf(at.getTime())), at.getTime());
}

/** Forget cached days (after a change in this process; other processes notice the version key). */
export function invalidateCalendarCache(): void {
  reader.invalidate();
}

/** How far back and ahead expiry rules look for holidays, days from today. */
const EXPIRY_LOOKBACK_DAYS = 45;
const EXPIRY_LOOKAHEAD_DAYS = 400;

/**
 * The weekdays `exchange` (default NFO) does not trade a regular session around `today` — closed, or open only for a
 * special session: the holiday set expiry rules move expiries off (an expiry on such a day moves to the previous
 * trading day).
 */
export async function expiryHolidaySet(today: string, exchange = "NFO"): Promise<ReadonlySet<string>> {
  const from = addDays(today, -EXPIRY_LOOKBACK_DAYS);
  return expiryHolidays(await reader.sessionsBetween(exchange, from, addDays(today, EXPIRY_LOOKAHEAD_DAYS)));
}

/** The calendar page's data (every signed-in user may read the sessions). */
export async function calendarView(actor: Actor, query: CalendarQuery, now: Date = new Date()) {
  authorize(actor, "calendar.read");
  const settings = await tradingSettings();
  return jsonify(await buildCalendarView(reader, settings.instruments, query, now));
}

async function changed(): Promise<void> {
  reader.invalidate();
  await bumpCalendarVersion();
}

/** Sets an admin's override of one exchange's session on one date (audited); every process sees it within ~1 s. */
export async function saveOverride(actor: Actor, input: SessionOverride, ip: string | null = null) {
  authorize(actor, "calendar.manage");
  await inTransaction(async (tx) => {
    await upsertAdminSession(tx, overrideRow(input), actor.id);
    await insertAudit(
      {
        actorId: actor.id,
        action: "calendar.override",
        entity: "market_session",
        entityId: `${input.date}:${input.exchange}`,
        details: jsonify(input),
        ip,
      },
      tx,
    );
  });
  await changed();
  return { ok: true };
}

/** Which override to remove: a date and an exchange. */
export const overrideKeySchema = z.object({
  date: z.string().max(10).refine(isIsoDate, "a YYYY-MM-DD calendar date"),
  exchange: z.enum(CALENDAR_EXCHANGES),
});

/** Removes an admin's override (audited); the day goes back to OpenAlgo's session or the defaults. 404 when none. */
export async function removeOverride(actor: Actor, key: z.infer<typeof overrideKeySchema>, ip: string | null = null) {
  authorize(actor, "calendar.manage");
  await inTransaction(async (tx) => {
    const removed = await deleteAdminSession(tx, key.date, key.exchange);
    if (!removed) throw new NotFoundError(`Override of ${key.exchange} on ${key.date}`);
    await insertAudit(
      {
        actorId: actor.id,
        action: "calendar.override_removed",
        entity: "market_session",
        entityId: `${key.date}:${key.exchange}`,
        details: { closed: removed.closed, description: removed.description },
        ip,
      },
      tx,
    );
  });
  await changed();
  return { ok: true };
}

/** The worker's periodic refresh from OpenAlgo (and at its start). */
export function refreshCalendar(now: Date = new Date()): Promise<RefreshOutcome> {
  return refreshFromSource(now, changed);
}

/** An admin's "refresh now" (audited): the outcome, success or why not. */
export async function refreshCalendarNow(actor: Actor, ip: string | null = null, now: Date = new Date()) {
  authorize(actor, "calendar.manage");
  const outcome = await refreshFromSource(now, changed);
  await insertAudit({
    actorId: actor.id,
    action: "calendar.refresh",
    entity: "market_session",
    details: { ok: outcome.ok, account: outcome.accountName, rows: outcome.rows },
    ip,
  });
  return outcome;
}
