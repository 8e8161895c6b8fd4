/**
 * Expiry days for the calendar page (docs/calendar.md "The calendar page"): each instrument setting's underlying's
 * option expiries, as its exchange lists them (already moved off holidays), read from the first calendar source that
 * answers and kept for the IST day.
 */
import type { Exchange } from "@/lib/brokers/types";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import { adapterFor } from "@/lib/services/broker-access";
import type { InstrumentSettingsTable } from "@/lib/trading/instruments";
import { calendarSources } from "./refresh";

export interface ExpiryList {
  underlying: string;
  exchange: string;
  /** ISO dates, ascending. */
  dates: string[];
}

export interface ExpiryDays {
  lists: ExpiryList[];
  /** Why there are none, when no account could list them. */
  error: string | null;
}

/** Kept for the rest of the day once read; a failure is not kept. */
const TTL_S = 24 * 3600;

export async function expiryDays(instruments: InstrumentSettingsTable, today: string): Promise<ExpiryDays> {
  const key = `md:calendar:expiries:${today}`;
  const hit = await redis().get(key);
  if (hit) return { lists: JSON.parse(hit) as ExpiryList[], error: null };
  const failures: string[] = [];
  for (const account of await calendarSources()) {
    try {
      const adapter = adapterFor(account);
      const lists = await Promise.all(
        Object.values(instruments).map(async (s) => ({
          underlying: s.underlying,
          exchange: s.exchange,
          dates: await adapter.expiries(s.underlying, s.exchange as Exchange, "options"),
        })),
      );
      await redis().set(key, JSON.stringify(lists), "EX", TTL_S);
      return { lists, error: null };
    } catch (err) {
      failures.push(`${account.name}: ${err instanceof Error ? err.message : String(err)}`);
      log().warn({ accountId: account.id, err }, "expiry lists for the calendar: account did not answer");
    }
  }
  const error = failures.length ? `no account could list expiries (${failures.join("; ")})` : "no active account";
  return { lists: [], error };
}
