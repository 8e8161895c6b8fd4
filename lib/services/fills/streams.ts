/**
 * Order-update streams: where the adapter streams order updates (OpenAlgo `subscribe_orders`), this process
 * subscribes for the accounts it polls and an update triggers an immediate poll. Polling stays the backstop
 * (updates sent while the stream was down are lost, the book is not).
 */
import type { Subscription } from "@/lib/brokers/types";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { log } from "@/lib/log";
import { enqueueFillPollNow } from "@/lib/queues/fills";
import { adapterFor } from "@/lib/services/broker-access";

const STREAM_RETRY_MS = 10_000;
const streams = new Map<string, Promise<Subscription | null>>();
const retryAt = new Map<string, number>();

/** Subscribes to the account's order updates once (in this process), where its adapter can stream them. */
export function ensureOrderStream(accountId: string): void {
  if (streams.has(accountId) || (retryAt.get(accountId) ?? 0) > Date.now()) return;
  const failed = (err: unknown) => {
    streams.delete(accountId);
    retryAt.set(accountId, Date.now() + STREAM_RETRY_MS);
    log().warn({ accountId, err }, "order update stream unavailable; polling continues");
  };
  const opening = (async (): Promise<Subscription | null> => {
    const account = await loadAccountSecret(accountId);
    const adapter = account ? adapterFor(account) : null;
    if (!adapter?.subscribeOrderUpdates || !account?.wsUrl) {
      retryAt.set(accountId, Date.now() + STREAM_RETRY_MS);
      streams.delete(accountId);
      return null;
    }
    return adapter.subscribeOrderUpdates(
      () =>
        void enqueueFillPollNow(accountId).catch((err) =>
          log().warn({ accountId, err }, "immediate fill poll not queued"),
        ),
      failed,
    );
  })().catch((err) => {
    failed(err);
    return null;
  });
  streams.set(accountId, opening);
}

export async function closeOrderStream(accountId: string): Promise<void> {
  const sub = streams.get(accountId);
  streams.delete(accountId);
  await (await sub)?.close().catch(() => undefined);
}

/** Closes every order-update stream of this process (worker shutdown). */
export async function closeOrderStreams(): Promise<void> {
  await Promise.all([...streams.keys()].map((a) => closeOrderStream(a)));
}

/** Whether the account's order-update stream is open (subscribed) in this process; waits for one being opened. */
export async function orderStreamOpen(accountId: string): Promise<boolean> {
  const opening = streams.get(accountId);
  return opening !== undefined && (await opening) !== null && streams.get(accountId) === opening;
}

/** Accounts with an open (or opening) order-update stream in this process. */
export function orderStreamAccounts(): string[] {
  return [...streams.keys()];
}
