/**
 * The copy engine's alerts and automatic pauses (docs/copy-trading.md "Alerts and automatic pauses"), run by the
 * sweep: `copy_rejected` once per rejected child copy, `copy_child_paused` when a child is paused after
 * REJECTIONS_TO_PAUSE rejected copies in a row, and `copy_drift` while a child whose orders settled is off its share
 * (resolved at parity). `copy_limit` is raised where a limit cuts an order (./record).
 */
import { insertAudit } from "@/lib/db/queries/audit";
import { resolveAlerts } from "@/lib/db/queries/alerts";
import {
  listChildrenRejectedInARow,
  listCopyRejections,
  pauseCopyChild,
  REJECTIONS_TO_PAUSE,
} from "@/lib/db/queries/copy-alerts";
import { findScanGroup, listCopyGroupMasters } from "@/lib/db/queries/copy-engine";
import { copyActivityMark, copyRunInFlight, hasPendingEvents } from "@/lib/db/queries/copy-events";
import { inTransaction } from "@/lib/db/transaction";
import { log } from "@/lib/log";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { redis } from "@/lib/redis";
import { offShare } from "@/lib/trading/copy/drift";
import { classifyRejection } from "@/lib/trading/rejection-cause";
import { driftRows } from "./drift";
import { raiseCopyAlert, type CopyAlert } from "./raise-alert";

export const PAUSED_AFTER_REJECTIONS = `paused after ${REJECTIONS_TO_PAUSE} rejected copies`;

/** Where the last sweep's look for rejections ended (epoch ms), shared by every worker. */
const REJECTIONS_SEEN_KEY = "copy:alerts:rejections-seen";
/** Each look starts this much before the last one ended: a rejection written just before it may commit after, ms. */
const REJECTIONS_OVERLAP_MS = 2_000;
const FIRST_LOOK_BACK_MS = 3_600_000;

/** Alerts once on each child copy rejected since the previous look (any worker's). */
export async function alertRejections(now: Date): Promise<number> {
  const prev = await redis().set(REJECTIONS_SEEN_KEY, String(now.getTime()), "GET");
  const since = new Date(prev ? Number(prev) - REJECTIONS_OVERLAP_MS : now.getTime() - FIRST_LOOK_BACK_MS);
  const rejections = await listCopyRejections(since, now);
  for (const r of rejections)
    await raiseCopyAlert({
      ownerId: r.ownerId,
      accountId: r.accountId,
      kind: "copy_rejected",
      cause: classifyRejection(r.reason),
      severity: "WARNING",
      message: `A copy into ${r.accountName} was rejected: ${r.reason ?? "no reason given"} (${r.symbol})`,
    });
  return rejections.length;
}

/** Pauses every child whose last REJECTIONS_TO_PAUSE copies were all rejected, with an alert and an audit row. */
export async function pauseRejectedChildren(): Promise<number> {
  let paused = 0;
  for (const c of await listChildrenRejectedInARow()) {
    let done = false;
    await raiseCopyAlert(
      {
        ownerId: c.ownerId,
        accountId: c.accountId,
        kind: "copy_child_paused",
        cause: classifyRejection(c.reason),
        severity: "CRITICAL",
        message: `${c.accountName} stopped copying "${c.groupName}": ${PAUSED_AFTER_REJECTIONS} (last: ${c.reason ?? "no reason given"}). Resume it once the account can trade.`,
      },
      async (tx) => {
        done = await pauseCopyChild(tx, c.groupId, c.accountId, PAUSED_AFTER_REJECTIONS);
        if (!done) throw new SkipAlert();
        await insertAudit(
          {
            actorId: null,
            action: "copy.child.pause",
            entity: "copy_child",
            entityId: `${c.groupId}:${c.accountId}`,
            details: { reason: PAUSED_AFTER_REJECTIONS, automatic: true },
            ip: null,
          },
          tx,
        );
      },
    ).catch((err) => {
      if (!(err instanceof SkipAlert)) throw err;
    });
    if (done) paused += 1;
  }
  return paused;
}

/** Rolls back an alert's transaction when its condition no longer holds (another worker paused the child first). */
class SkipAlert extends Error {}

/**
 * `copy_drift` per child account: raised while, in an enabled group with nothing pending or being sent, the child
 * (enabled, orders settled) is off its share beyond what its rules explain; resolved when no group finds it off.
 */
export async function alertDrift(now: Date): Promise<{ drifting: number; resolved: number }> {
  const off = new Map<string, CopyAlert>();
  const checked = new Map<string, string>();
  const unsure = new Set<string>();
  for (const { id } of await listCopyGroupMasters()) {
    const group = await findScanGroup(id);
    if (!group) continue;
    const children = group.children.filter((c) => c.enabled && group.enabled);
    // The drift rows take several statements: a recording or a hand-on committed between them (the master's fill
    // counted, its children's orders not yet read) would look like drift. Only a moment with nothing moving counts.
    const busy = async () => (await hasPendingEvents(group.id)) || (await copyRunInFlight(group.id));
    const mark = await copyActivityMark(group.id);
    if (await busy()) {
      for (const c of children) unsure.add(c.accountId);
      continue;
    }
    const rows = children.length > 0 ? await driftRows(group) : [];
    if ((await busy()) || (await copyActivityMark(group.id)) !== mark) {
      for (const c of children) unsure.add(c.accountId);
      continue;
    }
    for (const rule of children) {
      checked.set(rule.accountId, group.ownerId);
      for (const row of rows) {
        const c = row.children.find((x) => x.accountId === rule.accountId);
        // ORDERS mode: while the master's copied orders work, the children fill at their own pace.
        if (!c || off.has(rule.accountId) || row.masterWorkingQty !== 0 || !offShare(c, rule, row.lotSize)) continue;
        off.set(rule.accountId, {
          ownerId: group.ownerId,
          accountId: rule.accountId,
          kind: "copy_drift",
          severity: "WARNING",
          message: `${rule.accountName} is off its copy share of ${row.symbol}: holds ${c.actualQty}, its share is ${c.expectedQty} units. Sync it from the group's drift board.`,
        });
      }
    }
  }
  for (const a of off.values()) await raiseCopyAlert(a);
  let resolved = 0;
  for (const [accountId, ownerId] of checked) {
    if (off.has(accountId) || unsure.has(accountId)) continue;
    const { count } = await inTransaction((tx) => resolveAlerts(tx, { accountId, kind: "copy_drift" }, now));
    if (count === 0) continue;
    resolved += count;
    await publishUserEvent(ownerId, {
      type: "alert",
      alertId: null,
      accountId,
      change: "resolved",
      at: now.toISOString(),
    }).catch((err) => log().warn({ err }, "copy alert event not published"));
  }
  return { drifting: off.size, resolved };
}
