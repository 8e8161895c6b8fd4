/**
 * Pure Asia/Kolkata trading calendar: IST dates of instants, session windows, trading days and the expiry
 * calendar. Dates are IST calendar dates `YYYY-MM-DD`; instants are epoch milliseconds passed in by the caller.
 * IST is a fixed UTC+05:30 with no daylight saving, so plain offset arithmetic is exact (and fast).
 */
import { z } from "zod";

/** +05:30 in milliseconds. */
export const IST_OFFSET_MS = 19_800_000;
export const DAY_MS = 86_400_000;

/** Weekday numbers follow `Date#getUTCDay`: 0 = Sunday … 6 = Saturday. */
export interface ExpiryRule {
  /** True when the underlying has weekly expiries (every `weekday`), false when it only has monthly ones. */
  weekly: boolean;
  /** Expiry weekday; the monthly expiry is the last such weekday of the month. */
  weekday: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of an ISO date; throws on malformed or impossible dates (2026-02-30). */
export function dayNumber(isoDate: string): number {
  const m = ISO_DATE.exec(isoDate);
  if (!m) throw new RangeError(`Expected a YYYY-MM-DD date, got "${isoDate}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`Not a calendar date: "${isoDate}"`);
  }
  return ms / DAY_MS;
}

/** ISO date of a day number (inverse of `dayNumber`). */
export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** True when `text` is a real calendar date in `YYYY-MM-DD` form. */
export function isIsoDate(text: string): boolean {
  try {
    dayNumber(text);
    return true;
  } catch {
    return false;
  }
}

export function addDays(isoDate: string, days: number): string {
  return dateOfDayNumber(dayNumber(isoDate) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(isoDate: string): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumber(isoDate) + 4) % 7) + 7) % 7;
}

/** IST calendar date of an instant. */
export function istDateOf(epochMs: number): string {
  return dateOfDayNumber(Math.floor((epochMs + IST_OFFSET_MS) / DAY_MS));
}

/** Minutes since IST midnight of an instant (0..1439). */
export function istMinuteOfDay(epochMs: number): number {
  const local = epochMs + IST_OFFSET_MS;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
}

/** IST wall-clock `HH:MM` of an instant. */
export function istHhMm(epochMs: number): string {
  const m = istMinuteOfDay(epochMs);
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** Epoch ms of an IST wall-clock time (`HH:MM` or `HH:MM:SS`) on an IST date. */
export function istInstant(isoDate: string, time: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!m) throw new RangeError(`Expected HH:MM[:SS], got "${time}"`);
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  return dayNumber(isoDate) * DAY_MS + seconds * 1000 - IST_OFFSET_MS;
}

export const SESSION_OPEN = "09:15";
export const SESSION_CLOSE = "15:30";

/** Normal equity/F&O session 09:15–15:30 IST of a date, as epoch ms (whether or not the date is a trading day). */
export function sessionWindow(isoDate: string): { open: number; close: number } {
  return { open: istInstant(isoDate, SESSION_OPEN), close: istInstant(isoDate, SESSION_CLOSE) };
}

/**
 * Intraday (MIS) cut-off: brokers square MIS positions off from here, and OpenAlgo refuses new MIS orders after it
 * ("MIS orders cannot be placed after square-off time (15:15 IST)").
 */
export const MIS_SQUARE_OFF = "15:15";

/** Brokers square MIS off, and refuse new MIS orders, this long before a session's close (15:30 − 15:15), ms. */
export const MIS_CUTOFF_BEFORE_CLOSE_MS = 15 * 60_000;

/**
 * When new MIS orders stop on the IST day of `epochMs`: 15 minutes before the close of that day's `session` (15:15 on a
 * regular day, 18:45 in a Muhurat session that ends at 19:00); the regular 15:15 when the day has no open session
 * (or none is given).
 */
export function misCutoffAt(epochMs: number, session?: ExchangeSession | null): number {
  if (session && !session.closed && session.closesAt !== null && session.date === istDateOf(epochMs))
    return session.closesAt - MIS_CUTOFF_BEFORE_CLOSE_MS;
  return istInstant(istDateOf(epochMs), MIS_SQUARE_OFF);
}

/** Whether a new MIS order is refused at `epochMs`: from the day's cut-off (`misCutoffAt`) to the end of that IST day. */
export function misCutoffPassed(epochMs: number, session?: ExchangeSession | null): boolean {
  return epochMs >= misCutoffAt(epochMs, session);
}

/** Contracts expire at the close of the expiry date's session: 15:30 IST. */
export function expiryInstant(isoDate: string): number {
  return istInstant(isoDate, SESSION_CLOSE);
}

export interface ExchangeHoliday {
  /** IST date `YYYY-MM-DD`. */
  date: string;
  description: string;
  /** Exchanges closed all day (OpenAlgo exchange codes). */
  closedExchanges: readonly string[];
}

/** Shape of an editable holiday row (admin settings, imported circulars). */
export const exchangeHolidaySchema = z.object({
  date: z.string().max(10).refine(isIsoDate, "must be a YYYY-MM-DD calendar date"),
  description: z.string().min(1).max(200),
  closedExchanges: z.array(z.string().min(1).max(10)).min(1).max(20),
});

const EQ = ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD"] as const;
const ALL = [...EQ, "MCX"] as const;
const h = (date: string, description: string, closedExchanges: readonly string[] = EQ): ExchangeHoliday => ({
  date,
  description,
  closedExchanges,
});

/**
 * Seeded NSE/BSE trading holidays on weekdays (weekend holidays need no entry). 2025 and 2026 follow the
 * exchanges' circulars as best known; 2027 is provisional (festival dates estimated before the circular).
 * Callers replace this list from settings when the exchanges publish theirs.
 */
export const EXCHANGE_HOLIDAYS: readonly ExchangeHoliday[] = [
  h("2025-02-26", "Mahashivratri"),
  h("2025-03-14", "Holi"),
  h("2025-03-31", "Id-Ul-Fitr (Ramadan Eid)"),
  h("2025-04-10", "Shri Mahavir Jayanti"),
  h("2025-04-14", "Dr. Baba Saheb Ambedkar Jayanti"),
  h("2025-04-18", "Good Friday", ALL),
  h("2025-05-01", "Maharashtra Day"),
  h("2025-08-15", "Independence Day", ALL),
  h("2025-08-27", "Ganesh Chaturthi"),
  h("2025-10-02", "Mahatma Gandhi Jayanti / Dussehra", ALL),
  h("2025-10-21", "Diwali Laxmi Pujan"),
  h("2025-10-22", "Diwali Balipratipada"),
  h("2025-11-05", "Prakash Gurpurb Sri Guru Nanak Dev"),
  h("2025-12-25", "Christmas", ALL),
  h("2026-01-15", "Municipal Corporation Election - Maharashtra"),
  h("2026-01-26", "Republic Day", ALL),
  h("2026-03-03", "Holi"),
  h("2026-03-26", "Shri Ram Navami"),
  h("2026-03-31", "Shri Mahavir Jayanti"),
  h("2026-04-03", "Good Friday", ALL),
  h("2026-04-14", "Dr. Baba Saheb Ambedkar Jayanti"),
  h("2026-05-01", "Maharashtra Day"),
  h("2026-05-28", "Bakri Id"),
  h("2026-06-26", "Muharram"),
  h("2026-09-14", "Ganesh Chaturthi"),
  h("2026-10-02", "Mahatma Gandhi Jayanti", ALL),
  h("2026-10-20", "Dussehra"),
  h("2026-11-10", "Diwali Balipratipada"),
  h("2026-11-24", "Prakash Gurpurb Sri Guru Nanak Dev"),
  h("2026-12-25", "Christmas", ALL),
  h("2027-01-26", "Republic Day", ALL),
  h("2027-03-22", "Holi (provisional)"),
  h("2027-03-26", "Good Friday (provisional)", ALL),
  h("2027-04-14", "Dr. Baba Saheb Ambedkar Jayanti (provisional)"),
  h("2027-04-15", "Shri Ram Navami (provisional)"),
  h("2027-05-17", "Bakri Id (provisional)"),
  h("2027-06-15", "Muharram (provisional)"),
  h("2027-10-29", "Diwali Laxmi Pujan (provisional)"),
];

/** Dates on which `exchange` (default NSE, which NFO/BSE/BFO follow) is closed, as a set for fast lookups. */
export function tradingHolidaySet(
  list: readonly ExchangeHoliday[] = EXCHANGE_HOLIDAYS,
  exchange = "NSE",
): ReadonlySet<string> {
  return new Set(list.filter((x) => x.closedExchanges.includes(exchange)).map((x) => x.date));
}

/** Monday–Friday and not a listed holiday. */
export function isTradingDay(isoDate: string, holidays: ReadonlySet<string>): boolean {
  const wd = weekdayOf(isoDate);
  return wd !== 0 && wd !== 6 && !holidays.has(isoDate);
}

/** The latest trading day strictly before `isoDate`. */
export function previousTradingDay(isoDate: string, holidays: ReadonlySet<string>): string {
  let day = dayNumber(isoDate) - 1;
  // Guard: no real calendar has 60 consecutive closed days.
  for (let i = 0; i < 60; i++, day--) {
    const d = dateOfDayNumber(day);
    if (isTradingDay(d, holidays)) return d;
  }
  throw new RangeError(`No trading day in the 60 days before ${isoDate}`);
}

/** The earliest trading day strictly after `isoDate`. */
export function nextTradingDay(isoDate: string, holidays: ReadonlySet<string>): string {
  let day = dayNumber(isoDate) + 1;
  for (let i = 0; i < 60; i++, day++) {
    const d = dateOfDayNumber(day);
    if (isTradingDay(d, holidays)) return d;
  }
  throw new RangeError(`No trading day in the 60 days after ${isoDate}`);
}

/** An expiry that falls on a closed day moves to the previous trading day. */
export function adjustExpiryForHolidays(isoDate: string, holidays: ReadonlySet<string>): string {
  return isTradingDay(isoDate, holidays) ? isoDate : previousTradingDay(isoDate, holidays);
}

/** Last `weekday` of a month (`month` 1..12), before any holiday adjustment. */
export function lastWeekdayOfMonth(year: number, month: number, weekday: number): string {
  const lastDay = Date.UTC(year, month, 0) / DAY_MS; // day 0 of next month = last day of this month
  const wd = (((lastDay + 4) % 7) + 7) % 7;
  return dateOfDayNumber(lastDay - ((wd - weekday + 7) % 7));
}

/** Next `count` monthly expiries on or after `fromDate` (holiday-adjusted), ascending. */
export function monthlyExpiries(
  rule: ExpiryRule,
  fromDate: string,
  count: number,
  holidays: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  const from = dayNumber(fromDate);
  let year = Number(fromDate.slice(0, 4));
  let month = Number(fromDate.slice(5, 7));
  while (out.length < count) {
    const expiry = adjustExpiryForHolidays(lastWeekdayOfMonth(year, month, rule.weekday), holidays);
    if (dayNumber(expiry) >= from) out.push(expiry);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return out;
}

/** Next `count` weekly expiries on or after `fromDate` (holiday-adjusted), ascending; monthly ones included. */
export function weeklyExpiries(
  rule: ExpiryRule,
  fromDate: string,
  count: number,
  holidays: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  const from = dayNumber(fromDate);
  let nominal = from + ((rule.weekday - weekdayOf(fromDate) + 7) % 7);
  while (out.length < count) {
    const expiry = adjustExpiryForHolidays(dateOfDayNumber(nominal), holidays);
    // A holiday can pull the expiry back before fromDate (e.g. from a Tuesday holiday itself): skip it.
    if (dayNumber(expiry) >= from && out[out.length - 1] !== expiry) out.push(expiry);
    nominal += 7;
  }
  return out;
}

/** True when `isoDate` is the (holiday-adjusted) monthly expiry of its month. */
export function isMonthlyExpiry(rule: ExpiryRule, isoDate: string, holidays: ReadonlySet<string>): boolean {
  // The last weekday falls on the 22nd or later, so a holiday shift never leaves the month.
  const nominal = lastWeekdayOfMonth(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)), rule.weekday);
  return adjustExpiryForHolidays(nominal, holidays) === isoDate;
}

/** Weekly expiries for weekly underlyings, monthly ones otherwise. */
export function expiriesForRule(
  rule: ExpiryRule,
  fromDate: string,
  count: number,
  holidays: ReadonlySet<string>,
): string[] {
  return rule.weekly
    ? weeklyExpiries(rule, fromDate, count, holidays)
    : monthlyExpiries(rule, fromDate, count, holidays);
}

/** One exchange's session on one IST date, as the trading calendar resolves it (docs/calendar.md). */
export interface ExchangeSession {
  exchange: string;
  /** IST date `YYYY-MM-DD`. */
  date: string;
  closed: boolean;
  /** Epoch ms; null when closed. */
  opensAt: number | null;
  closesAt: number | null;
  description: string | null;
  /** Where it came from: an admin override, the market-data account's OpenAlgo, or the built-in defaults. */
  source: "ADMIN" | "OPENALGO" | "DEFAULT";
  /**
   * A session outside the regular calendar (Muhurat: an evening on a weekend or holiday). It is open, but not a
   * regular trading day, so no expiry falls on it. Absent means false.
   */
  special?: boolean;
}

/** Regular session windows (IST) by exchange; index segments follow their cash market. */
export const DEFAULT_WINDOWS: Readonly<Record<string, readonly [string, string]>> = {
  NSE: ["09:15", "15:30"],
  BSE: ["09:15", "15:30"],
  NFO: ["09:15", "15:30"],
  BFO: ["09:15", "15:30"],
  NSE_INDEX: ["09:15", "15:30"],
  BSE_INDEX: ["09:15", "15:30"],
  CDS: ["09:00", "17:00"],
  BCD: ["09:00", "17:00"],
  MCX: ["09:00", "23:30"],
  MCX_INDEX: ["09:00", "23:30"],
};

/**
 * The exchange whose calendar an exchange code follows: indices follow their cash market, NSE's commodity segment
 * follows MCX. Admin overrides and OpenAlgo's rows are kept per followed exchange (docs/calendar.md).
 */
export function calendarExchangeOf(exchange: string): string {
  const code = exchange.toUpperCase();
  if (code === "NCO") return "MCX";
  return code.replace(/_INDEX$/, "");
}

/** On a holiday of the equity markets alone, commodities trade the evening session only (IST). */
const EQUITY_HOLIDAY_OPEN: Readonly<Record<string, string>> = { MCX: "17:00" };

/**
 * The session a date would have with no calendar data: weekends and the seeded holidays closed, else the default
 * window (MCX from 17:00 on a holiday of the equity markets alone).
 */
export function defaultSession(
  exchange: string,
  date: string,
  holidays: readonly ExchangeHoliday[] = EXCHANGE_HOLIDAYS,
): ExchangeSession {
  const follows = calendarExchangeOf(exchange);
  const window = DEFAULT_WINDOWS[follows] ?? DEFAULT_WINDOWS.NSE;
  const onDate = holidays.filter((x) => x.date === date);
  const holiday = onDate.find((x) => x.closedExchanges.includes(follows));
  const equityHoliday = onDate.find((x) => x.closedExchanges.includes("NSE"));
  const wd = weekdayOf(date);
  const closed = wd === 0 || wd === 6 || !!holiday;
  const opens = !holiday && equityHoliday ? (EQUITY_HOLIDAY_OPEN[follows] ?? window[0]) : window[0];
  return {
    exchange,
    date,
    closed,
    opensAt: closed ? null : istInstant(date, opens),
    closesAt: closed ? null : istInstant(date, window[1]),
    description: (holiday ?? (opens !== window[0] ? equityHoliday : undefined))?.description ?? null,
    source: "DEFAULT",
  };
}

/** Whether `session` is open at `epochMs` (open inclusive, close exclusive). */
export function sessionOpenAt(session: ExchangeSession, epochMs: number): boolean {
  return !session.closed && session.opensAt !== null && session.closesAt !== null
    ? epochMs >= session.opensAt && epochMs < session.closesAt
    : false;
}
