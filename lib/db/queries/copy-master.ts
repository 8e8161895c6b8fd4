/**
 * The copy engine's records of the master (docs/copy-trading.md "Detection"): master orders with a compare-and-set,
 * and the group's count of the master's positions, written in the recording transaction under the group's row lock
 * (lockCopyGroup) — a few statements per scan whatever the number of changes. Plain SQL on the hot path
 * (docs/database-access.md).
 */
import type { SqlTx } from "@/lib/db/transaction";
import type { RecordedMasterOrder } from "@/lib/trading/copy/detect";
import type { CopyContract } from "@/lib/trading/copy/types";

export interface MasterOrderWrite extends Omit<RecordedMasterOrder, "masterOrderId" | "seq"> {
  masterOrderId: string;
  symbol: string;
  exchange: string;
  action: string;
  product: string;
}

export interface MasterOrderChange {
  prev: RecordedMasterOrder | null;
  next: MasterOrderWrite;
  /** Events recorded with the change: the row's seq moves by this many. */
  events: number;
}

/**
 * Records master orders' new states, each with a compare-and-set, in two statements whatever their number: an insert
 * for those seen first (`prev` null), else an update only while the row is still as `prev` was read, moving its seq
 * by `events`. Returns the master order ids recorded; one left out lost to another scan (record nothing for it).
 */
export async function casMasterOrders(
  tx: SqlTx,
  groupId: string,
  changes: readonly MasterOrderChange[],
): Promise<Set<string>> {
  const won = new Set<string>();
  const cols = (list: readonly MasterOrderChange[]) => [
    list.map((c) => c.next.masterOrderId),
    list.map((c) => c.next.priceType),
    list.map((c) => c.next.price?.toString() ?? null),
    list.map((c) => c.next.triggerPrice?.toString() ?? null),
    list.map((c) => c.next.quantity),
    list.map((c) => c.next.filledQty),
    list.map((c) => c.next.status),
    list.map((c) => c.events),
  ];
  const fresh = changes.filter((c) => c.prev === null);
  if (fresh.length > 0) {
    const { rows } = await tx.query(
      `INSERT INTO copy_master_orders (group_id, master_order_id, price_type, price, trigger_price, quantity, filled_qty,
                                       status, seq, symbol, exchange, action, product, ignored_reason, updated_at)
       SELECT $1::uuid, m, pt, p::numeric, tp::numeric, q, f, st, n, sy, ex, ac, pr, ir, now()
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::int[],
                     $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
              AS t(m, pt, p, tp, q, f, st, n, sy, ex, ac, pr, ir)
       ON CONFLICT DO NOTHING RETURNING master_order_id AS id`,
      [
        groupId,
        ...cols(fresh),
        fresh.map((c) => c.next.symbol),
        fresh.map((c) => c.next.exchange),
        fresh.map((c) => c.next.action),
        fresh.map((c) => c.next.product),
        fresh.map((c) => c.next.ignoredReason),
      ],
    );
    for (const r of rows) won.add(r.id);
  }
  const seen = changes.filter((c) => c.prev !== null);
  if (seen.length > 0) {
    const { rows } = await tx.query(
      `UPDATE copy_master_orders o
          SET price_type = t.pt, price = t.p::numeric, trigger_price = t.tp::numeric, quantity = t.q, filled_qty = t.f,
              status = t.st, seq = o.seq + t.n, updated_at = now()
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::int[],
                     $10::int[], $11::int[], $12::text[]) AS t(m, pt, p, tp, q, f, st, n, ps, pf, pst)
        WHERE o.group_id = $1::uuid AND o.master_order_id = t.m AND o.seq = t.ps AND o.filled_qty = t.pf
          AND o.status = t.pst
       RETURNING o.master_order_id AS id`,
      [
        groupId,
        ...cols(seen),
        seen.map((c) => c.prev!.seq),
        seen.map((c) => c.prev!.filledQty),
        seen.map((c) => c.prev!.status),
      ],
    );
    for (const r of rows) won.add(r.id);
  }
  return won;
}

export type CopyPositionRow = CopyContract & { masterQty: number; uncopiedQty: number };

/** The group's count of the master's position in each contract (0 when new), locked until the transaction ends. */
export async function lockCopyPositions(
  tx: SqlTx,
  groupId: string,
  contracts: readonly CopyContract[],
): Promise<CopyPositionRow[]> {
  if (contracts.length === 0) return [];
  const keys = [contracts.map((c) => c.exchange), contracts.map((c) => c.symbol), contracts.map((c) => c.product)];
  await tx.query(
    `INSERT INTO copy_positions (group_id, exchange, symbol, product, updated_at)
     SELECT $1::uuid, ex, sy, pr, now() FROM unnest($2::text[], $3::text[], $4::text[]) AS t(ex, sy, pr)
     ON CONFLICT DO NOTHING`,
    [groupId, ...keys],
  );
  const { rows } = await tx.query(
    `SELECT p.exchange, p.symbol, p.product, p.master_qty AS "masterQty", p.uncopied_qty AS "uncopiedQty"
       FROM copy_positions p JOIN unnest($2::text[], $3::text[], $4::text[]) AS t(ex, sy, pr)
         ON p.exchange = t.ex AND p.symbol = t.sy AND p.product = t.pr
      WHERE p.group_id = $1::uuid ORDER BY p.exchange, p.symbol, p.product FOR UPDATE OF p`,
    [groupId, ...keys],
  );
  return rows;
}

export async function updateCopyPositions(
  tx: SqlTx,
  groupId: string,
  positions: readonly CopyPositionRow[],
): Promise<void> {
  if (positions.length === 0) return;
  await tx.query(
    `UPDATE copy_positions p SET master_qty = t.mq, uncopied_qty = t.uq, updated_at = now()
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[]) AS t(ex, sy, pr, mq, uq)
      WHERE p.group_id = $1::uuid AND p.exchange = t.ex AND p.symbol = t.sy AND p.product = t.pr`,
    [
      groupId,
      positions.map((p) => p.exchange),
      positions.map((p) => p.symbol),
      positions.map((p) => p.product),
      positions.map((p) => p.masterQty),
      positions.map((p) => p.uncopiedQty),
    ],
  );
}

/**
 * The first PLACE event of each of these master orders (ORDERS mode), as far as counting their fills needs it; an
 * order without one is absent. One statement.
 */
export async function findPlaceEvents(
  tx: SqlTx,
  groupId: string,
  masterOrderIds: readonly string[],
): Promise<Map<string, { status: string; reason: string | null }>> {
  if (masterOrderIds.length === 0) return new Map();
  const { rows } = await tx.query(
    `SELECT DISTINCT ON (master_order_id) master_order_id AS id, status::text AS status, reason FROM copy_events
      WHERE group_id = $1::uuid AND master_order_id = ANY($2::text[]) AND kind = 'PLACE'
      ORDER BY master_order_id, seq`,
    [groupId, [...masterOrderIds]],
  );
  return new Map(rows.map((r) => [r.id, { status: r.status, reason: r.reason }]));
}
