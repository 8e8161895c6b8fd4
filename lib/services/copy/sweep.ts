/**
 * The copy queue's periodic jobs (docs/copy-trading.md "Detection"): the tick (every COPY_POLL_MS) keeps the master
 * streams right and asks every group for a poll scan; the sweep hands on events a dead worker left PENDING and
 * raises an alert when a child's copy was rejected.
 */
import { listCopyGroupMasters } from "@/lib/db/queries/copy-engine";
import { listGroupsWithStalePending } from "@/lib/db/queries/copy-events";
import { listCopyRejections } from "@/lib/db/queries/copy-alerts";
import { raiseAlert } from "@/lib/db/queries/alerts";
import { inTransaction } from "@/lib/db/transaction";
import { log } from "@/lib/log";
import { scanGroup } from "./engine";
import { syncMasterStreams } from "./master-streams";

/** Events PENDING this long were left by a worker that died between recording and handing on, ms. */
const STALE_PENDING_MS = 3_000;

const scanLogged = (groupId: string, source: "stream" | "poll") =>
  void scanGroup(groupId, source).catch((err) => log().warn({ err, groupId, source }, "copy scan failed"));

/** The poll backstop: every group scanned; this process's master streams follow the groups. */
export async function copyTick(): Promise<{ groups: number }> {
  const groups = await listCopyGroupMasters();
  const byMaster = new Map<string, string[]>();
  for (const g of groups) byMaster.set(g.masterAccountId, [...(byMaster.get(g.masterAccountId) ?? []), g.id]);
  await syncMasterStreams(byMaster, (groupId) => scanLogged(groupId, "stream"));
  await Promise.all(
    groups.map((g) => scanGroup(g.id, "poll").catch((err) => log().warn({ err, groupId: g.id }, "copy scan failed"))),
  );
  return { groups: groups.length };
}

/** Hands on stale PENDING events and alerts on rejected child copies. */
export async function copySweep(): Promise<{ handed: number; alerts: number }> {
  const stale = await listGroupsWithStalePending(new Date(Date.now() - STALE_PENDING_MS));
  await Promise.all(
    stale.map((id) => scanGroup(id, "poll").catch((err) => log().warn({ err, groupId: id }, "copy sweep scan failed"))),
  );
  const rejections = await listCopyRejections(new Date(Date.now() - 24 * 3_600_000));
  for (const r of rejections)
    await inTransaction((tx) =>
      raiseAlert(tx, {
        ownerId: r.ownerId,
        accountId: r.accountId,
        kind: "copy_rejected",
        severity: "WARNING",
        message: `A copy into ${r.accountName} was rejected: ${r.reason ?? "no reason given"} (${r.symbol})`,
        cause: r.reason,
      }),
    );
  return { handed: stale.length, alerts: rejections.length };
}
