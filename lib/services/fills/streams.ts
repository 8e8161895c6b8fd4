/**
 * Order-update streams of fill tracking: where the adapter streams order updates (OpenAlgo `subscribe_orders`), this
 * process subscribes for the accounts it polls and an update triggers an immediate poll. Polling stays the backstop
 * (updates sent while the stream was down are lost, the book is not). The subscriptions themselves: broker-access.
 */
import { log } from "@/lib/log";
import { enqueueFillPollNow } from "@/lib/queues/fills";
import { orderStreamSet } from "@/lib/services/broker-access";

const streams = orderStreamSet(
  "fills",
  (accountId) =>
    void enqueueFillPollNow(accountId).catch((err) => log().warn({ accountId, err }, "immediate fill poll not queued")),
);

/** Subscribes to the account's order updates once (in this process), where its adapter can stream them. */
export const ensureOrderStream = (accountId: string): void => streams.ensure(accountId);
export const closeOrderStream = (accountId: string): Promise<void> => streams.close(accountId);
/** Closes every order-update stream of this process (worker shutdown). */
export const closeOrderStreams = (): Promise<void> => streams.closeAll();
/** Whether the account's order-update stream is open (subscribed) in this process; waits for one being opened. */
export const orderStreamOpen = (accountId: string): Promise<boolean> => streams.isOpen(accountId);
