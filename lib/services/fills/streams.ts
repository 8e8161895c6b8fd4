/**
 * Order-update streams of fill tracking: where the adapter streams order updates (OpenAlgo `subscribe_orders`), this
 * process subscribes for the accounts it polls and an update asks for an immediate poll (`pollFillsNow`). Polling
 * stays the backstop (updates sent while the stream was down are lost, the book is not). The subscriptions
 * themselves: broker-access.
 */
import { log } from "@/lib/log";
import { scheduleFillPolls } from "@/lib/queues/fills";
import { orderStreamSet } from "@/lib/services/broker-access";

/** Accounts an order update asked to poll at once, until a poller of this process claims them. */
const urgent = new Set<string>();
/** The fill pollers of this process, woken by an order update. */
const wakers = new Set<() => void>();

/**
 * One poll of the account now: it becomes due at once (kept if a poll of it is running: that poll's holder leaves
 * it due) and this process's poller looks at once instead of on its next tick.
 */
export async function pollFillsNow(accountId: string): Promise<void> {
  urgent.add(accountId);
  await scheduleFillPolls(accountId);
  for (const wake of wakers) wake();
}

/** Whether an order update asked for this account's poll (the poller that claims it says so once). */
export function takeUrgent(accountId: string): boolean {
  return urgent.delete(accountId);
}

/** Registers a poller's wake-up; returns its removal. */
export function onPollAsked(wake: () => void): () => void {
  wakers.add(wake);
  return () => void wakers.delete(wake);
}

const streams = orderStreamSet(
  "fills",
  (accountId) =>
    void pollFillsNow(accountId).catch((err) => log().warn({ accountId, err }, "immediate fill poll not asked for")),
);

/** Subscribes to the account's order updates once (in this process), where its adapter can stream them. */
export const ensureOrderStream = (accountId: string): void => streams.ensure(accountId);
export const closeOrderStream = (accountId: string): Promise<void> => streams.close(accountId);
/** Closes every order-update stream of this process (worker shutdown). */
export const closeOrderStreams = (): Promise<void> => streams.closeAll();
/** Whether the account's order-update stream is open (subscribed) in this process; waits for one being opened. */
export const orderStreamOpen = (accountId: string): Promise<boolean> => streams.isOpen(accountId);
