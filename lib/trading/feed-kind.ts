/**
 * Which accounts' prices may serve which orders (docs/market-data.md "Real and simulated feeds"), and the order in which
 * accounts are asked for market data. Pure, so every subsystem that picks a market-data account (prices, the live
 * feed, the trading calendar) ranks accounts the same way.
 */

/** The broker name MirrorDesk's exchange simulator reports on ping (lib/simulator). */
export const SIMULATOR_BROKER = "simulator";

/** The stored kind of an OpenAlgo account (`TradingAccount.kind`); every other kind is a direct broker. */
const OPENALGO_KIND = "OPENALGO";

/**
 * The hosts of each direct broker's real trading API, by stored kind (docs/market-data.md "Real and simulated feeds").
 * A direct account whose API root is anything else is not talking to the real broker. Kept in step with each
 * connector's real API root by lib/brokers/real-api-hosts.test.ts.
 */
export const REAL_API_HOSTS: Readonly<Record<string, readonly string[]>> = {
  ZERODHA: ["api.kite.trade"],
  UPSTOX: ["api.upstox.com"],
  FYERS: ["api-t1.fyers.in"],
  DHAN: ["api.dhan.co"],
  ANGEL: ["apiconnect.angelone.in", "apiconnect.angelbroking.com"],
};

export type FeedKind = "real" | "simulated";

/** What the classification reads of an account: its stored kind, its API root and the broker name its ping reported. */
export interface FeedKindInput {
  kind: string;
  hostUrl: string;
  brokerName: string | null;
}

/** True when `hostUrl` is, over https, one of the real API hosts of the direct kind `kind`. */
export function isRealBrokerRoot(kind: string, hostUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(hostUrl.trim());
  } catch {
    return false;
  }
  return url.protocol === "https:" && (REAL_API_HOSTS[kind] ?? []).includes(url.hostname.toLowerCase());
}

/**
 * An OpenAlgo account is simulated when its ping says `simulator`. A direct account is real only when it talks to its
 * broker's real API host: a real broker's profile cannot say "simulated", so any other root (the simulator's native
 * front-ends, a proxy) counts as simulated. A proxy in front of a real broker is then refused a mix with real accounts
 * rather than priced from the wrong market.
 */
export function feedKindOf(account: FeedKindInput): FeedKind {
  if (account.kind !== OPENALGO_KIND) return isRealBrokerRoot(account.kind, account.hostUrl) ? "real" : "simulated";
  return account.brokerName?.trim().toLowerCase() === SIMULATOR_BROKER ? "simulated" : "real";
}

type Candidate = FeedKindInput & { id: string; name: string; isPrimary: boolean; status: string };

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
