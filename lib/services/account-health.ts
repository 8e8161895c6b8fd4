import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { raiseAlert, resolveAlerts } from "@/lib/db/queries/alerts";
import { insertAudit } from "@/lib/db/queries/audit";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/services/broker-access";

/** Consecutive failed pings that mark an account FAILED (one or two are DEGRADED: a blip is not an outage). */
export const FAILURES_TO_FAIL = 3;

type Checked = Awaited<ReturnType<typeof listAccountSecrets>>[number];

/**
 * One health round (run every 30 s by the worker): ping every active account in parallel, record the outcome,
 * raise or clear alerts, and move each owner's market-data source off a failed primary.
 */
export async function checkAllAccounts(now: Date): Promise<{ checked: number; failed: number; failovers: number }> {
  const accounts = await listAccountSecrets({ ownerId: null }, { active: true });
  const outcomes = await Promise.all(accounts.map((a) => checkAccount(a, now)));
  const failovers = await rebalancePrimaries();
  return { checked: accounts.length, failed: outcomes.filter((o) => o === "FAILED").length, failovers };
}

async function checkAccount(account: Checked, now: Date) {
  try {
    const ping = await adapterFor(account).ping();
    await db().$transaction(async (tx) => {
      await tx.tradingAccount.update({
        where: { id: account.id },
        data: { status: "CONNECTED", consecutiveFailures: 0, lastOkAt: now, lastCheckedAt: now, lastError: null, brokerName: ping.broker, brokerMode: ping.mode },
      });
      const { count } = await resolveAlerts(tx, { accountId: account.id, kind: "account_down" }, now);
      if (count) await insertAudit({ action: "account.recovered", entity: "account", entityId: account.id, details: { name: account.name } }, tx);
    });
    return "CONNECTED" as const;
  } catch (e) {
    if (!(e instanceof AppError)) log().error({ err: e, accountId: account.id }, "health check crashed");
    const message = e instanceof Error ? e.message : String(e);
    const failures = account.consecutiveFailures + 1;
    const status = failures >= FAILURES_TO_FAIL ? "FAILED" : "DEGRADED";
    await db().$transaction(async (tx) => {
      await tx.tradingAccount.update({ where: { id: account.id }, data: { status, consecutiveFailures: failures, lastCheckedAt: now, lastError: message } });
      if (status === "FAILED") {
        await raiseAlert(tx, {
          ownerId: account.ownerId,
          accountId: account.id,
          kind: "account_down",
          severity: "CRITICAL",
          message: `${account.name} failed ${failures} health checks in a row: ${message}`,
        });
      }
    });
    log().warn({ accountId: account.id, failures, status, error: message }, "account health check failed");
    return status;
  }
}

/** Per owner: if the primary is FAILED (or missing), the first healthy active account becomes the primary. */
async function rebalancePrimaries(): Promise<number> {
  const accounts = await db().tradingAccount.findMany({
    where: { active: true },
    select: { id: true, ownerId: true, name: true, isPrimary: true, status: true },
    orderBy: { name: "asc" },
  });
  const byOwner = new Map<string, typeof accounts>();
  for (const a of accounts) byOwner.set(a.ownerId, [...(byOwner.get(a.ownerId) ?? []), a]);
  let failovers = 0;
  for (const [ownerId, list] of byOwner) {
    const primary = list.find((a) => a.isPrimary);
    if (primary && primary.status !== "FAILED") continue;
    const next = list.find((a) => a.status === "CONNECTED" && a.id !== primary?.id);
    if (!next) continue;
    await db().$transaction(async (tx) => {
      await tx.tradingAccount.updateMany({ where: { ownerId, isPrimary: true }, data: { isPrimary: false } });
      await tx.tradingAccount.update({ where: { id: next.id }, data: { isPrimary: true } });
      const message = primary
        ? `Market data now comes from ${next.name}: the primary account ${primary.name} failed.`
        : `Market data now comes from ${next.name}.`;
      await raiseAlert(tx, { ownerId, accountId: next.id, kind: "primary_failover", severity: "WARNING", message });
      await insertAudit({ action: "account.primary_failover", entity: "account", entityId: next.id, details: { from: primary?.id ?? null, to: next.id } }, tx);
    });
    log().warn({ ownerId, from: primary?.id, to: next.id }, "primary account failover");
    failovers += 1;
  }
  return failovers;
}
