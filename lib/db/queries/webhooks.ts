import type { Prisma, SignalPosition, WebhookMode } from "@/lib/generated/prisma/client";
import { db, sqlPool } from "@/lib/db/client";
import type { SqlTx, Tx } from "@/lib/db/transaction";
import { NOT_FINAL } from "@/lib/db/queries/exit-scope";
import { GroupCommit } from "@/lib/db/group-commit";

type SignalState = { position: SignalPosition; entries: number };

/** What the ingress needs of a webhook and its strategy. */
export interface IngressWebhook {
  id: string;
  strategyId: string;
  ownerId: string;
  hmacSecret: string | null;
  allowedIps: string[];
  mode: WebhookMode;
  pyramiding: boolean;
  maxEntries: number;
  maxLagSeconds: number;
  dedupeSeconds: number;
  entryStart: string | null;
  entryEnd: string | null;
  enabled: boolean;
  position: SignalPosition;
  entries: number;
  strategy: {
    id: string;
    ownerId: string;
    name: string;
    definition: Prisma.JsonValue;
    accountIds: string[];
    accountTags: string[];
    archived: boolean;
  };
}

// Plain SQL through the shared pool: this read is on every alert's ack (lib/db/client.ts sqlPool).
const INGRESS_SELECT = `
  SELECT w.id, w.strategy_id AS "strategyId", w.owner_id AS "ownerId", w.hmac_secret AS "hmacSecret",
         w.allowed_ips AS "allowedIps", w.mode, w.pyramiding, w.max_entries AS "maxEntries",
         w.max_lag_seconds AS "maxLagSeconds", w.dedupe_seconds AS "dedupeSeconds", w.entry_start AS "entryStart",
         w.entry_end AS "entryEnd", w.enabled, w.position, w.entries,
         json_build_object('id', s.id, 'ownerId', s.owner_id, 'name', s.name, 'definition', s.definition,
                           'accountIds', s.account_ids, 'accountTags', s.account_tags, 'archived', s.archived) AS strategy
    FROM strategy_webhooks w JOIN strategies s ON s.id = w.strategy_id`;

// Lookups by token hash go in group commits: one SELECT for every alert that arrived while the last one ran.
const byTokenHash = new GroupCommit<string, IngressWebhook | null>(async (hashes) => {
  const r = await sqlPool().query<IngressWebhook & { tokenHash: string }>(
    `${INGRESS_SELECT.replace("SELECT ", `SELECT w.token_hash AS "tokenHash", `)}
      WHERE w.token_hash = ANY($1::text[]) AND w.revoked_at IS NULL`,
    [hashes],
  );
  const found = new Map(r.rows.map(({ tokenHash, ...hook }) => [tokenHash, hook]));
  return hashes.map((h) => found.get(h) ?? null);
});

/** A working webhook and its strategy by the hash of its URL token (one indexed read, grouped under load), or null. */
export function findWebhookByTokenHash(tokenHash: string): Promise<IngressWebhook | null> {
  return byTokenHash.submit(tokenHash);
}

/** The webhook of a strategy (any state), with its strategy, by strategy id; the caller has scoped the strategy. */
export async function findWebhookOfStrategy(strategyId: string): Promise<IngressWebhook | null> {
  const r = await sqlPool().query<IngressWebhook>(`${INGRESS_SELECT} WHERE w.strategy_id = $1`, [strategyId]);
  return r.rows[0] ?? null;
}

/** The signal state, read under the strategy's signal lock (lib/services/webhooks/ingest.ts). */
export async function readSignalState(q: SqlTx, webhookId: string): Promise<SignalState> {
  const r = await q.query<SignalState>(`SELECT position, entries FROM strategy_webhooks WHERE id = $1`, [webhookId]);
  return r.rows[0];
}

/** Writes the signal state an accepted alert decided (bumping updatedAt, which the state sweep compares). */
export async function writeSignalState(q: SqlTx, webhookId: string, state: SignalState): Promise<void> {
  await q.query(`UPDATE strategy_webhooks SET position = $2, entries = $3, updated_at = now() WHERE id = $1`, [
    webhookId,
    state.position,
    state.entries,
  ]);
}

export function findWebhookById(id: string) {
  return db().strategyWebhook.findUnique({ where: { id } });
}

/** Every webhook that can receive alerts, with what the signal-state sweep needs (lib/services/webhooks/signal-state.ts). */
export function listReconcilableWebhooks() {
  return db().strategyWebhook.findMany({
    where: { tokenHash: { not: null }, revokedAt: null, strategy: { archived: false } },
    select: {
      id: true,
      strategyId: true,
      ownerId: true,
      position: true,
      entries: true,
      updatedAt: true,
      strategy: { select: { definition: true } },
    },
  });
}

/** Writes the signal state only if no alert changed the row since `readAt` (its updatedAt then); whether it wrote. */
export async function writeSignalStateIfUnchanged(
  tx: Tx,
  webhookId: string,
  readAt: Date,
  state: { position: SignalPosition; entries: number },
): Promise<boolean> {
  const r = await tx.strategyWebhook.updateMany({ where: { id: webhookId, updatedAt: readAt }, data: state });
  return r.count === 1;
}

/**
 * Whether anything of the strategy is still on its way (the stored signal state is then trusted): an accepted alert
 * the workers have not handed on, a run still sending, or an exit still working. One round trip.
 */
export async function strategyInFlight(tx: Tx, strategyId: string): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<{ busy: boolean }[]>(
    `SELECT (EXISTS (SELECT 1 FROM signals WHERE strategy_id = $1::uuid AND verdict = 'ACCEPTED' AND processed_at IS NULL)
          OR EXISTS (SELECT 1 FROM strategy_runs WHERE strategy_id = $1::uuid AND status = 'RUNNING')
          OR EXISTS (SELECT 1 FROM exits WHERE strategy_id = $1::uuid AND status = 'PENDING')
          OR EXISTS (SELECT 1 FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
                      WHERE r.strategy_id = $1::uuid AND r.kind <> 'EXIT' AND i.state::text = ANY($2::text[]))) AS busy`,
    strategyId,
    NOT_FINAL,
  );
  return rows[0]?.busy ?? false;
}

/**
 * Open filled quantity per traded contract of the strategy's own entry legs: for each leg index, the net filled units
 * of the strategy's entry runs (not its exits, nor its broker-side stops, whose legs are numbered per stop run) minus
 * what exits attributed back. Used to re-derive the signal state; see lib/services/webhooks/signal-state.ts.
 */
export async function strategyLegSymbols(strategyId: string) {
  return db().$queryRawUnsafe<{ symbol: string; exchange: string; legIndex: number }[]>(
    `SELECT DISTINCT i.symbol, i.exchange, i.leg_index AS "legIndex"
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE r.strategy_id = $1::uuid AND r.kind NOT IN ('EXIT', 'STOP_ORDERS') AND i.filled_quantity > 0`,
    strategyId,
  );
}
