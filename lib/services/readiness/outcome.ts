/**
 * What a finished check leaves behind (docs/readiness.md "Red"): the stored result, the account's `readiness_red`
 * alert raised or resolved, the board told live, and one notification per owner listing the accounts that are red.
 */
import { inTransaction } from "@/lib/db/transaction";
import { raiseAlert, resolveAlerts, updateOpenAlertMessage } from "@/lib/db/queries/alerts";
import { insertReadinessCheck } from "@/lib/db/queries/readiness";
import { log } from "@/lib/log";
import { enqueueNotification } from "@/lib/queues/notifications";
import { publishUserEvent, type UserEvent } from "@/lib/realtime/user-events";
import { redis } from "@/lib/redis";
import { overallReadiness, type ReadinessItem, type ReadinessLevel } from "@/lib/trading/readiness";
import type { CheckedAccount } from "./check-run";

export const READINESS_ALERT = "readiness_red";

/** `md:readiness:running:<account>` marks an account whose check is under way; it expires if the worker dies. */
const runningKey = (accountId: string) => `md:readiness:running:${accountId}`;
const RUNNING_TTL_MS = 5 * 60_000;

async function tell(ownerId: string, event: UserEvent): Promise<void> {
  await publishUserEvent(ownerId, event).catch((err) => log().warn({ err, ownerId }, "readiness event not published"));
}

/** Marks the accounts as being checked and tells their owners' boards: one event per owner, the board re-reads. */
export async function markRunning(accounts: readonly { id: string; ownerId: string }[], at: Date): Promise<void> {
  if (accounts.length === 0) return;
  const m = redis().multi();
  for (const a of accounts) m.set(runningKey(a.id), at.toISOString(), "PX", RUNNING_TTL_MS);
  await m.exec();
  const byOwner = new Map<string, string[]>();
  for (const a of accounts) byOwner.set(a.ownerId, [...(byOwner.get(a.ownerId) ?? []), a.id]);
  for (const [ownerId, ids] of byOwner)
    await tell(ownerId, {
      type: "readiness",
      accountId: ids.length === 1 ? ids[0] : null,
      status: "RUNNING",
      at: at.toISOString(),
    });
}

/** Clears the marks of accounts that will not be checked after all (deleted or deactivated since the request). */
export async function clearRunning(accountIds: readonly string[]): Promise<void> {
  if (accountIds.length) await redis().del(...accountIds.map(runningKey));
}

/** Which of `accountIds` have a check under way. */
export async function runningAccounts(accountIds: readonly string[]): Promise<Set<string>> {
  if (accountIds.length === 0) return new Set();
  const values = await redis().mget(...accountIds.map(runningKey));
  return new Set(accountIds.filter((_, i) => values[i] !== null));
}

export interface AccountResult {
  account: CheckedAccount;
  status: ReadinessLevel;
  items: ReadinessItem[];
}

/** `session, funds: <fix> <fix>`: the red checks, and what to do about them (checks failing for one cause share a fix). */
function redSummary(items: readonly ReadinessItem[]): string {
  const red = items.filter((i) => i.status === "RED");
  const fixes = [...new Set(red.map((i) => i.fix ?? i.detail))];
  return `${red.map((i) => i.check).join(", ")}: ${fixes.join(" ")}`;
}

/**
 * Stores one account's result with its alert in one transaction: a red account gets (or keeps, with today's reasons)
 * one open `readiness_red` alert; a check that is no longer red resolves it.
 */
export async function recordResult(
  account: CheckedAccount,
  items: ReadinessItem[],
  meta: { tradingDate: string; trigger: "schedule" | "manual"; checkedAt: Date },
): Promise<AccountResult> {
  const status = overallReadiness(items);
  const message = `${account.name} is not ready (${redSummary(items)})`;
  const alert = await inTransaction(async (tx) => {
    await insertReadinessCheck({ accountId: account.id, ownerId: account.ownerId, status, checks: items, ...meta }, tx);
    if (status !== "RED") {
      const { count } = await resolveAlerts(tx, { accountId: account.id, kind: READINESS_ALERT }, meta.checkedAt);
      return count ? ("resolved" as const) : null;
    }
    const open = await raiseAlert(tx, {
      ownerId: account.ownerId,
      accountId: account.id,
      kind: READINESS_ALERT,
      severity: "CRITICAL",
      message,
    });
    if (open.message !== message) await updateOpenAlertMessage(tx, open.id, message);
    return "raised" as const;
  });
  await redis().del(runningKey(account.id));
  const at = meta.checkedAt.toISOString();
  await tell(account.ownerId, { type: "readiness", accountId: account.id, status, at });
  if (alert) await tell(account.ownerId, { type: "alert", alertId: null, accountId: account.id, change: alert, at });
  return { account, status, items };
}

/**
 * One READINESS notification per owner with red accounts, naming each and its fixes. Events of one run share a batch
 * key (the day's scheduled run, or this manual run), so a repeated delivery folds into the same message.
 */
export async function notifyRed(results: readonly AccountResult[], batchKey: string, at: Date): Promise<number> {
  const byOwner = new Map<string, AccountResult[]>();
  for (const r of results)
    if (r.status === "RED") byOwner.set(r.account.ownerId, [...(byOwner.get(r.account.ownerId) ?? []), r]);
  for (const [ownerId, red] of byOwner) {
    const names = red.map((r) => r.account.name);
    await enqueueNotification({
      ownerId,
      kind: "READINESS",
      title: red.length === 1 ? `${names[0]} is not ready to trade` : `${red.length} accounts are not ready to trade`,
      body: red
        .map((r) => `${r.account.name} (${redSummary(r.items)})`)
        .join("\n")
        .slice(0, 4000),
      batchKey,
      severity: "CRITICAL",
      accountId: red.length === 1 ? red[0].account.id : null,
      at: at.toISOString(),
    });
  }
  return byOwner.size;
}
