/**
 * Pure mapping of OpenAlgo's market calendar answers (`/market/holidays`, `/market/timings`) to the normalised types
 * (docs/openalgo.md "Market data"). Windows are epoch milliseconds; a real instance answers a weekend's timings with a
 * CRYPTO row alone, and holiday rows carry the exchanges still open that day with their windows.
 */
import { z } from "zod";
import type { MarketHoliday, SessionTiming } from "@/lib/brokers/market-types";
import { isIsoDate } from "@/lib/trading/calendar";
import { parseAnswer, success } from "./map";
import { int } from "./wire";

const exchangeCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z_]{2,16}$/, "an exchange code")
  .transform((v) => v.toUpperCase());
const timing = z.object({ exchange: exchangeCode, start_time: int, end_time: int });
const toTiming = (t: z.output<typeof timing>): SessionTiming => ({
  exchange: t.exchange,
  start: t.start_time,
  end: t.end_time,
});

const timingsSchema = success.extend({ data: z.array(timing) });
/** One date's trading windows per exchange (empty or CRYPTO-only on weekends and full holidays). */
export function mapTimings(body: unknown): SessionTiming[] {
  return parseAnswer(timingsSchema, body, "market/timings").data.map(toTiming);
}

const holidaysSchema = success.extend({
  data: z.array(
    z.object({
      date: z.string().refine(isIsoDate, "a YYYY-MM-DD date"),
      description: z.string().nullish(),
      holiday_type: z.string().nullish(),
      closed_exchanges: z.array(exchangeCode).nullish(),
      open_exchanges: z.array(timing).nullish(),
    }),
  ),
});
/** A year's holiday list: closed exchanges, and the exchanges trading anyway (MCX evenings, Muhurat) with windows. */
export function mapHolidays(body: unknown): MarketHoliday[] {
  return parseAnswer(holidaysSchema, body, "market/holidays").data.map((h) => ({
    date: h.date,
    description: h.description?.trim() || "Holiday",
    kind: h.holiday_type?.trim() || "TRADING_HOLIDAY",
    closedExchanges: h.closed_exchanges ?? [],
    openExchanges: (h.open_exchanges ?? []).map(toTiming),
  }));
}
