/**
 * The masters' order-update streams (docs/copy-trading.md "Detection"): EVERY worker process holds one subscription
 * per master account of any group (a push reaches whichever processes are up), kept right by the process's own timer
 * and closed at shutdown. A push asks every group of that master for a scan at once, in process (no queue hop); the
 * poll stays the backstop for anything a stream misses. The subscriptions themselves: broker-access.
 */
import { listCopyGroupMasters } from "@/lib/db/queries/copy-engine";
import { log } from "@/lib/log";
import { orderStreamSet } from "@/lib/services/broker-access";
import { scanGroup } from "./engine";

/** How often each process brings its master streams in line with the groups, ms. */
export const MASTER_STREAMS_SYNC_MS = 2_000;

/** Master account → its groups, as last synced. */
let groupsOf = new Map<string, readonly string[]>();

const streams = orderStreamSet("copy master", (accountId) => {
  for (const groupId of groupsOf.get(accountId) ?? [])
    void scanGroup(groupId, "stream").catch((err) => log().warn({ err, groupId }, "copy scan failed"));
});

/** Makes this process's master streams exactly those of the stored groups (paused groups too: they record). */
export async function syncMasterStreams(): Promise<void> {
  const wanted = new Map<string, string[]>();
  for (const g of await listCopyGroupMasters())
    wanted.set(g.masterAccountId, [...(wanted.get(g.masterAccountId) ?? []), g.id]);
  groupsOf = wanted;
  await Promise.all(
    streams
      .accounts()
      .filter((a) => !wanted.has(a))
      .map((a) => streams.close(a)),
  );
  for (const accountId of wanted.keys()) streams.ensure(accountId);
}

let timer: NodeJS.Timeout | null = null;

/** Starts this process's master streams and their timer (worker start); `stopMasterStreams` ends both. */
export async function startMasterStreams(): Promise<void> {
  if (timer) return;
  const sync = () => syncMasterStreams().catch((err) => log().warn({ err }, "master streams not synced"));
  timer = setInterval(() => void sync(), MASTER_STREAMS_SYNC_MS);
  timer.unref();
  await sync();
}

/** Stops the timer and closes every master stream of this process (worker shutdown). */
export async function stopMasterStreams(): Promise<void> {
  if (timer) clearInterval(timer);
  timer = null;
  groupsOf = new Map();
  await streams.closeAll();
}

/** Whether this process's stream of the master is open (waits for one being opened). */
export const masterStreamOpen = (accountId: string): Promise<boolean> => streams.isOpen(accountId);
