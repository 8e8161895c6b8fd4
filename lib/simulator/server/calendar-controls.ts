/**
 * Control-API bodies that change the simulator's exchange calendar (control.ts wires the routes): a declared holiday,
 * a special session (Muhurat: an evening on a weekend or holiday) and forgetting them. `/market/holidays` and
 * `/market/timings` answer with them at once, sessions open and close by them, and expiries follow holidays.
 */
import { z } from "zod";
import { HHMM } from "@/lib/simulator/session-schema";
import type { Exchange, MarketView } from "@/lib/simulator/types";
import { VALID_EXCHANGES } from "@/lib/simulator/validation";
import { isIsoDate } from "@/lib/trading/calendar";

const date = z.string().refine(isIsoDate, "a YYYY-MM-DD date (IST)");
const description = z.string().trim().min(1).max(150);
const exchanges = z.array(z.enum(VALID_EXCHANGES)).min(1).max(VALID_EXCHANGES.length);
const time = z.string().regex(HHMM, "HH:MM (IST)");

/** The equity and F&O segments and currencies: what an exchange holiday closes unless told otherwise. */
const HOLIDAY_CLOSES: Exchange[] = ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD"];
/** The equity and F&O segments: what a Muhurat session opens unless told otherwise. */
const SPECIAL_OPENS: Exchange[] = ["NSE", "BSE", "NFO", "BFO"];

export const holidayControlSchema = z.strictObject({ date, description, closedExchanges: exchanges.optional() });

export const specialSessionControlSchema = z
  .strictObject({ date, description, start: time, end: time, exchanges: exchanges.optional() })
  .refine((v) => v.end > v.start, { path: ["end"], message: "must be after start (the same IST date)" });

export const clearCalendarControlSchema = z.strictObject({ date: date.optional() });

export function declareHoliday(market: MarketView, v: z.infer<typeof holidayControlSchema>) {
  market.declareHoliday({
    date: v.date,
    description: v.description,
    closedExchanges: v.closedExchanges ?? HOLIDAY_CLOSES,
  });
  return market.declaredCalendar();
}

export function declareSpecialSession(market: MarketView, v: z.infer<typeof specialSessionControlSchema>) {
  const windows = (v.exchanges ?? SPECIAL_OPENS).map((exchange) => ({ exchange, start: v.start, end: v.end }));
  market.declareSpecialSession({ date: v.date, description: v.description, windows });
  return market.declaredCalendar();
}

export function clearCalendar(market: MarketView, v: z.infer<typeof clearCalendarControlSchema>) {
  market.clearCalendar(v.date);
  return market.declaredCalendar();
}
