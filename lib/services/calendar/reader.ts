/**
 * Reading the trading calendar (docs/calendar.md "Caching"): stored rows are cached in the process for 30 s, and every
 * process looks at one shared version key in Redis at most once a second. An override or a refresh bumps the key, so
 * every process sees it within a second or two; the process that made the change forgets its cache at once.
 */
import { marketSessionsBetween, storedSessionRow } from "@/lib/db/queries/market-sessions";
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import type { ExchangeSession } from "@/lib/trading/calendar";
import { datesBetween, pickSession, type StoredSessionRow } from "@/lib/trading/session-sources";

export const CALENDAR_VERSION_KEY = "md:calendar:version";
/** How long rows read from the database are used without a new read, ms. */
export const ROWS_TTL_MS = 30_000;
/** How often a process asks Redis whether the calendar changed, ms. */
export const VERSION_CHECK_MS = 1_000;

/** Tells every process that the stored calendar changed. */
export async function bumpCalendarVersion(): Promise<void> {
  await redis().incr(CALENDAR_VERSION_KEY);
}

export interface CalendarReader {
  /** `exchange`'s session on the IST date `date` (admin → OpenAlgo → defaults). */
  sessionOf(exchange: string, date: string): Promise<ExchangeSession>;
  /** `exchange`'s session on every date from `from` to `to`, ascending. */
  sessionsBetween(exchange: string, from: string, to: string): Promise<ExchangeSession[]>;
  /** Forgets the cached rows (after a change made in this process). */
  invalidate(): void;
}

/** A reader with its own cache; `now` is the clock its expiry and version checks run on (a test passes its own). */
export function createCalendarReader(now: () => number = Date.now): CalendarReader {
  const cache = new Map<string, { at: number; rows: Promise<StoredSessionRow[]> }>();
  let version: string | null | undefined;
  let checkedAt = -Infinity;

  async function checkVersion(): Promise<void> {
    const t = now();
    if (t - checkedAt < VERSION_CHECK_MS) return;
    checkedAt = t;
    try {
      const v = await redis().get(CALENDAR_VERSION_KEY);
      if (v !== version && version !== undefined) cache.clear();
      version = v;
    } catch (err) {
      // Without Redis the rows still expire after ROWS_TTL_MS; a time decision must not fail for it.
      log().warn({ err }, "calendar version check failed; cached sessions expire on their own");
    }
  }

  async function rows(from: string, to: string): Promise<StoredSessionRow[]> {
    await checkVersion();
    const key = `${from}|${to}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ROWS_TTL_MS) return hit.rows;
    // Ranges move with the days: entries past their time are dropped rather than kept for the life of the process.
    for (const [k, e] of cache) if (now() - e.at >= ROWS_TTL_MS) cache.delete(k);
    const entry = { at: now(), rows: marketSessionsBetween(from, to).then((r) => r.map(storedSessionRow)) };
    cache.set(key, entry);
    // A failed read is not kept: the next caller reads again.
    entry.rows.catch(() => cache.get(key) === entry && cache.delete(key));
    return entry.rows;
  }

  return {
    async sessionOf(exchange, date) {
      return pickSession(exchange, date, await rows(date, date));
    },
    async sessionsBetween(exchange, from, to) {
      const byDate = new Map<string, StoredSessionRow[]>();
      for (const r of await rows(from, to)) byDate.set(r.date, [...(byDate.get(r.date) ?? []), r]);
      return datesBetween(from, to).map((d) => pickSession(exchange, d, byDate.get(d) ?? []));
    },
    invalidate: () => cache.clear(),
  };
}
