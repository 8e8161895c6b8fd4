import { env } from "@/lib/env";
import { ValidationError } from "@/lib/errors";
import { MIS_SQUARE_OFF, misCutoffPassed } from "@/lib/trading/calendar";

/** The time a plan is made at, and whether time-of-day rules apply (off for an always-open simulated market). */
export interface TradingClock {
  now: Date;
  alwaysOpen: boolean;
}

/** The wall clock, with the operator's MARKET_ALWAYS_OPEN switch. Services take a clock so tests can pass a fixed one. */
export function tradingClock(): TradingClock {
  return { now: new Date(), alwaysOpen: env().MARKET_ALWAYS_OPEN };
}

/** Refuses an intraday (MIS) plan after the square-off cut-off, naming the product field: brokers would reject it. */
export function assertProductAllowed(product: string, clock: TradingClock): void {
  if (product !== "MIS" || clock.alwaysOpen || !misCutoffPassed(clock.now.getTime())) return;
  const message = `MIS orders cannot be placed after the square-off time (${MIS_SQUARE_OFF} IST); use NRML (CNC for cash) or wait for the next session`;
  throw new ValidationError(message, { product: [message] });
}
