/**
 * Exchange sessions for the simulator: which exchanges are open at an instant, `/market/timings` windows and
 * `/market/holidays` rows (docs/openalgo.md "Market data": weekends and holidays still list CRYPTO). Tests and demos
 * declare extra holidays and special sessions (Muhurat) through the control API; they replace the seeded day.
 */
import type { Exchange } from "@/lib/simulator/types";
import { istDateOf, istInstant, weekdayOf, type ExchangeHoliday } from "@/lib/trading/calendar";

interface Window {
  exchange: Exchange;
  start: string;
  end: string;
}

/** OpenAlgo's default windows (IST), in the order a real instance lists them. NFO/BFO run to 15:40 there. */
const TRADING_DAY_WINDOWS: readonly Window[] = [
  { exchange: "NSE", start: "09:15", end: "15:30" },
  { exchange: "BSE", start: "09:15", end: "15:30" },
  { exchange: "NFO", start: "09:15", end: "15:40" },
  { exchange: "BFO", start: "09:15", end: "15:40" },
  { exchange: "MCX", start: "09:00", end: "23:55" },
  { exchange: "BCD", start: "09:00", end: "17:00" },
  { exchange: "CDS", start: "09:00", end: "17:00" },
  { exchange: "NCO", start: "09:00", end: "23:55" },
];
const CRYPTO_WINDOW: Window = { exchange: "CRYPTO", start: "00:00", end: "23:59:59" };
/** Commodity evening session on an equity-only holiday. */
const MCX_EVENING: Window = { exchange: "MCX", start: "17:00", end: "23:55" };

/**
 * `isOpen` for the equity and F&O segments uses the exchange session 09:15–15:30 IST (not OpenAlgo's 15:40
 * bookkeeping window for NFO/BFO); indices follow their cash exchange. Other segments use the timings rows.
 */
const EQUITY_SESSION: Partial<Record<Exchange, Exchange>> = {
  NSE: "NSE",
  BSE: "BSE",
  NFO: "NFO",
  BFO: "BFO",
  NSE_INDEX: "NSE",
  BSE_INDEX: "BSE",
};

/** A special session declared for a date (Muhurat trading): the exchanges open that day, each in its window (IST). */
export interface SpecialSession {
  date: string;
  description: string;
  windows: Window[];
}

/** What `/market/holidays` lists for a date: a holiday, or a special session (with the exchanges it leaves closed). */
export interface HolidayListing {
  date: string;
  description: string;
  kind: "TRADING_HOLIDAY" | "SPECIAL_SESSION";
  closedExchanges: Exchange[];
}

export interface SessionCalendar {
  holidaysOfYear(year: number): HolidayListing[];
  timings(date: string): { exchange: Exchange; startTime: number; endTime: number }[];
  isOpen(exchange: Exchange, epochMs: number): boolean;
  /** True when the exchange trades a regular session on that IST date (weekday, no holiday closing it). */
  isTradingDate(exchange: Exchange, date: string): boolean;
  /** Makes `holiday.date` a holiday of `holiday.closedExchanges`, replacing whatever that date had. */
  declareHoliday(holiday: ExchangeHoliday): void;
  /** Opens the exchanges of `session.windows` on its date, and nothing else of the regular day. */
  declareSpecialSession(session: SpecialSession): void;
  /** Forgets the declared days (of one date, or all): the seeded calendar again. */
  clearDeclared(date?: string): void;
  declared(): { holidays: ExchangeHoliday[]; specialSessions: SpecialSession[] };
  /** Weekdays a holiday closes `exchange` on (seeded and declared). */
  holidayDates(exchange: Exchange): string[];
}

export function createSessionCalendar(seeded: readonly ExchangeHoliday[]): SessionCalendar {
  const seededByDate = new Map(seeded.map((h) => [h.date, h]));
  const declaredHolidays = new Map<string, ExchangeHoliday>();
  const specials = new Map<string, SpecialSession>();
  const holidayOn = (date: string) =>
    specials.has(date) ? undefined : (declaredHolidays.get(date) ?? seededByDate.get(date));
  const closedOn = (exchange: Exchange, date: string): boolean =>
    holidayOn(date)?.closedExchanges.includes(exchange) ?? false;
  const weekend = (date: string) => {
    const wd = weekdayOf(date);
    return wd === 0 || wd === 6;
  };
  const follows = (exchange: Exchange): Exchange =>
    EQUITY_SESSION[exchange] ?? (exchange === "MCX_INDEX" ? "MCX" : exchange);
  const isTradingDate = (exchange: Exchange, date: string): boolean => {
    if (exchange === "CRYPTO" || exchange === "GLOBAL_INDEX") return true;
    return !weekend(date) && !specials.has(date) && !closedOn(follows(exchange), date);
  };
  const toRow = (date: string, w: Window) => ({
    exchange: w.exchange,
    startTime: istInstant(date, w.start),
    endTime: istInstant(date, w.end),
  });
  const timings = (date: string) => {
    const special = specials.get(date);
    if (special) return [...special.windows.map((w) => toRow(date, w)), toRow(date, CRYPTO_WINDOW)];
    if (weekend(date)) return [toRow(date, CRYPTO_WINDOW)];
    const holiday = holidayOn(date);
    if (!holiday) return [...TRADING_DAY_WINDOWS.map((w) => toRow(date, w)), toRow(date, CRYPTO_WINDOW)];
    // On a holiday of the equity markets alone, commodities trade the evening session only.
    const rows = holiday.closedExchanges.includes("MCX") ? [] : [toRow(date, MCX_EVENING)];
    return [...rows, toRow(date, CRYPTO_WINDOW)];
  };

  return {
    holidaysOfYear(year) {
      const prefix = `${year}-`;
      const dates = new Set(
        [...seededByDate.keys(), ...declaredHolidays.keys(), ...specials.keys()].filter((d) => d.startsWith(prefix)),
      );
      return [...dates].sort().flatMap((date): HolidayListing[] => {
        const special = specials.get(date);
        if (special) {
          const open = new Set<string>(special.windows.map((w) => w.exchange));
          const closed = (declaredHolidays.get(date) ?? seededByDate.get(date))?.closedExchanges ?? [];
          return [
            {
              date,
              description: special.description,
              kind: "SPECIAL_SESSION",
              closedExchanges: closed.filter((e) => !open.has(e)) as Exchange[],
            },
          ];
        }
        const h = holidayOn(date)!;
        return [
          {
            date,
            description: h.description,
            kind: "TRADING_HOLIDAY",
            closedExchanges: [...h.closedExchanges] as Exchange[],
          },
        ];
      });
    },
    timings,
    isOpen(exchange, epochMs) {
      if (exchange === "CRYPTO" || exchange === "GLOBAL_INDEX") return true;
      const date = istDateOf(epochMs);
      const name = follows(exchange);
      const equity = EQUITY_SESSION[exchange];
      if (equity && !specials.has(date))
        return (
          isTradingDate(equity, date) && epochMs >= istInstant(date, "09:15") && epochMs < istInstant(date, "15:30")
        );
      return timings(date).some((r) => r.exchange === name && epochMs >= r.startTime && epochMs < r.endTime);
    },
    isTradingDate,
    declareHoliday(holiday) {
      specials.delete(holiday.date);
      declaredHolidays.set(holiday.date, { ...holiday, closedExchanges: [...holiday.closedExchanges] });
    },
    declareSpecialSession(session) {
      declaredHolidays.delete(session.date);
      specials.set(session.date, { ...session, windows: session.windows.map((w) => ({ ...w })) });
    },
    clearDeclared(date) {
      if (date === undefined) {
        declaredHolidays.clear();
        specials.clear();
      } else {
        declaredHolidays.delete(date);
        specials.delete(date);
      }
    },
    declared: () => ({ holidays: [...declaredHolidays.values()], specialSessions: [...specials.values()] }),
    holidayDates(exchange) {
      const dates = new Set([...seededByDate.keys(), ...declaredHolidays.keys()]);
      return [...dates].filter((d) => !weekend(d) && !isTradingDate(exchange, d)).sort();
    },
  };
}
