/**
 * Reads for the positions ledger: every intent with a fill (entries and exits), in time order, and the attribution
 * each EXIT run stores in its plan (`plan.exit`, lib/trading/exit-plan.ts ExitRunAttribution).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { db, sqlRows } from "@/lib/db/client";
import type { ExitAllocation, IntentFill } from "@/lib/trading/ledger";

interface Row extends Omit<IntentFill, "averagePrice"> {
  averagePrice: string | null;
}

/** The columns of an `IntentFill` (`i`: order_intents, `r`: its strategy_runs row). */
const FILL_COLUMNS = `i.run_id::text AS "runId", r.kind::text AS "runKind", r.strategy_id::text AS "strategyId",
  i.account_id::text AS "accountId", i.leg_index AS "legIndex", i.slice_index AS "sliceIndex", i.symbol, i.exchange,
  i.product, i.action, i.filled_quantity AS "filledQuantity", i.average_price::text AS "averagePrice",
  r.copy_group_id::text AS "copyGroupId", r.protects_run_id::text AS "protectsRunId"`;
/** The ledger's time order. */
const FILL_ORDER = `r.triggered_at, r.id, i.sent_at NULLS LAST, i.phase, i.leg_index, i.slice_index`;
/**
 * An account's fingerprint (grouped by account): an MD5 over every column the ledger reads of each of its filled
 * intents and their runs, and over the columns that order them. An EXIT run's attribution (`plan.exit`) is written with
 * the run and never changed, so the run's id stands for it. Equal fingerprints: the account's ledger is unchanged
 * (docs/performance.md "The worker's ledger of every account").
 */
const FILL_PRINT = `md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s', i.id, i.run_id, r.kind,
  r.strategy_id, r.copy_group_id, r.protects_run_id, r.triggered_at, i.sent_at, i.phase, i.leg_index, i.slice_index,
  i.symbol, i.exchange, i.product, i.action, i.filled_quantity, i.average_price), ',' ORDER BY i.id))`;

const toFill = (r: Row): IntentFill => ({
  ...r,
  averagePrice: r.averagePrice === null ? null : new Decimal(r.averagePrice),
});

/**
 * Intents with filled units, oldest run first (then send order), for the given accounts and/or owner. Only these
 * columns: the ledger is read on page loads and before every exit attempt.
 */
export async function listIntentFills(filter: {
  accountIds?: readonly string[];
  ownerId?: string | null;
  /** Several owners (a viewer's readable scope); wins over `ownerId`. */
  ownerIds?: readonly string[];
  /** Only these (account, contract) pairs: an exit's fills are attributed within its account and contract. */
  contracts?: readonly { accountId: string; exchange: string; symbol: string; product: string }[];
}): Promise<IntentFill[]> {
  const rows = await sqlRows<Row>(
    `SELECT ${FILL_COLUMNS}
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE i.filled_quantity > 0
        AND ($1::uuid[] IS NULL OR i.account_id = ANY($1::uuid[]))
        AND ($2::uuid[] IS NULL OR r.owner_id = ANY($2::uuid[]))
        AND ($3::text[] IS NULL OR i.account_id::text || '|' || i.exchange || '|' || i.symbol || '|' || i.product = ANY($3::text[]))
      ORDER BY ${FILL_ORDER}`,
    [
      filter.accountIds ? [...filter.accountIds] : null,
      filter.ownerIds ? [...filter.ownerIds] : filter.ownerId ? [filter.ownerId] : null,
      filter.contracts ? filter.contracts.map((c) => `${c.accountId}|${c.exchange}|${c.symbol}|${c.product}`) : null,
    ],
  );
  return rows.map(toFill);
}

/** The fingerprint of every account with filled intents, by account id (one row per account). */
export async function listFillPrints(): Promise<Map<string, string>> {
  const rows = await sqlRows<{ accountId: string; print: string }>(
    `SELECT i.account_id::text AS "accountId", ${FILL_PRINT} AS print
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE i.filled_quantity > 0
      GROUP BY i.account_id`,
  );
  return new Map(rows.map((r) => [r.accountId, r.print]));
}

/**
 * The filled intents of some accounts (in the ledger's order) with each account's fingerprint, both read in one
 * statement, so the fingerprint is exactly that of the fills returned. Accounts without fills are absent.
 */
export async function listAccountFills(
  accountIds: readonly string[],
): Promise<{ fills: IntentFill[]; prints: Map<string, string> }> {
  const rows = await sqlRows<Row & { print: string }>(
    `WITH prints AS (
       SELECT i.account_id, ${FILL_PRINT} AS print
         FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
        WHERE i.filled_quantity > 0 AND i.account_id = ANY($1::uuid[])
        GROUP BY i.account_id)
     SELECT ${FILL_COLUMNS}, p.print
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id JOIN prints p ON p.account_id = i.account_id
      WHERE i.filled_quantity > 0
      ORDER BY ${FILL_ORDER}`,
    [[...accountIds]],
  );
  const prints = new Map(rows.map((r) => [r.accountId, r.print]));
  return { fills: rows.map(({ print: _, ...r }) => toFill(r)), prints };
}

const allocationSchema = z.object({
  runId: z.string().nullable(),
  strategyId: z.string().nullable(),
  legIndex: z.int().nullable(),
  quantity: z.int().positive(),
  auto: z.boolean().optional(),
});
const attributionSchema = z.object({
  exitId: z.string(),
  legs: z.array(z.object({ accountId: z.string(), legIndex: z.int(), allocations: z.array(allocationSchema) })),
});

/** Allocations of the EXIT runs among `runIds`, keyed `runId|accountId|legIndex`. */
export async function listExitAllocations(runIds: readonly string[]): Promise<Map<string, ExitAllocation[]>> {
  const out = new Map<string, ExitAllocation[]>();
  if (runIds.length === 0) return out;
  const rows = await db().$queryRawUnsafe<{ id: string; exit: unknown }[]>(
    `SELECT id::text AS id, plan->'exit' AS exit FROM strategy_runs WHERE id = ANY($1::uuid[]) AND kind = 'EXIT'`,
    [...new Set(runIds)],
  );
  for (const r of rows) {
    const parsed = attributionSchema.safeParse(r.exit);
    // An EXIT run without a readable attribution books its fills to nobody (shown as unattributed, never guessed).
    if (!parsed.success) continue;
    for (const leg of parsed.data.legs) out.set(`${r.id}|${leg.accountId}|${leg.legIndex}`, leg.allocations);
  }
  return out;
}

/** Target and filled units of one leg of a run in one account (all its slices). */
export async function legTotals(runId: string, accountId: string, legIndex: number) {
  const [row] = await db().$queryRawUnsafe<
    {
      target: number;
      filled: number;
      n: number;
      symbol: string | null;
      exchange: string | null;
      product: string | null;
      action: string | null;
    }[]
  >(
    `SELECT coalesce(sum(quantity), 0)::int AS target, coalesce(sum(filled_quantity), 0)::int AS filled, count(*)::int AS n,
            min(symbol) AS symbol, min(exchange) AS exchange, min(product) AS product, min(action) AS action
       FROM order_intents WHERE run_id = $1::uuid AND account_id = $2::uuid AND leg_index = $3`,
    runId,
    accountId,
    legIndex,
  );
  return row.n === 0
    ? null
    : {
        target: row.target,
        filled: row.filled,
        symbol: row.symbol!,
        exchange: row.exchange!,
        product: row.product!,
        action: row.action as "BUY" | "SELL",
      };
}
