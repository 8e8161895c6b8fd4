/**
 * The masters' order-update streams (docs/copy-trading.md "Detection"): in each worker process, one subscription per
 * master account of any group; a push asks every group of that master for a scan at once, in process (no queue hop).
 * The tick keeps the set right as groups come and go; the poll stays the backstop for anything a stream misses.
 * Same lifecycle as the fill tracker's streams (lib/services/fills/streams.ts), with listeners per master.
 */
import type { Subscription } from "@/lib/brokers/types";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/services/broker-access";

const RETRY_MS = 10_000;
const streams = new Map<string, { groups: Set<string>; sub: Promise<Subscription | null> }>();
const retryAt = new Map<string, number>();

/**
 * Makes this process's master streams exactly `wanted` (master account → its groups); `onPush(groupId)` is called
 * for every group of a master whose stream pushes an update.
 */
export async function syncMasterStreams(
  wanted: ReadonlyMap<string, readonly string[]>,
  onPush: (groupId: string) => void,
): Promise<void> {
  for (const accountId of [...streams.keys()]) if (!wanted.has(accountId)) await closeMasterStream(accountId);
  for (const [accountId, groups] of wanted) {
    const open = streams.get(accountId);
    if (open) {
      open.groups = new Set(groups);
      continue;
    }
    if ((retryAt.get(accountId) ?? 0) > Date.now()) continue;
    const entry = { groups: new Set(groups), sub: Promise.resolve<Subscription | null>(null) };
    const failed = (err: unknown) => {
      if (streams.get(accountId) === entry) streams.delete(accountId);
      retryAt.set(accountId, Date.now() + RETRY_MS);
      log().warn({ accountId, err }, "master order stream unavailable; the poll continues");
    };
    entry.sub = (async () => {
      const account = await loadAccountSecret(accountId);
      const adapter = account ? adapterFor(account) : null;
      if (!adapter?.subscribeOrderUpdates || !account?.wsUrl) {
        failed(new Error("no order stream"));
        return null;
      }
      return adapter.subscribeOrderUpdates(() => {
        for (const g of entry.groups) onPush(g);
      }, failed);
    })().catch((err) => {
      failed(err);
      return null;
    });
    streams.set(accountId, entry);
  }
}

async function closeMasterStream(accountId: string): Promise<void> {
  const entry = streams.get(accountId);
  streams.delete(accountId);
  await (await entry?.sub)?.close().catch(() => undefined);
}

/** Closes every master stream of this process (worker shutdown). */
export async function closeMasterStreams(): Promise<void> {
  await Promise.all([...streams.keys()].map((a) => closeMasterStream(a)));
}

/** Whether this process's stream of the master is open (waits for one being opened). */
export async function masterStreamOpen(accountId: string): Promise<boolean> {
  const entry = streams.get(accountId);
  return entry !== undefined && (await entry.sub) !== null && streams.get(accountId) === entry;
}
