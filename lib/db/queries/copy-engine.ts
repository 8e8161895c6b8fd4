/**
 * Reads of the copy engine's hot path (docs/copy-trading.md "Detection"; plain SQL: docs/database-access.md "Hot
 * paths"): a group with its children, the recorded master orders, the master account's own intents, and the
 * children's copy exposure. System queries: the engine acts on groups by id, for every owner.
 */
import Decimal from "decimal.js";
import { sqlPool } from "@/lib/db/client";
import type { SqlTx } from "@/lib/db/transaction";
import type { RecordedMasterOrder, UnresolvedIntent } from "@/lib/trading/copy/detect";
import type { CopyChildRule, CopyFilters, CopyMode } from "@/lib/trading/copy/types";

export interface ScanGroup {
  id: string;
  ownerId: string;
  masterAccountId: string;
  mode: CopyMode;
  enabled: boolean;
  startedAt: Date;
  filters: CopyFilters;
  /** In the order they were added. */
  children: CopyChildRule[];
}

interface ChildJson extends Omit<CopyChildRule, "multiplier"> {
  multiplier: string;
}

/** A group as the engine needs it; null when it is gone. */
export async function findScanGroup(groupId: string, tx: SqlTx = sqlPool()): Promise<ScanGroup | null> {
  const { rows } = await tx.query(
    `SELECT g.id::text, g.owner_id::text AS "ownerId", g.master_account_id::text AS "masterAccountId", g.mode::text AS mode,
            g.enabled, g.started_at AS "startedAt", g.exchanges, g.products, g.allow_symbols AS "allowSymbols",
            g.deny_symbols AS "denySymbols", g.window_start AS "windowStart", g.window_end AS "windowEnd",
            coalesce((SELECT json_agg(json_build_object('accountId', c.account_id::text, 'accountName', a.name,
                       'multiplier', c.multiplier::text, 'rounding', c.rounding::text, 'minOneLot', c.min_one_lot,
                       'enabled', c.enabled AND a.active, 'maxLotsPerOrder', c.max_lots_per_order,
                       'maxOpenLots', c.max_open_lots, 'reverse', c.reverse) ORDER BY c.created_at, c.account_id)
                        FROM copy_children c JOIN trading_accounts a ON a.id = c.account_id
                       WHERE c.group_id = g.id), '[]') AS children
       FROM copy_groups g WHERE g.id = $1::uuid`,
    [groupId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    ownerId: r.ownerId,
    masterAccountId: r.masterAccountId,
    mode: r.mode,
    enabled: r.enabled,
    startedAt: r.startedAt,
    filters: {
      exchanges: r.exchanges ?? [],
      products: r.products ?? [],
      allowSymbols: r.allowSymbols ?? [],
      denySymbols: r.denySymbols ?? [],
      windowStart: r.windowStart,
      windowEnd: r.windowEnd,
    },
    children: (r.children as ChildJson[]).map((c) => ({ ...c, multiplier: new Decimal(c.multiplier) })),
  };
}

/** Every group (paused ones too: their master events are recorded) with its master account. */
export async function listCopyGroupMasters(): Promise<{ id: string; masterAccountId: string }[]> {
  const { rows } = await sqlPool().query(
    `SELECT id::text, master_account_id::text AS "masterAccountId" FROM copy_groups ORDER BY created_at, id`,
  );
  return rows;
}

/** Names of copy groups by id (the positions page names a group's rows after it). */
export async function listCopyGroupNames(ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  const { rows } = await sqlPool().query(`SELECT id::text, name FROM copy_groups WHERE id = ANY($1::uuid[])`, [
    [...ids],
  ]);
  return rows;
}

const dec = (v: string | null) => (v === null ? null : new Decimal(v));

/** The group's records of these master orders. */
export async function listRecordedMasterOrders(
  groupId: string,
  orderIds: readonly string[],
): Promise<Map<string, RecordedMasterOrder>> {
  if (orderIds.length === 0) return new Map();
  const { rows } = await sqlPool().query(
    `SELECT master_order_id AS "masterOrderId", price_type AS "priceType", price::text, trigger_price::text AS "triggerPrice",
            quantity, filled_qty AS "filledQty", status, ignored_reason AS "ignoredReason", seq
       FROM copy_master_orders WHERE group_id = $1::uuid AND master_order_id = ANY($2::text[])`,
    [groupId, [...orderIds]],
  );
  return new Map(rows.map((r) => [r.masterOrderId, { ...r, price: dec(r.price), triggerPrice: dec(r.triggerPrice) }]));
}

/**
 * The master account's own orders since `since`: broker order ids of its intents, and its intents not yet resolved
 * to one (claimed, sending, unknown) with their send (or claim) time.
 */
export async function masterIntentFacts(
  accountId: string,
  since: Date,
): Promise<{ ownOrderIds: Set<string>; unresolved: UnresolvedIntent[] }> {
  const { rows } = await sqlPool().query(
    `SELECT broker_order_id AS "orderId", state::text AS state, symbol, exchange, action, quantity,
            (extract(epoch FROM coalesce(sent_at, updated_at)) * 1000)::float8 AS since
       FROM order_intents
      WHERE account_id = $1::uuid AND (sent_at >= $2 OR updated_at >= $2)
        AND (broker_order_id IS NOT NULL OR state IN ('claimed', 'sending', 'unknown'))`,
    [accountId, since],
  );
  const ownOrderIds = new Set<string>();
  const unresolved: UnresolvedIntent[] = [];
  for (const r of rows) {
    if (r.orderId) ownOrderIds.add(r.orderId);
    else
      unresolved.push({
        symbol: r.symbol,
        exchange: r.exchange,
        action: r.action,
        quantity: r.quantity,
        since: r.since,
      });
  }
  return { ownOrderIds, unresolved };
}

/** One child's copy exposure in one contract, signed units (its own side). */
export interface ExposureRow {
  accountId: string;
  exchange: string;
  symbol: string;
  product: string;
  /** Filled by the group's COPY runs (exits not counted: see the caller). */
  filled: number;
  /** Working: unsettled copy intents' unfilled units. */
  working: number;
  /** Planned by PENDING events not yet handed to a run. */
  pending: number;
}

/**
 * The children's exposure from the group's COPY intents (filled and still working) and its PENDING events' planned
 * child orders, in ONE statement, so an intent that fills meanwhile is counted once. Pass the recording
 * transaction's `tx` so the pending events are those it sees.
 */
export async function listCopyExposure(groupId: string, tx: SqlTx = sqlPool()): Promise<ExposureRow[]> {
  const { rows } = await tx.query(
    `WITH i AS (
       SELECT i.account_id::text AS "accountId", i.exchange, i.symbol, i.product,
              (CASE WHEN i.action = 'BUY' THEN 1 ELSE -1 END) AS sign, i.filled_quantity AS filled,
              CASE WHEN i.state IN ('planned', 'claimed', 'sending', 'unknown', 'accepted', 'reconciled_accepted',
                                    'partially_filled', 'safe_to_resend', 'held')
                   THEN i.quantity - i.filled_quantity ELSE 0 END AS working
         FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
        WHERE r.copy_group_id = $1::uuid AND r.kind = 'COPY'),
     p AS (
       SELECT c->>'accountId' AS "accountId", e.exchange, e.symbol, e.product,
              (CASE WHEN c->>'action' = 'BUY' THEN 1 ELSE -1 END) * (c->>'quantity')::int AS pending
         FROM copy_events e CROSS JOIN LATERAL jsonb_array_elements(e.children) c
        WHERE e.group_id = $1::uuid AND e.status = 'PENDING' AND e.kind IN ('FILL', 'SYNC'))
     SELECT "accountId", exchange, symbol, product, sum(f)::int AS filled, sum(w)::int AS working, sum(pe)::int AS pending
       FROM (SELECT "accountId", exchange, symbol, product, sign * filled AS f, sign * working AS w, 0 AS pe FROM i
             UNION ALL SELECT "accountId", exchange, symbol, product, 0, 0, pending FROM p) x
      GROUP BY "accountId", exchange, symbol, product`,
    [groupId],
  );
  return rows;
}

/**
 * The (child, contract) pairs where the group's COPY runs filled something AND an exit run filled something too: the
 * only places an exit can have closed part of the group's positions (exits are attributed within their account and
 * contract). Usually none, so the exposure's exit correction reads no ledger at all.
 */
export async function listCopyExitContracts(
  groupId: string,
): Promise<{ accountId: string; exchange: string; symbol: string; product: string }[]> {
  const { rows } = await sqlPool().query(
    `WITH c AS (
       SELECT DISTINCT i.account_id, i.exchange, i.symbol, i.product
         FROM strategy_runs r JOIN order_intents i ON i.run_id = r.id
        WHERE r.copy_group_id = $1::uuid AND r.kind = 'COPY' AND i.filled_quantity > 0)
     SELECT c.account_id::text AS "accountId", c.exchange, c.symbol, c.product FROM c
      WHERE EXISTS (SELECT 1 FROM order_intents x JOIN strategy_runs xr ON xr.id = x.run_id
                     WHERE xr.kind = 'EXIT' AND x.account_id = c.account_id AND x.exchange = c.exchange
                       AND x.symbol = c.symbol AND x.product = c.product AND x.filled_quantity > 0)`,
    [groupId],
  );
  return rows;
}

/**
 * ORDERS mode: per contract, the unfilled units (signed) of the master's orders the group follows that were still
 * working at the last scan.
 */
export async function listMasterWorking(
  groupId: string,
): Promise<{ exchange: string; symbol: string; product: string; workingQty: number }[]> {
  const { rows } = await sqlPool().query(
    `SELECT exchange, symbol, product,
            sum((CASE WHEN action = 'BUY' THEN 1 ELSE -1 END) * greatest(quantity - filled_qty, 0))::int AS "workingQty"
       FROM copy_master_orders
      WHERE group_id = $1::uuid AND ignored_reason IS NULL AND status IN ('open', 'trigger_pending')
      GROUP BY exchange, symbol, product`,
    [groupId],
  );
  return rows;
}

/** The group's count of the master's positions (every contract it has seen). */
export async function listCopyPositions(
  groupId: string,
): Promise<{ exchange: string; symbol: string; product: string; masterQty: number; uncopiedQty: number }[]> {
  const { rows } = await sqlPool().query(
    `SELECT exchange, symbol, product, master_qty AS "masterQty", uncopied_qty AS "uncopiedQty"
       FROM copy_positions WHERE group_id = $1::uuid ORDER BY symbol, exchange, product`,
    [groupId],
  );
  return rows;
}
