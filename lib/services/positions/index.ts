/**
 * Positions ledger service (docs/architecture.md "Fills and the ledger"): what each strategy (or strategy-less run,
 * such as a ticket) holds per account, from broker-confirmed fills (lib/trading/ledger.ts: average cost), with LTPs
 * from the owner's market-data source. Also the run-level holdings the exit service plans from.
 */
import Decimal from "decimal.js";
import { readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";
import type { Exchange } from "@/lib/brokers/types";
import { listStrategyNames } from "@/lib/db/queries/strategies";
import { listCopyGroupNames } from "@/lib/db/queries/copy-engine";
import { listAccounts, listAccountSecrets } from "@/lib/db/queries/accounts";
import { log } from "@/lib/log";
import type { LedgerPosition } from "@/lib/trading/ledger";
import { closedOutside, contractKey } from "@/lib/trading/ledger-reconcile";
import { brokerPositions } from "@/lib/services/accounts";
import { findStrategyRow } from "@/lib/services/strategies";
import { registerPositionInterest } from "./interest";
import { ledgerPositions, processLedger } from "./ledger";
import {
  feedKindOf,
  liveKey,
  marketSource,
  readQuotes,
  readStaleFlags,
  type FeedKind,
  type FeedKindInput,
} from "@/lib/services/market-data";
import { bookRowKey, rowUnrealised } from "@/lib/trading/live-book";

// Parity (did every account of a run or strategy get what the plan asked?) is the sibling ./parity.
export { getRunParity, getStrategyParity, type RunParity, type StrategyParity } from "./parity";
// Live-price interest of open positions (every owner's ledger) is the sibling ./interest.
export { positionsHolder } from "./interest";
// Reading the ledger: of some accounts or owners, and every account's as this process keeps it (./ledger).
export { everyLedger, ledgerInputs, ledgerPositions, processLedger, type EveryLedger } from "./ledger";

export interface LedgerRowJson {
  /** The row's identity in the live book (lib/trading/live-book.ts `bookRowKey`). */
  key: string;
  /** Which prices value it: a real account's row never takes simulated prices. */
  feed: FeedKind;
  strategyId: string | null;
  /** The strategy's name, or "Copy: <group name>" for a copy group's row. */
  strategyName: string | null;
  runId: string | null;
  /** The copy group whose COPY runs booked this row; null otherwise. */
  copyGroupId: string | null;
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
  /** Where the LTP came from: the live feed, or a REST quote (the feed had none, or filled a stale gap). */
  priceSource: "feed" | "rest" | null;
  /** The live feed flags the contract stale (silent while its market is open). */
  stale: boolean;
}

type PriceOwner = FeedKindInput & { ownerId: string };
const ltpKey = (o: PriceOwner, p: { exchange: string; symbol: string }) =>
  `${o.ownerId}|${feedKindOf(o)}|${p.exchange}|${p.symbol}`;

export interface Priced {
  ltp: Decimal | null;
  source: "feed" | "rest" | null;
  stale: boolean;
}

/**
 * LTPs of the positions' contracts, live first: the latest quote of the account's feed kind in the live quote store
 * (a real account's position is never valued at simulated prices); a contract the feed has not quoted is asked
 * once per owner from the owner's market-data source over REST. Null when neither has a price.
 */
async function ltpsFor(
  positions: readonly LedgerPosition[],
  ownerOf: ReadonlyMap<string, PriceOwner>,
): Promise<Map<string, Priced>> {
  const wanted = new Map<string, PriceOwner & { symbol: string; exchange: string }>();
  for (const p of positions) {
    const o = ownerOf.get(p.accountId);
    if (o && p.netQty !== 0) wanted.set(ltpKey(o, p), { ...o, symbol: p.symbol, exchange: p.exchange });
  }
  const out = new Map<string, Priced>();
  const kinds: FeedKind[] = ["real", "simulated"];
  const live = await Promise.all(
    kinds.map(async (kind) => {
      const keys = [...wanted.values()].filter((w) => feedKindOf(w) === kind).map((w) => liveKey(w.exchange, w.symbol));
      if (keys.length === 0) return { quotes: new Map(), stale: new Map() };
      const [quotes, stale] = await Promise.all([readQuotes(kind, [...new Set(keys)]), readStaleFlags(kind)]);
      return { quotes, stale };
    }),
  );
  await Promise.all(
    [...wanted].map(async ([key, w]) => {
      const kind = feedKindOf(w);
      const { quotes, stale } = live[kinds.indexOf(kind)];
      const k = liveKey(w.exchange, w.symbol);
      const q = quotes.get(k);
      if (q && new Decimal(q.ltp).gt(0)) {
        out.set(key, { ltp: new Decimal(q.ltp), source: q.source === "rest" ? "rest" : "feed", stale: stale.has(k) });
        return;
      }
      try {
        const quote = await (await marketSource(w.ownerId, [w])).quote(w.symbol, w.exchange as Exchange);
        out.set(key, { ltp: quote.ltp.gt(0) ? quote.ltp : null, source: "rest", stale: stale.has(k) });
      } catch (err) {
        // No quote means no unrealised P&L (shown as unknown), never a P&L on a stale or zero price.
        log().warn({ err, symbol: w.symbol }, "no LTP for the ledger");
        out.set(key, { ltp: null, source: null, stale: stale.has(k) });
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
  const groupIds = [...new Set(visible.map((p) => p.scope.copyGroupId).filter((g): g is string => !!g))];
  const [strategyNames, groupNames] = await Promise.all([listStrategyNames(strategyIds), listCopyGroupNames(groupIds)]);
  const names = new Map(strategyNames.map((s) => [s.id, s.name]));
  const groups = new Map(groupNames.map((g) => [g.id, `Copy: ${g.name}`]));
  const ownerOf = new Map(
    [...accounts.values()].map((a) => [
      a.id,
      { ownerId: a.ownerId, kind: a.kind, hostUrl: a.hostUrl, brokerName: a.brokerName },
    ]),
  );
  const [ltps, outside] = await Promise.all([ltpsFor(visible, ownerOf), closedAtBroker(visible, scope)]);
  return visible
    .map((p): LedgerRowJson => {
      const o = ownerOf.get(p.accountId);
      const priced = (o && ltps.get(ltpKey(o, p))) ?? null;
      const ltp = priced?.ltp ?? null;
      const closed = p.netQty !== 0 && outside.has(contractKey(p.accountId, p));
      const copyGroupId = p.scope.copyGroupId ?? null;
      const ids = { strategyId: p.scope.strategyId, runId: p.scope.runId, copyGroupId, accountId: p.accountId };
      return {
        key: bookRowKey({ ...ids, exchange: p.exchange, symbol: p.symbol, product: p.product }),
        feed: o ? feedKindOf(o) : "real",
        strategyId: p.scope.strategyId,
        strategyName: p.scope.strategyId
          ? (names.get(p.scope.strategyId) ?? null)
          : copyGroupId
            ? (groups.get(copyGroupId) ?? "Copy group")
            : null,
        runId: p.scope.runId,
        copyGroupId,
        accountId: p.accountId,
        accountName: accounts.get(p.accountId)!.name,
        symbol: p.symbol,
        exchange: p.exchange,
        product: p.product,
        netQty: p.netQty,
        avgPrice: p.avgPrice?.toString() ?? null,
        ltp: ltp?.toString() ?? null,
        realisedPnl: p.realisedPnl?.toString() ?? null,
        unrealisedPnl: rowUnrealised(
          { netQty: p.netQty, avgPrice: p.avgPrice?.toString() ?? null, closedOutside: closed },
          ltp?.toString() ?? null,
        ),
        closedOutside: closed,
        priceSource: ltp ? (priced?.source ?? null) : null,
        stale: priced?.stale ?? false,
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
 * releases what went flat (./interest); the worker runs it every few seconds and after fills, reading only the
 * accounts whose fills changed since its last read (./ledger `processLedger`).
 */
export async function syncPositionInterest(ttlMs: number, now = new Date()) {
  return registerPositionInterest(await processLedger.positions("strategy"), ttlMs, now);
}
