/**
 * Live-price interest of open positions (docs/market-data.md "Stale data"): from the ledger of every owner and
 * account, the contracts held open and their underlyings' indices, registered per feed kind under the holder
 * `positions:<kind>`. Re-registered every few seconds and after fills; a contract closed to flat drops out of the
 * lease at the next sync, and the feed unsubscribes it once no other holder wants it.
 */
import { listAccounts } from "@/lib/db/queries/accounts";
import { istDateOf } from "@/lib/trading/calendar";
import { positionInterest, type HeldContract } from "@/lib/trading/position-interest";
import { feedKindOf, registerInterest, type FeedKind } from "@/lib/services/market-data";
import { tradingSettings } from "@/lib/services/settings";
import type { LedgerPosition } from "@/lib/trading/ledger";

export const POSITION_KINDS: readonly FeedKind[] = ["real", "simulated"];

/** The interest holder of every open position of accounts of `kind`. */
export const positionsHolder = (kind: FeedKind) => `positions:${kind}`;

/**
 * Registers (or, with nothing open, releases) each kind's positions interest for `ttlMs` from `positions` (the
 * ledger of every owner) as of `now`; returns how many contracts each kind wants.
 */
export async function registerPositionInterest(
  positions: readonly LedgerPosition[],
  ttlMs: number,
  now: Date,
): Promise<Record<FeedKind, number>> {
  const [accounts, settings] = await Promise.all([listAccounts({ ownerId: null }), tradingSettings()]);
  const kindOf = new Map(accounts.map((a) => [a.id, feedKindOf(a)]));
  const held: HeldContract<FeedKind>[] = [];
  for (const p of positions) {
    const kind = p.netQty === 0 ? undefined : kindOf.get(p.accountId);
    if (kind) held.push({ kind, exchange: p.exchange, symbol: p.symbol, netQty: p.netQty });
  }
  const wanted = positionInterest(held, settings.instruments, istDateOf(now.getTime()));
  const counts = { real: 0, simulated: 0 };
  for (const kind of POSITION_KINDS) {
    const items = wanted.get(kind) ?? [];
    counts[kind] = items.length;
    // An empty list releases the lease (the contract store deletes it).
    await registerInterest(positionsHolder(kind), kind, items, ttlMs);
  }
  return counts;
}
