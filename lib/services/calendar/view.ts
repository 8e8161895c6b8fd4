/**
 * The calendar as the page and `GET /api/calendar` show it (docs/calendar.md "The calendar page"): per IST date and
 * exchange, the resolved session with its source, the admins' overrides, each underlying's expiry days and how the
 * last refresh went.
 */
import { z } from "zod";
import { marketSessionsBetween } from "@/lib/db/queries/market-sessions";
import {
  addDays,
  dayNumber,
  istDateOf,
  istHhMm,
  isIsoDate,
  weekdayOf,
  type ExchangeSession,
} from "@/lib/trading/calendar";
import type { InstrumentSettingsTable } from "@/lib/trading/instruments";
import { CALENDAR_EXCHANGES } from "@/lib/trading/session-sources";
import { expiryDays, type ExpiryDays } from "./expiries";
import type { CalendarReader } from "./reader";
import { lastRefresh, type RefreshOutcome } from "./refresh";

/** Most days one view may span. */
export const MAX_VIEW_DAYS = 92;

const isoDate = z.string().max(10).refine(isIsoDate, "a YYYY-MM-DD calendar date");
export const calendarQuerySchema = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((q) => !q.from || !q.to || q.to >= q.from, { path: ["to"], message: "must not be before from" })
  .refine((q) => !q.from || !q.to || dayNumber(q.to) - dayNumber(q.from) < MAX_VIEW_DAYS, {
    path: ["to"],
    message: `at most ${MAX_VIEW_DAYS} days from from`,
  });
export type CalendarQuery = z.infer<typeof calendarQuerySchema>;

export interface SessionCell {
  closed: boolean;
  /** ISO instants; null when closed. */
  opensAt: string | null;
  closesAt: string | null;
  /** `HH:MM–HH:MM` IST; null when closed. */
  window: string | null;
  description: string | null;
  source: ExchangeSession["source"];
  special: boolean;
}

export interface CalendarDay {
  date: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  sessions: Record<string, SessionCell>;
  /** Underlyings with an option expiry that day. */
  expiries: string[];
}

export interface CalendarOverride {
  date: string;
  exchange: string;
  closed: boolean;
  window: string | null;
  description: string | null;
  updatedAt: string;
}

export interface CalendarView {
  from: string;
  to: string;
  today: string;
  exchanges: readonly string[];
  days: CalendarDay[];
  overrides: CalendarOverride[];
  expiries: ExpiryDays;
  lastRefresh: RefreshOutcome | null;
}

const windowOf = (opensAt: number | null, closesAt: number | null) =>
  opensAt === null || closesAt === null ? null : `${istHhMm(opensAt)}–${istHhMm(closesAt)}`;

function cell(s: ExchangeSession): SessionCell {
  return {
    closed: s.closed,
    opensAt: s.opensAt === null ? null : new Date(s.opensAt).toISOString(),
    closesAt: s.closesAt === null ? null : new Date(s.closesAt).toISOString(),
    window: windowOf(s.opensAt, s.closesAt),
    description: s.description,
    source: s.source,
    special: s.special ?? false,
  };
}

/** The view from `query` (default: the IST month of `now`). */
export async function buildCalendarView(
  reader: CalendarReader,
  instruments: InstrumentSettingsTable,
  query: CalendarQuery,
  now: Date,
): Promise<CalendarView> {
  const today = istDateOf(now.getTime());
  const from = query.from ?? `${today.slice(0, 8)}01`;
  const to = query.to ?? addDays(`${addDays(from, 32).slice(0, 8)}01`, -1);
  const [perExchange, stored, expiries, refresh] = await Promise.all([
    Promise.all(CALENDAR_EXCHANGES.map((e) => reader.sessionsBetween(e, from, to))),
    marketSessionsBetween(from, to),
    expiryDays(instruments, today),
    lastRefresh(),
  ]);
  const days = perExchange[0].map((first, i) => ({
    date: first.date,
    weekday: weekdayOf(first.date),
    sessions: Object.fromEntries(CALENDAR_EXCHANGES.map((e, j) => [e, cell(perExchange[j][i])])),
    expiries: expiries.lists.filter((l) => l.dates.includes(first.date)).map((l) => l.underlying),
  }));
  const overrides = stored
    .filter((r) => r.source === "ADMIN")
    .map((r) => ({
      date: r.tradingDate,
      exchange: r.exchange,
      closed: r.closed,
      window: r.closed ? null : windowOf(r.opensAt?.getTime() ?? null, r.closesAt?.getTime() ?? null),
      description: r.description,
      updatedAt: r.updatedAt.toISOString(),
    }));
  return { from, to, today, exchanges: CALENDAR_EXCHANGES, days, overrides, expiries, lastRefresh: refresh };
}
