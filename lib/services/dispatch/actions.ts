/**
 * The run view's actions: retry failed intents (through reconciliation, by the dispatch worker) and cancel the
 * run's open broker orders. Scoped to the run's owner (admins: every run); VIEWER may not act; both are audited.
 */
import { authorize } from "@/lib/auth/authorize";
import { type Actor, scopeOf } from "@/lib/auth/roles";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { insertAudit } from "@/lib/db/queries/audit";
import { listRunIntents, setRunStatus, type IntentRow } from "@/lib/db/queries/intents";
import { findRun } from "@/lib/db/queries/runs";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { publishRunEvent } from "@/lib/realtime/run-events";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { adapterFor } from "@/lib/services/broker-access";
import type { IntentEvent } from "@/lib/trading/intents";
import { applyIntentChanges, type IntentChange } from "./intents";
import { enqueueRetry } from "@/lib/queues/dispatch";
import { assertEntriesAllowed } from "@/lib/services/kill-switch";

async function ownedRun(actor: Actor, runId: string) {
  authorize(actor, "run.act");
  const run = await findRun(scopeOf(actor), runId);
  if (!run) throw new NotFoundError("Run");
  return run;
}

/**
 * Intents the dispatcher may take up again: `safe_to_resend` (sends used up, or never placed; they get more),
 * `unknown` (an ambiguous order book; reconciled again first) and `held` SELL slices of an account whose BUY phase
 * can still be completed (they are sent once every BUY slice is confirmed). `rejected`, `rejected_late` and `skipped`
 * are final in the intent state machine and are reported, not retried.
 */
const RETRYABLE: ReadonlySet<IntentRow["state"]> = new Set(["safe_to_resend", "unknown", "held"]);
const FINAL_FAILURES: ReadonlySet<IntentRow["state"]> = new Set(["rejected", "rejected_late", "skipped", "cancelled"]);

/** Held SELL slices of accounts with a BUY slice that failed for good stay held: that account cannot be hedged. */
function splitRetryable(intents: readonly IntentRow[]) {
  const unhedgeable = new Set(
    intents.filter((i) => i.phase === 1 && FINAL_FAILURES.has(i.state)).map((i) => i.accountId),
  );
  const blocked = (i: IntentRow) => i.state === "held" && unhedgeable.has(i.accountId);
  return {
    retryable: intents.filter((i) => RETRYABLE.has(i.state) && !blocked(i)),
    notRetryable: intents
      .filter((i) => (FINAL_FAILURES.has(i.state) && i.filledQuantity === 0) || blocked(i))
      .map((i) => ({
        intentId: i.id,
        state: i.state,
        reason: blocked(i) ? "held: a BUY slice of this account failed for good, so it cannot be hedged" : i.reason,
      })),
  };
}

export interface RetryResult {
  intents: number;
  accounts: number;
  /** Failed intents the state machine does not allow to be sent again. */
  notRetryable: { intentId: string; state: string; reason: string | null }[];
}

/** Retries the run's retryable intents; only those of `accountId` when given (the parity board's "Send missing"). */
export async function retryRunIntents(
  actor: Actor,
  runId: string,
  ip: string | null = null,
  accountId?: string,
): Promise<RetryResult> {
  const run = await ownedRun(actor, runId);
  // An exit retries itself, after re-reading positions (a blind resend could over-exit); an entry is refused while a
  // kill switch is engaged.
  if (run.kind === "EXIT")
    throw new ConflictError("Exit runs are retried by their exit, after it re-reads the broker's positions: see Exits");
  await assertEntriesAllowed(run.ownerId);
  const intents = accountId ? run.intents.filter((i) => i.accountId === accountId) : run.intents;
  const { retryable, notRetryable } = splitRetryable(intents);
  if (retryable.length === 0) {
    throw new ConflictError(
      `Nothing in this ${accountId ? "account of the run" : "run"} can be retried: no intent is unconfirmed, waiting to be resent or held (rejections are final)`,
    );
  }
  const accounts = [...new Set(retryable.map((i) => i.accountId))];
  const now = new Date();
  if (await setRunStatus(run.id, "RUNNING", null)) {
    const event = { type: "run" as const, runId: run.id, status: "RUNNING" as const, at: now.toISOString() };
    await publishRunEvent(event).catch(() => undefined);
    await publishUserEvent(run.ownerId, event).catch(() => undefined);
  }
  await enqueueRetry(
    accounts.map((accountId) => ({ runId: run.id, accountId })),
    now,
  );
  await insertAudit({
    actorId: actor.id,
    action: "run.retry",
    entity: "run",
    entityId: run.id,
    details: { intents: retryable.map((i) => i.id), accounts },
    ip,
  });
  return { intents: retryable.length, accounts: accounts.length, notRetryable };
}

/** Intents whose broker order may still be working. */
const OPEN: ReadonlySet<IntentRow["state"]> = new Set(["accepted", "reconciled_accepted", "partially_filled"]);

export interface CancelResult {
  cancelled: number;
  failed: { intentId: string; accountId: string; reason: string }[];
}

/** Cancels every open broker order of the run, all accounts in parallel (each within its own rate budget). */
export async function cancelRunOrders(actor: Actor, runId: string, ip: string | null = null): Promise<CancelResult> {
  const run = await ownedRun(actor, runId);
  const open = (await listRunIntents(run.id)).filter((i) => OPEN.has(i.state) && i.brokerOrderId);
  const { cancelled, failed } = await cancelIntentOrders(open, `cancelled from the run view by ${actor.id}`);
  await insertAudit({
    actorId: actor.id,
    action: "run.cancel",
    entity: "run",
    entityId: run.id,
    details: { cancelled, failed: failed.map((f) => ({ intentId: f.intentId, reason: f.reason })) },
    ip,
  });
  return { cancelled: cancelled.length, failed };
}

/**
 * Cancels the broker orders of `intents` (each with a broker order id), accounts in parallel and each account's
 * orders concurrently within its rate budget, and records a `cancel` event with `reason` for each the broker
 * cancelled. Returns the ids the broker cancelled and the refusals with the broker's text. The run view's cancel and
 * copy groups (a master order cancelled) both cancel through here. With `record: false` no event is written: the
 * caller has fill tracking record the cancellation from the books, together with anything filled just before it.
 */
export async function cancelIntentOrders(
  intents: readonly IntentRow[],
  reason: string,
  { record = true }: { record?: boolean } = {},
): Promise<{ cancelled: string[]; failed: CancelResult["failed"] }> {
  const byAccount = new Map<string, IntentRow[]>();
  for (const i of intents) byAccount.set(i.accountId, [...(byAccount.get(i.accountId) ?? []), i]);
  const failed: CancelResult["failed"] = [];
  const changes: IntentChange[] = [];
  await Promise.all(
    [...byAccount].map(async ([accountId, rows]) => {
      const account = await loadAccountSecret(accountId);
      if (!account) {
        for (const i of rows) failed.push({ intentId: i.id, accountId, reason: "account no longer exists" });
        return;
      }
      const adapter = adapterFor(account);
      await Promise.all(
        rows.map(async (row) => {
          try {
            await adapter.cancelOrder(row.brokerOrderId as string, row.id);
            const event: IntentEvent = { type: "cancel", at: Date.now(), reason };
            changes.push({ row, events: [event] });
          } catch (e) {
            failed.push({ intentId: row.id, accountId, reason: e instanceof Error ? e.message : String(e) });
          }
        }),
      );
    }),
  );
  // The count is what the broker cancelled: fill tracking may record a cancel (from the order stream) before this
  // write does, and then the compare-and-set below leaves that row as fill tracking wrote it.
  if (record) await applyIntentChanges(changes);
  return { cancelled: changes.map((c) => c.row.id), failed };
}
