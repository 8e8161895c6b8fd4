/**
 * Exchange sessions for the simulator: which exchanges are open at an instant, `/market/timings` windows and
 * `/market/holidays` rows (docs/openalgo.md "Market data": weekends and holidays still list CRYPTO).
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

export interface SessionCalendar {
  holidaysOfYear(year: number): { date: string; description: string; closedExchanges: Exchange[] }[];
  timings(date: string): { exchange: Exchange; startTime: number; endTime: number }[];
  isOpen(exchange: Exchange, epochMs: number): boolean;
  /** True when the exchange trades on that IST date (weekday and not a holiday closing it). */
  isTradingDate(exchange: Exchange, date: string): boolean;
}

export function createSessionCalendar(holidays: readonly ExchangeHoliday[]): SessionCalendar {
  const byDate = new Map(holidays.map((h) => [h.date, h]));
  const closedOn = (exchange: Exchange, date: string): boolean =>
    byDate.get(date)?.closedExchanges.includes(exchange) ?? false;
  const weekend = (date: string) => {
    const wd = weekdayOf(date);
    return wd === 0 || wd === 6;
  };
  const isTradingDate = (exchange: Exchange, date: string): boolean => {
    if (exchange === "CRYPTO" || exchange === "GLOBAL_INDEX") return true;
    const follows = EQUITY_SESSION[exchange] ?? (exchange === "MCX_INDEX" ? "MCX" : exchange);
    return !weekend(date) && !closedOn(follows, date);
  };
  const toRow = (date: string, w: Window) => ({
    exchange: w.exchange,
    startTime: istInstant(date, w.start),
    endTime: istInstant(date, w.end),
  });
  const timings = (date: string) => {
    if (weekend(date)) return [toRow(date, CRYPTO_WINDOW)];
    const holiday = byDate.get(date);
    if (!holiday) return [...TRADING_DAY_WINDOWS.map((w) => toRow(date, w)), toRow(date, CRYPTO_WINDOW)];
    const rows = holiday.closedExchanges.includes("MCX") ? [] : [toRow(date, MCX_EVENING)];
    return [...rows, toRow(date, CRYPTO_WINDOW)];
  };

  return {
    holidaysOfYear(year) {
      return holidays
        .filter((h) => h.date.startsWith(`${year}-`))
        .map((h) => ({
          date: h.date,
          description: h.description,
          closedExchanges: [...h.closedExchanges] as Exchange[],
        }));
    },
    timings,
    isOpen(exchange, epochMs) {
      if (exchange === "CRYPTO" || exchange === "GLOBAL_INDEX") return true;
      const date = istDateOf(epochMs);
      const equity = EQUITY_SESSION[exchange];
      if (equity)
        return (
          isTradingDate(equity, date) && epochMs >= istInstant(date, "09:15") && epochMs < istInstant(date, "15:30")
        );
      const name = exchange === "MCX_INDEX" ? "MCX" : exchange;
      return timings(date).some((r) => r.exchange === name && epochMs >= r.startTime && epochMs < r.endTime);
    },
    isTradingDate,
  };
}
