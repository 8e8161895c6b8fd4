/**
 * The trading calendar's sources merged into sessions (docs/calendar.md): OpenAlgo's market endpoints turned into
 * stored rows, admins' overrides, and the precedence admin → OpenAlgo → built-in defaults. Pure: instants are epoch
 * milliseconds, dates IST `YYYY-MM-DD`.
 */
import { z } from "zod";
import {
  addDays,
  calendarExchangeOf,
  dayNumber,
  DEFAULT_WINDOWS,
  defaultSession,
  isIsoDate,
  istDateOf,
  istInstant,
  weekdayOf,
  type ExchangeSession,
} from "./calendar";

/** The exchanges the calendar keeps rows for (OpenAlgo's market endpoints cover these); other codes follow one. */
export const CALENDAR_EXCHANGES = ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"] as const;
export type CalendarExchange = (typeof CALENDAR_EXCHANGES)[number];
const KEPT: ReadonlySet<string> = new Set(CALENDAR_EXCHANGES);

/** OpenAlgo's `holiday_type` of a special session (Muhurat trading). */
export const SPECIAL_SESSION = "SPECIAL_SESSION";

/** One exchange's trading window on a date, as a broker reports it (epoch ms). */
export interface SessionTiming {
  exchange: string;
  start: number;
  end: number;
}

/** One date of a broker's holiday list: the exchanges closed, and those trading anyway with their windows. */
export interface MarketHoliday {
  /** IST date `YYYY-MM-DD`. */
  date: string;
  description: string;
  /** `TRADING_HOLIDAY`, `SETTLEMENT_HOLIDAY`, `SPECIAL_SESSION`, or the broker's own word. */
  kind: string;
  closedExchanges: string[];
  openExchanges: SessionTiming[];
}

/** One exchange's session on one date as stored (`market_sessions`), before precedence is applied. */
export interface SessionRow {
  date: string;
  exchange: string;
  closed: boolean;
  opensAt: number | null;
  closesAt: number | null;
  description: string | null;
  kind: string | null;
}

export interface StoredSessionRow extends SessionRow {
  source: "ADMIN" | "OPENALGO";
}

/** F&O segments stop trading with their cash market (OpenAlgo's timings run them to 15:40 for its bookkeeping). */
const CASH_OF: Readonly<Record<string, string>> = { NFO: "NSE", BFO: "BSE" };

/**
 * The rows OpenAlgo's answers make: every kept exchange a day's timings list is open in its window; a holiday closes
 * its closed exchanges and opens its open ones in their windows (an MCX evening on an equity holiday, a Muhurat
 * session). Holidays win over timings for the same day. A settlement holiday (nothing closed, nothing open) changes
 * no session. Exchanges a day's answers do not mention get no row: they keep the defaults. Windows that are empty or
 * start on another IST date are dropped.
 */
export function openAlgoSessionRows(
  holidays: readonly MarketHoliday[],
  timings: readonly { date: string; rows: readonly SessionTiming[] }[],
): SessionRow[] {
  const rows = new Map<string, SessionRow>();
  const put = (row: SessionRow) => rows.set(`${row.date}|${row.exchange}`, row);
  const window = (date: string, t: SessionTiming, description: string | null, kind: string | null) => {
    const exchange = t.exchange.toUpperCase();
    if (!KEPT.has(exchange) || !(t.start < t.end) || istDateOf(t.start) !== date) return;
    put({ date, exchange, closed: false, opensAt: t.start, closesAt: t.end, description, kind });
  };
  for (const day of timings) for (const t of day.rows) window(day.date, t, null, null);
  for (const h of holidays) {
    for (const code of h.closedExchanges) {
      const exchange = code.toUpperCase();
      if (!KEPT.has(exchange)) continue;
      put({
        date: h.date,
        exchange,
        closed: true,
        opensAt: null,
        closesAt: null,
        description: h.description,
        kind: h.kind,
      });
    }
    for (const t of h.openExchanges) window(h.date, t, h.description, h.kind);
  }
  for (const row of rows.values()) {
    const cash = CASH_OF[row.exchange] && rows.get(`${row.date}|${CASH_OF[row.exchange]}`);
    if (!cash || row.closed || cash.closed || row.closesAt === null || cash.closesAt === null) continue;
    if (row.closesAt > cash.closesAt && row.opensAt !== null && row.opensAt < cash.closesAt)
      row.closesAt = cash.closesAt;
  }
  return [...rows.values()].sort((a, b) => a.date.localeCompare(b.date) || a.exchange.localeCompare(b.exchange));
}

/**
 * `exchange`'s session on `date`: an admin's row, else OpenAlgo's, else the defaults. `rows` may hold other dates and
 * exchanges. An index or NCO follows the exchange `calendarExchangeOf` names. An open session is special when its
 * source calls it one, or when it opens a day the defaults have closed other than in full (a weekend, a holiday's
 * evening); a holiday reopened in its regular window is a regular trading day again.
 */
export function pickSession(exchange: string, date: string, rows: readonly StoredSessionRow[]): ExchangeSession {
  const follows = calendarExchangeOf(exchange);
  const fallback = defaultSession(exchange, date);
  const mine = rows.filter((r) => r.date === date && r.exchange === follows);
  const row = mine.find((r) => r.source === "ADMIN") ?? mine.find((r) => r.source === "OPENALGO");
  if (!row) return fallback;
  const open = !row.closed && row.opensAt !== null && row.closesAt !== null && row.opensAt < row.closesAt;
  return {
    exchange,
    date,
    closed: !open,
    opensAt: open ? row.opensAt : null,
    closesAt: open ? row.closesAt : null,
    description: row.description,
    source: row.source,
    special: open && (row.kind === SPECIAL_SESSION || (fallback.closed && !regularWindow(follows, row))),
  };
}

/** Whether `row` opens a weekday in its exchange's regular window (a day the defaults had closed, reopened in full). */
function regularWindow(exchange: string, row: SessionRow): boolean {
  const wd = weekdayOf(row.date);
  const [open, close] = DEFAULT_WINDOWS[exchange] ?? DEFAULT_WINDOWS.NSE;
  return (
    wd !== 0 && wd !== 6 && row.opensAt === istInstant(row.date, open) && row.closesAt === istInstant(row.date, close)
  );
}

/**
 * The weekdays in `sessions` that are not regular trading days (closed, or only a special session): the holiday set
 * expiry rules shift around (an expiry on such a day moves to the previous trading day).
 */
export function expiryHolidays(sessions: readonly ExchangeSession[]): Set<string> {
  const out = new Set<string>();
  for (const s of sessions) {
    const wd = weekdayOf(s.date);
    if (wd !== 0 && wd !== 6 && (s.closed || s.special)) out.add(s.date);
  }
  return out;
}

/** Every IST date from `from` to `to`, both included (at most `max`). */
export function datesBetween(from: string, to: string, max = 800): string[] {
  const n = dayNumber(to) - dayNumber(from);
  if (n < 0) return [];
  if (n >= max) throw new RangeError(`At most ${max} days at once, asked for ${n + 1}`);
  return Array.from({ length: n + 1 }, (_, i) => addDays(from, i));
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmm = z.string().regex(HHMM, "a time as HH:MM (IST)");

/**
 * An admin's override of one exchange's session on one date: closed all day, or open from `opensAt` to `closesAt`
 * (IST, the same date; no window for a closed day).
 */
export const sessionOverrideSchema = z
  .object({
    date: z.string().max(10).refine(isIsoDate, "a YYYY-MM-DD calendar date"),
    exchange: z.enum(CALENDAR_EXCHANGES),
    closed: z.boolean(),
    opensAt: hhmm.nullish(),
    closesAt: hhmm.nullish(),
    description: z.string().trim().min(1, "say why (a holiday's or session's name)").max(200),
  })
  .superRefine((v, ctx) => {
    if (v.closed) {
      for (const f of ["opensAt", "closesAt"] as const)
        if (v[f]) ctx.addIssue({ code: "custom", path: [f], message: "leave empty for a closed day" });
      return;
    }
    for (const f of ["opensAt", "closesAt"] as const)
      if (!v[f]) ctx.addIssue({ code: "custom", path: [f], message: "required for an open session" });
    if (v.opensAt && v.closesAt && HHMM.test(v.opensAt) && HHMM.test(v.closesAt) && v.closesAt <= v.opensAt)
      ctx.addIssue({ code: "custom", path: ["closesAt"], message: "must be after opensAt" });
  });
export type SessionOverride = z.infer<typeof sessionOverrideSchema>;

/** The stored row of an override. */
export function overrideRow(o: SessionOverride): SessionRow {
  return {
    date: o.date,
    exchange: o.exchange,
    closed: o.closed,
    opensAt: o.closed || !o.opensAt ? null : istInstant(o.date, o.opensAt),
    closesAt: o.closed || !o.closesAt ? null : istInstant(o.date, o.closesAt),
    description: o.description,
    kind: null,
  };
}
