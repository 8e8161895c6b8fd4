/**
 * What one process remembers between risk evaluations (docs/risk.md "Hysteresis"): the breaches seen once and
 * waiting for their second sighting, per run (or `account:<id>`), since when each contract is wanted, and the latest
 * book it read. Nothing here decides
 * that a rule fires exactly once — the database does (compare-and-set) — so a restart loses at most one sighting.
 */
import type { PendingBreaches } from "@/lib/trading/risk/hysteresis";
import type { SupertrendState } from "@/lib/trading/risk/supertrend";
import type { RiskBook } from "./book";

const pending = new Map<string, PendingBreaches>();
/** When this process first wanted a contract's price (`<kind>|EXCHANGE:SYMBOL` → epoch ms). */
const firstWanted = new Map<string, number>();
let book: RiskBook | null = null;
/** Each run's Supertrend state as this process last stepped it (the forming candle lives only here). */
const supertrends = new Map<string, SupertrendState>();
/** Runs this process is firing (or fired) until a book read after that no longer lists them. */
const firing = new Set<string>();

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

/**
 * The Supertrend state to step for a run: this process's own, unless the stored one (`kept`, written by any worker
 * when a candle closes) has closed a later candle — then another worker is ahead and its candles win.
 */
export function supertrendOf(runId: string, kept: SupertrendState | null): SupertrendState | null {
  const mine = supertrends.get(runId) ?? null;
  if (!kept) return mine;
  if (!mine) return kept;
  return (kept.builder.lastClosedStart ?? -Infinity) > (mine.builder.lastClosedStart ?? -Infinity) ? kept : mine;
}

export function setSupertrend(runId: string, state: SupertrendState): void {
  supertrends.set(runId, state);
}

/** The newest book this process read (the sweep's or a tick round's), if any. */
export function latestBook(): RiskBook | null {
  return book;
}

export function keepBook(next: RiskBook): void {
  if (book && next.at < book.at) return;
  book = next;
  for (const key of firstWanted.keys()) if (!next.byContract.has(key)) firstWanted.delete(key);
  const listed = new Set(next.runs.map((r) => r.runId));
  for (const id of firing) if (!listed.has(id)) firing.delete(id);
  for (const id of supertrends.keys()) if (!listed.has(id)) supertrends.delete(id);
}

/**
 * The runs of `runIds` this process is not firing yet, now marked as firing: a breach the sweep and a tick round both
 * confirm is fired by one of them (another process may still try: its compare-and-set then does nothing).
 */
export function claimFiring(runIds: readonly string[]): string[] {
  const mine = runIds.filter((id) => !firing.has(id));
  for (const id of mine) firing.add(id);
  return mine;
}

/** Runs claimed but not fired after all (paused meanwhile, or the attempt failed): may be fired again. */
export function releaseFiring(runIds: Iterable<string>): void {
  for (const id of runIds) firing.delete(id);
}

/** Forgets everything (tests start each case from a clean process state). */
export function forgetRiskMemory(): void {
  pending.clear();
  firstWanted.clear();
  firing.clear();
  supertrends.clear();
  book = null;
}
