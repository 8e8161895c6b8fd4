import { inTransaction } from "@/lib/db/transaction";
import { limiter } from "@/lib/util/in-batches";
import {
  listAccountSecrets,
  listActiveAccountHealth,
  loadAccountSecret,
  recordSteadyPings,
  type SteadyPing,
  updateAccountRow,
} from "@/lib/db/queries/accounts";
import { openAlertsOfKind, raiseAlert, resolveAlertIds, resolveAlerts } from "@/lib/db/queries/alerts";
import { insertAudit } from "@/lib/db/queries/audit";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { publishUserEvent, type UserEvent } from "@/lib/realtime/user-events";
import { adapterFor } from "@/lib/services/broker-access";
import { feedKindOf, feedLabel, sourceCandidates } from "@/lib/services/market-data";
import { enqueueNotification, type NotificationEventInput } from "@/lib/queues/notifications";
import { classifyRejection, REJECTION_CAUSES } from "@/lib/trading/rejection-cause";

const FAILOVER = "primary_failover";

/** Consecutive failed pings that mark an account FAILED (one or two are DEGRADED: a blip is not an outage). */
export const FAILURES_TO_FAIL = 3;

type Checked = Awaited<ReturnType<typeof listAccountSecrets>>[number];

/** Tells the owner's live streams (docs/live-streams.md "The user stream"); the database stays the record. */
async function tell(ownerId: string, events: UserEvent[]): Promise<void> {
  for (const e of events)
    await publishUserEvent(ownerId, e).catch((err) => log().warn({ err, ownerId }, "account event not published"));
}

/**
 * One health round (run every 30 s by the worker): ping every active account in parallel, record the outcome,
 * raise or clear alerts, and keep each owner's market-data failover notice in step with the primary's health.
 */
export async function checkAllAccounts(now: Date): Promise<{ checked: number; failed: number; failovers: number }> {
  const [accounts, down] = await Promise.all([
    listAccountSecrets({ ownerId: null }, { active: true }),
    openAlertsOfKind("account_down"),
  ]);
  // A connected account that answers again, with no outage to resolve, only has its times written: all such
  // accounts in one statement instead of a transaction each.
  const alerted = new Set(down.map((a) => a.accountId));
  const steady: SteadyPing[] = [];
  const outcomes = await Promise.all(
    accounts.map((a) => checkAccount(a, now, a.status === "CONNECTED" && !alerted.has(a.id) ? steady : null)),
  );
  await recordSteadyPings(steady, now);
  const failovers = await syncFailoverAlerts(now);
  return { checked: accounts.length, failed: outcomes.filter((o) => o === "FAILED").length, failovers };
}

/**
 * Checks one account now, as a health round would (state, alerts, events): after a broker login, so the account
 * shows connected at once instead of at the next round. Unknown ids are ignored.
 */
export async function recheckAccount(accountId: string, now: Date): Promise<void> {
  const account = await loadAccountSecret(accountId);
  if (account) await checkAccount(account, now, null);
}

/**
 * A change of an account's state is a transaction of its own; at most this many at once per process, so a round
 * where hundreds of accounts change together (the first round after a start) queues them here instead of each
 * holding, or timing out waiting for, one of the pool's few connections.
 */
const stateWrites = limiter(4);

async function checkAccount(account: Checked, now: Date, steady: SteadyPing[] | null) {
  try {
    const ping = await adapterFor(account).ping();
    if (steady) {
      steady.push({ id: account.id, broker: ping.broker, mode: ping.mode });
      return "CONNECTED" as const;
    }
    await stateWrites(() =>
      inTransaction(async (tx) => {
        await updateAccountRow(tx, account.id, {
          status: "CONNECTED",
          consecutiveFailures: 0,
          lastOkAt: now,
          lastCheckedAt: now,
          lastError: null,
          brokerName: ping.broker,
          brokerMode: ping.mode,
        });
        const { count } = await resolveAlerts(tx, { accountId: account.id, kind: "account_down" }, now);
        if (count)
          await insertAudit(
            { action: "account.recovered", entity: "account", entityId: account.id, details: { name: account.name } },
            tx,
          );
        return count;
      }),
    ).then(async (resolved) => {
      const at = now.toISOString();
      const events: UserEvent[] = [];
      if (account.status !== "CONNECTED")
        events.push({ type: "account", accountId: account.id, change: "status", status: "CONNECTED", at });
      if (resolved) events.push({ type: "alert", alertId: null, accountId: account.id, change: "resolved", at });
      await tell(account.ownerId, events);
      if (resolved)
        await enqueueNotification(accountNotice(account, "recovered", `${account.name} answers again.`, now));
    });
    return "CONNECTED" as const;
  } catch (e) {
    if (!(e instanceof AppError)) log().error({ err: e, accountId: account.id }, "health check crashed");
    const message = e instanceof Error ? e.message : String(e);
    const failures = account.consecutiveFailures + 1;
    const status = failures >= FAILURES_TO_FAIL ? "FAILED" : "DEGRADED";
    await stateWrites(() =>
      inTransaction(async (tx) => {
        await updateAccountRow(tx, account.id, {
          status,
          consecutiveFailures: failures,
          lastCheckedAt: now,
          lastError: message,
        });
        if (status === "FAILED") {
          await raiseAlert(tx, {
            ownerId: account.ownerId,
            accountId: account.id,
            kind: "account_down",
            cause: classifyRejection(message),
            severity: "CRITICAL",
            message: `${account.name} failed ${failures} health checks in a row: ${message}`,
          });
        }
      }),
    );
    if (account.status !== status) {
      const at = now.toISOString();
      const events: UserEvent[] = [{ type: "account", accountId: account.id, change: "status", status, at }];
      if (status === "FAILED")
        events.push({ type: "alert", alertId: null, accountId: account.id, change: "raised", at });
      await tell(account.ownerId, events);
      if (status === "FAILED") await enqueueNotification(accountNotice(account, "down", message, now));
    }
    log().warn({ accountId: account.id, failures, status, error: message }, "account health check failed");
    return status;
  }
}

/** An account disconnect or recovery for its owner; a round's changes of one owner fold into one message. */
function accountNotice(account: Checked, change: "down" | "recovered", why: string, now: Date): NotificationEventInput {
  const cause = REJECTION_CAUSES[classifyRejection(why)].title;
  return {
    ownerId: account.ownerId,
    kind: "ACCOUNT",
    title: change === "down" ? `${account.name} disconnected (${cause})` : `${account.name} reconnected`,
    body: change === "down" ? `${FAILURES_TO_FAIL} health checks failed in a row: ${why.slice(0, 500)}` : why,
    batchKey: `account:${change}`,
    severity: change === "down" ? "CRITICAL" : "INFO",
    accountId: account.id,
    at: now.toISOString(),
  };
}

type HealthRow = {
  id: string;
  ownerId: string;
  name: string;
  isPrimary: boolean;
  status: string;
  kind: string;
  hostUrl: string;
  brokerName: string | null;
};

/**
 * The market-data notice an owner should see: while the primary is FAILED, which account of the same feed kind
 * (real or simulated) supplies prices instead (or that none can); nothing while the primary is healthy.
 */
export function failoverNotice(
  accounts: readonly HealthRow[],
): { accountId: string; message: string; severity: "WARNING" | "CRITICAL" } | null {
  const primary = accounts.find((a) => a.isPrimary);
  if (!primary || primary.status !== "FAILED") return null;
  const kind = feedKindOf(primary);
  const next = sourceCandidates(accounts, kind)[0];
  if (!next) {
    return {
      accountId: primary.id,
      severity: "CRITICAL",
      message: `No market data: the primary account ${primary.name} failed and no other healthy ${feedLabel(kind)} account can supply prices.`,
    };
  }
  return {
    accountId: next.id,
    severity: "WARNING",
    message: `Market data now comes from ${next.name}: the primary account ${primary.name} failed.`,
  };
}

/**
 * Per owner: raise the failover notice while the primary is FAILED, move it when the stand-in changes, and resolve it
 * once the primary is healthy again. The primary itself never moves: prices come from it again as soon as it
 * recovers (lib/services/market-data/source.ts picks the source per request).
 */
async function syncFailoverAlerts(now: Date): Promise<number> {
  const accounts = await listActiveAccountHealth();
  const byOwner = new Map<string, HealthRow[]>();
  for (const a of accounts) byOwner.set(a.ownerId, [...(byOwner.get(a.ownerId) ?? []), a]);
  const open = await openAlertsOfKind(FAILOVER);
  const owners = new Set([...byOwner.keys(), ...open.map((a) => a.ownerId)]);
  let failovers = 0;
  for (const ownerId of owners) {
    const list = byOwner.get(ownerId) ?? [];
    const notice = failoverNotice(list);
    const mine = open.filter((a) => a.ownerId === ownerId);
    const stale = mine.filter((a) => !notice || a.accountId !== notice.accountId || a.message !== notice.message);
    if (stale.length === 0 && (!notice || mine.length > 0)) continue;
    const primary = list.find((a) => a.isPrimary);
    await inTransaction(async (tx) => {
      if (stale.length)
        await resolveAlertIds(
          tx,
          stale.map((a) => a.id),
          now,
        );
      if (notice) {
        await raiseAlert(tx, {
          ownerId,
          accountId: notice.accountId,
          kind: FAILOVER,
          severity: notice.severity,
          message: notice.message,
        });
        await insertAudit(
          {
            action: "account.primary_failover",
            entity: "account",
            entityId: notice.accountId,
            details: { from: primary?.id ?? null, to: notice.accountId },
          },
          tx,
        );
      } else {
        await insertAudit(
          {
            action: "account.primary_restored",
            entity: "account",
            entityId: primary?.id ?? stale[0].accountId ?? ownerId,
            details: { primary: primary?.id ?? null },
          },
          tx,
        );
      }
    });
    await tell(ownerId, [
      ...stale.map((a): UserEvent => ({
        type: "alert",
        alertId: a.id,
        accountId: a.accountId,
        change: "resolved",
        at: now.toISOString(),
      })),
      ...(notice
        ? [
            {
              type: "alert",
              alertId: null,
              accountId: notice.accountId,
              change: "raised",
              at: now.toISOString(),
            } satisfies UserEvent,
          ]
        : []),
    ]);
    if (notice) {
      log().warn({ ownerId, from: primary?.id, to: notice.accountId }, "market data failed over");
      failovers += 1;
    } else {
      log().info({ ownerId, primary: primary?.id }, "market data back on the primary");
    }
  }
  return failovers;
}
