/**
 * Order-update subscriptions of this process, keyed by account (OpenAlgo `subscribe_orders`: docs/openalgo.md
 * "WebSocket"): at most one per account and purpose, opened where the account's adapter can stream, retried after a
 * failure, closed on request or at worker shutdown. A push only ever asks for a book read; polling stays the backstop, because
 * updates sent while a stream is down are lost and the books are not.
 */
import { STORED_KIND } from "@/lib/brokers/kinds";
import type { Subscription } from "@/lib/brokers/types";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { log } from "@/lib/log";
import { adapterFor } from "./adapters";

/** A failed or impossible stream is tried again no sooner than this, ms. */
export const ORDER_STREAM_RETRY_MS = 10_000;

export interface OrderStreamSet {
  /** Subscribes once (in this process): `onPush(accountId)` runs for each update. No-op while open or backing off. */
  ensure(accountId: string): void;
  close(accountId: string): Promise<void>;
  /** Every stream of the set (worker shutdown). */
  closeAll(): Promise<void>;
  /** Whether the account's stream is open (subscribed); waits for one being opened. */
  isOpen(accountId: string): Promise<boolean>;
  /** Accounts with an open (or opening) stream. */
  accounts(): string[];
}

/** A set of order-update streams whose pushes call `onPush`; `purpose` names it in logs. */
export function orderStreamSet(purpose: string, onPush: (accountId: string) => void): OrderStreamSet {
  const streams = new Map<string, Promise<Subscription | null>>();
  const retryAt = new Map<string, number>();

  const close = async (accountId: string) => {
    const sub = streams.get(accountId);
    streams.delete(accountId);
    await (await sub)?.close().catch(() => undefined);
  };

  return {
    ensure(accountId) {
      if (streams.has(accountId) || (retryAt.get(accountId) ?? 0) > Date.now()) return;
      // Both run only after `opening` is set (the subscription's first step awaits the account read).
      const forget = () => {
        if (streams.get(accountId) === opening) streams.delete(accountId);
        retryAt.set(accountId, Date.now() + ORDER_STREAM_RETRY_MS);
      };
      const failed = (err: unknown) => {
        forget();
        log().warn({ accountId, err, purpose }, "order update stream unavailable; polling continues");
      };
      const opening = (async (): Promise<Subscription | null> => {
        const account = await loadAccountSecret(accountId);
        const adapter = account ? adapterFor(account) : null;
        // An OpenAlgo account streams from its WebSocket URL; a direct broker's adapter knows its own stream hosts.
        if (!account || !adapter?.subscribeOrderUpdates || (account.kind === STORED_KIND.openalgo && !account.wsUrl)) {
          forget();
          return null;
        }
        return adapter.subscribeOrderUpdates(() => onPush(accountId), failed);
      })().catch((err) => {
        failed(err);
        return null;
      });
      streams.set(accountId, opening);
    },
    close,
    async closeAll() {
      await Promise.all([...streams.keys()].map((a) => close(a)));
    },
    async isOpen(accountId) {
      const opening = streams.get(accountId);
      return opening !== undefined && (await opening) !== null && streams.get(accountId) === opening;
    },
    accounts: () => [...streams.keys()],
  };
}
