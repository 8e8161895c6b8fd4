/**
 * Which accounts' prices may serve which orders (docs/market-data.md "Real and simulated feeds"), and the order in which
 * accounts are asked for market data. Pure, so every subsystem that picks a market-data account (prices, the live
 * feed, the trading calendar) ranks accounts the same way.
 */

/** The broker name MirrorDesk's exchange simulator reports on ping (lib/simulator). */
export const SIMULATOR_BROKER = "simulator";

export type FeedKind = "real" | "simulated";

export function feedKindOf(account: { brokerName: string | null }): FeedKind {
  return account.brokerName?.trim().toLowerCase() === SIMULATOR_BROKER ? "simulated" : "real";
}

type Candidate = { id: string; name: string; isPrimary: boolean; status: string; brokerName: string | null };

/**
 * The order in which accounts are asked for prices of `kind`: the primary unless it is FAILED, then the other
 * accounts of that kind, CONNECTED before DEGRADED/UNKNOWN, by name. FAILED accounts and other kinds never.
 */
export function sourceCandidates<A extends Candidate>(accounts: readonly A[], kind: FeedKind): A[] {
  const rank = (a: A) => (a.isPrimary ? 0 : a.status === "CONNECTED" ? 1 : 2);
  return accounts
    .filter((a) => a.status !== "FAILED" && feedKindOf(a) === kind)
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
