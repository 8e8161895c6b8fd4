/**
 * The copy queue's periodic jobs (docs/copy-trading.md "Detection"): the tick (every COPY_POLL_MS) asks every group
 * for a poll scan; the sweep hands on events a dead worker left PENDING and raises the copy alerts (./alerts).
 */
import { listCopyGroupMasters } from "@/lib/db/queries/copy-engine";
import { listGroupsWithStalePending } from "@/lib/db/queries/copy-events";
import { log } from "@/lib/log";
import { alertDrift, alertRejections, pauseRejectedChildren } from "./alerts";
import { scanGroup } from "./engine";

/** Events PENDING this long were left by a worker that died between recording and handing on, ms. */
const STALE_PENDING_MS = 3_000;

/** The poll backstop: every group scanned (each process keeps its own master streams: ./master-streams). */
export async function copyTick(): Promise<{ groups: number }> {
  const groups = await listCopyGroupMasters();
  await Promise.all(
    groups.map((g) => scanGroup(g.id, "poll").catch((err) => log().warn({ err, groupId: g.id }, "copy scan failed"))),
  );
  return { groups: groups.length };
}

/** Hands on stale PENDING events; alerts on rejected copies and drift; pauses children rejected in a row. */
export async function copySweep(): Promise<{ handed: number; rejected: number; paused: number; drifting: number }> {
  const now = new Date();
  const stale = await listGroupsWithStalePending(new Date(now.getTime() - STALE_PENDING_MS));
  await Promise.all(
    stale.map((id) => scanGroup(id, "poll").catch((err) => log().warn({ err, groupId: id }, "copy sweep scan failed"))),
  );
  const rejected = await alertRejections(now);
  const paused = await pauseRejectedChildren();
  const { drifting } = await alertDrift(now);
  return { handed: stale.length, rejected, paused, drifting };
}
