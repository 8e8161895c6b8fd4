/**
 * The trading calendar (docs/calendar.md): each exchange's session on an IST date — an admin's override first, then
 * what the market-data account's OpenAlgo reported, then the built-in defaults (weekends and the seeded holidays
 * closed, the regular windows). Every time-based decision reads it.
 */
import { marketSessionRows } from "@/lib/db/queries/market-sessions";
import { defaultSession, istDateOf, sessionOpenAt, type ExchangeSession } from "@/lib/trading/calendar";

type Row = Awaited<ReturnType<typeof marketSessionRows>>[number];

const CACHE_MS = 30_000;
const cache = new Map<string, { at: number; rows: Row[] }>();

async function rowsOf(date: string): Promise<Row[]> {
  const hit = cache.get(date);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.rows;
  const rows = await marketSessionRows([date]);
  cache.set(date, { at: Date.now(), rows });
  return rows;
}

/** Forget cached days (after an override or a refresh in this process). */
export function invalidateCalendarCache(): void {
  cache.clear();
}

function fromRow(r: Row): ExchangeSession {
  return {
    exchange: r.exchange,
    date: r.tradingDate,
    closed: r.closed,
    opensAt: r.closed ? null : (r.opensAt?.getTime() ?? null),
    closesAt: r.closed ? null : (r.closesAt?.getTime() ?? null),
    description: r.description,
    source: r.source,
  };
}

/** `exchange`'s session on the IST date `date`. */
export async function sessionOf(exchange: string, date: string): Promise<ExchangeSession> {
  const rows = (await rowsOf(date)).filter((r) => r.exchange === exchange);
  const row = rows.find((r) => r.source === "ADMIN") ?? rows.find((r) => r.source === "OPENALGO");
  return row ? fromRow(row) : defaultSession(exchange, date);
}

/** Whether `exchange` is in session at `at`. */
export async function inSession(exchange: string, at: Date): Promise<boolean> {
  return sessionOpenAt(await sessionOf(exchange, istDateOf(at.getTime())), at.getTime());
}
