/**
 * Positions ledger service (docs/architecture.md "Fills and the ledger"): what each strategy (or strategy-less run,
 * such as a ticket) holds per account, from broker-confirmed fills (lib/trading/ledger.ts: average cost), with LTPs
 * from the owner's market-data source. Also the run-level holdings the exit service plans from.
 */
import Decimal from "decimal.js";
import { readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";
import type { Exchange } from "@/lib/brokers/types";
import { listStrategyNames } from "@/lib/db/queries/strategies";
import { listAccounts, listAccountSecrets } from "@/lib/db/queries/accounts";
import { listExitAllocations, listIntentFills } from "@/lib/db/queries/ledger";
import { log } from "@/lib/log";
import {
  buildLedger,
  ledgerFills,
  unrealisedPnl,
  type ExitAllocation,
  type Granularity,
  type IntentFill,
  type LedgerPosition,
} from "@/lib/trading/ledger";
import { closedOutside, contractKey } from "@/lib/trading/ledger-reconcile";
import { brokerPositions } from "@/lib/services/accounts";
import { findStrategyRow } from "@/lib/services/strategies";
import { feedKindOf, marketSource } from "@/lib/services/market-data";
import { registerPositionInterest } from "./interest";

// Parity (did every account of a run or strategy get what the plan asked?) is the sibling ./parity.
export { getRunParity, getStrategyParity, type RunParity, type StrategyParity } from "./parity";
// Live-price interest of open positions (every owner's ledger) is the sibling ./interest.
export { positionsHolder } from "./interest";

export interface LedgerRowJson {
  strategyId: string | null;
  strategyName: string | null;
  runId: string | null;
  accountId: string;
  accountName: string;
  symbol: string;
  exchange: string;
  product: string;
  netQty: number;
  avgPrice: string | null;
  ltp: string | null;
  realisedPnl: string | null;
  /** At live LTP, (LTP − average) × net quantity; 0 once closed outside MirrorDesk; null without a price. */
  unrealisedPnl: string | null;
  /** Open in the ledger while the broker reports the contract flat: it was closed outside MirrorDesk. */
  closedOutside: boolean;
}

/** Fills and exit attributions of some accounts or of an owner (everything the ledger needs). */
export async function ledgerInputs(
  filter: Parameters<typeof listIntentFills>[0],
): Promise<{ fills: IntentFill[]; allocations: Map<string, ExitAllocation[]> }> {
  const fills = await listIntentFills(filter);
  const allocations = await listExitAllocations([
    ...new Set(fills.filter((f) => f.runKind === "EXIT").map((f) => f.runId)),
  ]);
  return { fills, allocations };
}

export async function ledgerPositions(
  filter: Parameters<typeof listIntentFills>[0],
  granularity: Granularity,
): Promise<LedgerPosition[]> {
  const { fills, allocations } = await ledgerInputs(filter);
  return buildLedger(ledgerFills(fills, allocations, granularity));
}

type PriceOwner = { ownerId: string; brokerName: string | null };
const ltpKey = (o: PriceOwner, p: { exchange: string; symbol: string }) =>
  `${o.ownerId}|${feedKindOf(o)}|${p.exchange}|${p.symbol}`;

/**
 * LTPs of the positions' contracts, one quote per contract from each owner's market-data source of the account's feed
 * kind (a real account's position is never valued at simulated prices); null when unavailable.
 */
async function ltpsFor(
  positions: readonly LedgerPosition[],
  ownerOf: ReadonlyMap<string, PriceOwner>,
): Promise<Map<string, Decimal | null>> {
  const wanted = new Map<string, { ownerId: string; brokerName: string | null; symbol: string; exchange: string }>();
  for (const p of positions) {
    const o = ownerOf.get(p.accountId);
    if (o && p.netQty !== 0) wanted.set(ltpKey(o, p), { ...o, symbol: p.symbol, exchange: p.exchange });
  }
  const out = new Map<string, Decimal | null>();
  await Promise.all(
    [...wanted].map(async ([key, w]) => {
      try {
        const quote = await (await marketSource(w.ownerId, [w])).quote(w.symbol, w.exchange as Exchange);
        out.set(key, quote.ltp.gt(0) ? quote.ltp : null);
      } catch (err) {
        // No quote means no unrealised P&L (shown as unknown), never a P&L on a stale or zero price.
        log().warn({ err, symbol: w.symbol }, "no LTP for the ledger");
        out.set(key, null);
      }
    }),
  );
  return out;
}

/** Contracts the ledger holds open that the accounts' brokers report flat (lib/trading/ledger-reconcile.ts). */
async function closedAtBroker(
  positions: readonly LedgerPosition[],
  scope: { ownerId: string | null },
): Promise<Set<string>> {
  const open = new Set(positions.filter((p) => p.netQty !== 0).map((p) => p.accountId));
  if (open.size === 0) return new Set();
  const accounts = (await listAccountSecrets(scope, { active: true })).filter((a) => open.has(a.id));
  const broker = await brokerPositions(accounts);
  return closedOutside(positions, broker);
}

async function toRows(positions: LedgerPosition[], scope: { ownerId: string | null }): Promise<LedgerRowJson[]> {
  const accounts = new Map((await listAccounts(scope)).map((a) => [a.id, a]));
  const visible = positions.filter((p) => accounts.has(p.accountId));
  const strategyIds = [...new Set(visible.map((p) => p.scope.strategyId).filter((s): s is string => s !== null))];
  const names = new Map((await listStrategyNames(strategyIds)).map((s) => [s.id, s.name]));
  const ownerOf = new Map([...accounts.values()].map((a) => [a.id, { ownerId: a.ownerId, brokerName: a.brokerName }]));
  const [ltps, outside] = await Promise.all([ltpsFor(visible, ownerOf), closedAtBroker(visible, scope)]);
  return visible
    .map((p): LedgerRowJson => {
      const o = ownerOf.get(p.accountId);
      const ltp = (o && ltps.get(ltpKey(o, p))) ?? null;
      const closed = p.netQty !== 0 && outside.has(contractKey(p.accountId, p));
      return {
        strategyId: p.scope.strategyId,
        strategyName: p.scope.strategyId ? (names.get(p.scope.strategyId) ?? null) : null,
        runId: p.scope.runId,
        accountId: p.accountId,
        accountName: accounts.get(p.accountId)!.name,
        symbol: p.symbol,
        exchange: p.exchange,
        product: p.product,
        netQty: p.netQty,
        avgPrice: p.avgPrice?.toString() ?? null,
        ltp: ltp?.toString() ?? null,
        realisedPnl: p.realisedPnl?.toString() ?? null,
        unrealisedPnl: closed ? "0" : (unrealisedPnl(p, ltp)?.toString() ?? null),
        closedOutside: closed,
      };
    })
    .sort(
      (a, b) =>
        (a.strategyName ?? "~").localeCompare(b.strategyName ?? "~") ||
        a.accountName.localeCompare(b.accountName) ||
        a.symbol.localeCompare(b.symbol),
    );
}

/** One strategy's ledger: a row per (account, symbol, exchange, product) it has traded, open or closed. */
export async function strategyPositions(actor: Actor, strategyId: string): Promise<LedgerRowJson[]> {
  const strategy = await findStrategyRow(actor, strategyId);
  const positions = await ledgerPositions({ ownerId: strategy.ownerId }, "strategy");
  return toRows(
    positions.filter((p) => p.scope.strategyId === strategyId),
    scopeOf(actor),
  );
}

/** Every strategy's ledger (and strategy-less runs') of the actor; every owner's for admins. */
export async function allPositions(actor: Actor): Promise<LedgerRowJson[]> {
  const scope = scopeOf(actor);
  return toRows(
    await ledgerPositions({ ownerId: scope.ownerId, ownerIds: readableOwnerIds(scope) ?? undefined }, "strategy"),
    scope,
  );
}

/**
 * Registers the live prices every open position needs (all owners and accounts, per feed kind) for `ttlMs`, and
 * releases what went flat (./interest); the worker runs it every few seconds and after fills.
 */
export async function syncPositionInterest(ttlMs: number, now = new Date()) {
  return registerPositionInterest(await ledgerPositions({}, "strategy"), ttlMs, now);
}
