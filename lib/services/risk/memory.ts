/**
 * What one process remembers between risk evaluations (docs/risk.md "Hysteresis"): the breaches seen once and
 * waiting for their second sighting, per run (or `account:<id>`), since when each contract is wanted, and the latest
 * book it read. Nothing here decides
 * that a rule fires exactly once — the database does (compare-and-set) — so a restart loses at most one sighting.
 */
import type { PendingBreaches } from "@/lib/trading/risk/hysteresis";
import type { RiskBook } from "./book";

const pending = new Map<string, PendingBreaches>();
/** When this process first wanted a contract's price (`<kind>|EXCHANGE:SYMBOL` → epoch ms). */
const firstWanted = new Map<string, number>();
let book: RiskBook | null = null;

export function pendingOf(key: string): PendingBreaches {
  return pending.get(key) ?? new Map();
}

export function setPending(key: string, value: PendingBreaches): void {
  if (value.size === 0) pending.delete(key);
  else pending.set(key, value);
}

/**
 * Since when this process wants a contract's price: a contract just armed (or a process just started) is not stale
 * because no tick came yet, as the watchdog measures silence (docs/market-data.md "Stale data").
 */
export function wantedSince(key: string, now: number): number {
  const at = firstWanted.get(key);
  if (at !== undefined) return at;
  firstWanted.set(key, now);
  return now;
}

/** The newest book this process read (the sweep's or a tick round's), if any. */
export function latestBook(): RiskBook | null {
  return book;
}

export function keepBook(next: RiskBook): void {
  if (book && next.at < book.at) return;
  book = next;
  for (const key of firstWanted.keys()) if (!next.byContract.has(key)) firstWanted.delete(key);
}

/** Forgets everything (tests start each case from a clean process state). */
export function forgetRiskMemory(): void {
  pending.clear();
  firstWanted.clear();
  book = null;
}
