/**
 * Writes of the copy engine (docs/copy-trading.md "Events, runs and exactly once"): events inserted in the
 * transaction that records their master orders (./copy-master.ts), and handed on (SENT with their run, SKIPPED,
 * BLOCKED, FAILED). Plain SQL on the hot path (docs/database-access.md).
 */
import type Decimal from "decimal.js";
import { sqlPool } from "@/lib/db/client";
import type { SqlTx } from "@/lib/db/transaction";
import type { CopyEventStatus } from "@/lib/generated/prisma/client";
import type { ChildOrder, CopyContract, CopyEventKind, Side } from "@/lib/trading/copy/types";

/** Serialises recordings of one group across processes (until the transaction ends). */
export async function lockCopyGroup(tx: SqlTx, groupId: string): Promise<boolean> {
  const { rowCount } = await tx.query(`SELECT 1 FROM copy_groups WHERE id = $1::uuid FOR UPDATE`, [groupId]);
  return (rowCount ?? 0) > 0;
}

/**
 * One child's planned share of an event, as `copy_events.children` stores it: `held` is the child's exposure when the
 * event was sized (FILL and SYNC events), `combined` the child's one order of the run leg that carries the event when
 * that order nets more than this event (docs/copy-trading.md "Events, runs and exactly once").
 */
export type EventChild = ChildOrder & {
  held?: number;
  combined?: { events: number; action: Side; quantity: number };
};

export interface NewCopyEvent extends CopyContract {
  groupId: string;
  masterOrderId: string;
  seq: number;
  kind: CopyEventKind;
  action: string;
  quantity: number;
  priceType: string | null;
  price: Decimal | null;
  triggerPrice: Decimal | null;
  /** FILL: the master order's quantity. */
  orderQuantity?: number | null;
  masterBefore: number | null;
  masterAfter: number | null;
  source: "stream" | "poll" | "sync" | "manual";
  masterAt: Date | null;
  status: CopyEventStatus;
  reason: string | null;
  children: EventChild[];
  requestedBy: string | null;
}

/** Inserts events; returns their ids in order. Conflicts (same group, master order, seq) insert nothing. */
export async function insertCopyEvents(tx: SqlTx, events: readonly NewCopyEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const col = <K extends keyof NewCopyEvent>(k: K) => events.map((e) => e[k]);
  const { rows } = await tx.query(
    `INSERT INTO copy_events (id, group_id, master_order_id, seq, kind, symbol, exchange, product, action, quantity,
                              price_type, price, trigger_price, master_before, master_after, source, master_at, status,
                              reason, children, requested_by, order_quantity, handled_at)
     SELECT gen_random_uuid(), g::uuid, m, s, k::"CopyEventKind", sy, ex, pr, ac, q, pt, p::numeric, tp::numeric, mb, ma,
            src, mat, st::"CopyEventStatus", rs, ch::jsonb, rb::uuid, oq, CASE WHEN st = 'PENDING' THEN NULL ELSE now() END
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::int[], $10::text[], $11::text[], $12::text[], $13::int[], $14::int[], $15::text[],
                   $16::timestamptz[], $17::text[], $18::text[], $19::text[], $20::text[], $21::int[])
            WITH ORDINALITY AS t(g, m, s, k, sy, ex, pr, ac, q, pt, p, tp, mb, ma, src, mat, st, rs, ch, rb, oq, n)
      ORDER BY n
     ON CONFLICT DO NOTHING RETURNING id::text`,
    [
      col("groupId"),
      col("masterOrderId"),
      col("seq"),
      col("kind"),
      col("symbol"),
      col("exchange"),
      col("product"),
      col("action"),
      col("quantity"),
      col("priceType"),
      events.map((e) => e.price?.toString() ?? null),
      events.map((e) => e.triggerPrice?.toString() ?? null),
      col("masterBefore"),
      col("masterAfter"),
      col("source"),
      col("masterAt"),
      col("status"),
      col("reason"),
      events.map((e) => JSON.stringify(e.children)),
      col("requestedBy"),
      events.map((e) => e.orderQuantity ?? null),
    ],
  );
  return rows.map((r) => r.id);
}

/** A PENDING event as the hand-on plans it. */
export interface PendingEvent extends CopyContract {
  id: string;
  masterOrderId: string;
  seq: number;
  kind: CopyEventKind;
  action: "BUY" | "SELL";
  quantity: number;
  priceType: string | null;
  price: string | null;
  triggerPrice: string | null;
  masterAfter: number | null;
  children: EventChild[];
}

/** The group's PENDING events in detection order. */
export async function listPendingEvents(groupId: string): Promise<PendingEvent[]> {
  const { rows } = await sqlPool().query(
    `SELECT id::text, master_order_id AS "masterOrderId", seq, kind::text AS kind, symbol, exchange, product, action,
            quantity, price_type AS "priceType", price::text, trigger_price::text AS "triggerPrice",
            master_after AS "masterAfter", children
       FROM copy_events WHERE group_id = $1::uuid AND status = 'PENDING'
      ORDER BY detected_at, master_order_id, seq`,
    [groupId],
  );
  return rows;
}

/** Whether a COPY run of the group still has intents not yet acknowledged (planned, claimed, sending). */
export async function copyRunInFlight(groupId: string): Promise<boolean> {
  const { rows } = await sqlPool().query(
    `SELECT EXISTS (SELECT 1 FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
                     WHERE r.copy_group_id = $1::uuid AND r.kind = 'COPY'
                       AND i.state IN ('planned', 'claimed', 'sending')) AS busy`,
    [groupId],
  );
  return rows[0].busy;
}

/** The sides of the group's COPY intents not yet acknowledged (planned, claimed, sending), per child account. */
export async function copySidesInFlight(groupId: string): Promise<{ accountId: string; action: Side }[]> {
  const { rows } = await sqlPool().query(
    `SELECT DISTINCT i.account_id::text AS "accountId", i.action
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE r.copy_group_id = $1::uuid AND r.kind = 'COPY' AND i.state IN ('planned', 'claimed', 'sending')`,
    [groupId],
  );
  return rows;
}

/**
 * Marks PENDING events SENT with their run and leg (inside createRun's transaction). Throws, so the run is not
 * created, when one of them is no longer PENDING: another hand-on (a second worker) sent or closed it first.
 */
export async function markEventsSent(
  tx: SqlTx,
  runId: string,
  marks: readonly { id: string; legIndex: number; children: EventChild[] }[],
): Promise<void> {
  if (marks.length === 0) return;
  const { rowCount } = await tx.query(
    `UPDATE copy_events e SET status = 'SENT', run_id = $1::uuid, leg_index = t.leg, children = t.ch::jsonb, handled_at = now()
       FROM unnest($2::text[], $3::int[], $4::text[]) AS t(id, leg, ch)
      WHERE e.id = t.id::uuid AND e.status = 'PENDING'`,
    [runId, marks.map((m) => m.id), marks.map((m) => m.legIndex), marks.map((m) => JSON.stringify(m.children))],
  );
  const updated = rowCount ?? 0;
  if (updated !== marks.length)
    throw new Error(`copy events already handed on (${marks.length - updated} of ${marks.length}): run not created`);
}

/** The run an event was handed on with; null while it waits (or when it was closed without one). */
export async function findEventRunId(eventId: string): Promise<string | null> {
  const { rows } = await sqlPool().query(`SELECT run_id::text AS "runId" FROM copy_events WHERE id = $1::uuid`, [
    eventId,
  ]);
  return rows[0]?.runId ?? null;
}

/** Closes PENDING events with a final status and reason (SKIPPED, BLOCKED, FAILED). */
export async function closePendingEvents(
  ids: readonly string[],
  status: Exclude<CopyEventStatus, "PENDING" | "SENT">,
  reason: string,
): Promise<void> {
  if (ids.length === 0) return;
  await sqlPool().query(
    `UPDATE copy_events SET status = $2::"CopyEventStatus", reason = $3, handled_at = now()
      WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`,
    [[...ids], status, reason],
  );
}

/** Groups with events PENDING since before `before` (a worker that died between recording and handing on). */
export async function listGroupsWithStalePending(before: Date): Promise<string[]> {
  const { rows } = await sqlPool().query(
    `SELECT DISTINCT group_id::text AS id FROM copy_events WHERE status = 'PENDING' AND detected_at < $1`,
    [before],
  );
  return rows.map((r) => r.id);
}

/** Whether the group has events not yet handed on. */
/**
 * A mark that changes whenever the group's events change: one recorded (a new row) or handed on (handled_at set).
 * A reader that spans several statements compares it before and after, to know it saw one consistent moment.
 */
export async function copyActivityMark(groupId: string): Promise<string> {
  const { rows } = await sqlPool().query(
    `SELECT count(*) || ':' || count(handled_at) || ':' || coalesce(max(handled_at)::text, '') AS mark
       FROM copy_events WHERE group_id = $1::uuid`,
    [groupId],
  );
  return rows[0].mark;
}

export async function hasPendingEvents(groupId: string): Promise<boolean> {
  const { rowCount } = await sqlPool().query(
    `SELECT 1 FROM copy_events WHERE group_id = $1::uuid AND status = 'PENDING' LIMIT 1`,
    [groupId],
  );
  return (rowCount ?? 0) > 0;
}
