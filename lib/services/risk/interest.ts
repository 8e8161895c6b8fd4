/**
 * Live-price interest of the risk engine (docs/market-data.md "Live prices"): every contract an armed run holds or may
 * come to hold, and every contract a limit account holds open, under the holders `risk:real` / `risk:simulated`. So
 * prices keep flowing to the engine with no browser open, overnight too. The sweep renews the lease every second and
 * registers it again only when the set changed (each registration makes the feed re-read every lease).
 */
import { isOpen, contractOf } from "@/lib/trading/risk/run-book";
import { registerInterest, renewInterest, type FeedKind, type InterestItem } from "@/lib/services/market-data";
import type { RiskBook } from "./book";

export const RISK_KINDS: readonly FeedKind[] = ["real", "simulated"];
export const riskHolder = (kind: FeedKind) => `risk:${kind}`;
/** A lease outlives a few missed sweeps; a dead worker's runs out. */
export const RISK_INTEREST_TTL_MS = 15_000;

/** What this process registered last, per kind (another process registering the same set costs one re-read). */
const registered = new Map<FeedKind, string>();

/** Registers, renews or releases each kind's interest from `book`; returns how many contracts each kind wants. */
export async function syncRiskInterest(book: RiskBook): Promise<Record<FeedKind, number>> {
  const wanted = new Map<FeedKind, Set<string>>(RISK_KINDS.map((k) => [k, new Set<string>()]));
  for (const r of book.runs) for (const key of r.contracts) wanted.get(r.kind)!.add(key);
  for (const a of book.accounts) for (const p of a.all.filter(isOpen)) wanted.get(a.kind)!.add(contractOf(p));
  const counts = { real: 0, simulated: 0 };
  for (const kind of RISK_KINDS) {
    const keys = [...wanted.get(kind)!].sort();
    counts[kind] = keys.length;
    const items: InterestItem[] = keys.map((k) => ({
      exchange: k.slice(0, k.indexOf(":")),
      symbol: k.slice(k.indexOf(":") + 1),
      mode: 1,
    }));
    const signature = keys.join(",");
    if (
      registered.get(kind) === signature &&
      keys.length > 0 &&
      (await renewInterest(riskHolder(kind), RISK_INTEREST_TTL_MS))
    )
      continue;
    if (registered.get(kind) === signature && keys.length === 0) continue;
    // An empty list releases the lease.
    await registerInterest(riskHolder(kind), kind, items, RISK_INTEREST_TTL_MS);
    registered.set(kind, signature);
  }
  return counts;
}

/** Forgets what this process registered (tests reset Redis between cases). */
export function forgetRiskInterest(): void {
  registered.clear();
}
