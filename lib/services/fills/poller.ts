/**
 * The fill poller: one per worker process. Each tick it claims the accounts whose poll is due in the schedule
 * (lib/queues/fills.ts: one script for all of them, atomic across processes) and syncs each one, at most
 * `concurrency` at once. Per account:
 * - something still unsettled: its order stream is opened (streams.ts) and its next poll is due in FILL_POLL_MS;
 * - nothing unsettled: it leaves the schedule, unless a poll of it was asked for meanwhile (dispatch sent there, an
 *   order update), and its order stream is closed;
 * - its books cannot be read: it is polled again in FILL_POLL_MS, like any other.
 *
 * Isolation: one account's slow broker or broken book holds only its own slot, for at most `timeoutMs`; the poller
 * then stops waiting (the sync finishes, or fails, on its own and then ends its claim). A claim lasts `leaseMs`,
 * longer than any sync, so two pollers never sync one account at once, and a dead worker's accounts are claimed by
 * the others once its leases end. docs/performance.md "Fill tracking" has the measurements behind this design.
 */
import { claimDueFillPolls, FILL_POLL_MS, finishFillPoll } from "@/lib/queues/fills";
import { log } from "@/lib/log";
import { closeOrderStream, ensureOrderStream, onPollAsked, takeUrgent } from "./streams";
import { type FillSyncResult, syncAccountFills } from "./sync";

export interface FillPollerOptions {
  /** Accounts synced at once by this process (default 100). */
  concurrency?: number;
  /** How often the schedule is read, ms (default 200). An order update wakes the poller at once. */
  tickMs?: number;
  /** How long a claim lasts, ms (default 30 s): longer than any sync may take. */
  leaseMs?: number;
  /** How long the poller waits for one account's sync before it frees the slot, ms (default 10 s). */
  timeoutMs?: number;
  /** The clock of claims and due times (tests drive it). */
  clock?: () => number;
  /** No timer: the caller drives `tick()` (tests). */
  manual?: boolean;
  /** Told of every finished poll (tests count them). */
  onPoll?: (accountId: string, poll: { immediate: boolean; result: FillSyncResult | null }) => void;
}

export interface FillPoller {
  /** Claims what is due and starts its syncs; resolves with the number claimed (not their end). */
  tick(): Promise<number>;
  /** Resolves when every sync started so far has finished and ended its claim. */
  settled(): Promise<void>;
  /** Stops claiming and waits for the syncs in progress. */
  stop(): Promise<void>;
}

export function startFillPoller(options: FillPollerOptions = {}): FillPoller {
  const concurrency = options.concurrency ?? 100;
  const tickMs = options.tickMs ?? 200;
  const leaseMs = options.leaseMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  /** Accounts holding a slot. */
  let busy = 0;
  /** Syncs not finished yet (a timed-out one still runs). */
  const running = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;
  /** Woken during a tick: look again right after it. */
  let again = false;

  async function poll(claim: { accountId: string; token: number }, immediate: boolean): Promise<void> {
    const { accountId } = claim;
    let result: FillSyncResult | null = null;
    try {
      result = await syncAccountFills(accountId);
    } catch (err) {
      log().warn({ err, accountId }, "fill poll failed");
    }
    try {
      if (result === null || result.unsettled > 0) {
        if (result) ensureOrderStream(accountId);
        await finishFillPoll(claim, clock() + FILL_POLL_MS, clock());
      } else if ((await finishFillPoll(claim, null, clock())) === "done") await closeOrderStream(accountId);
    } catch (err) {
      // The claim then ends with its lease and the account is polled again.
      log().warn({ err, accountId }, "fill poll not rescheduled");
    }
    try {
      options.onPoll?.(accountId, { immediate, result });
    } catch (err) {
      log().warn({ err, accountId }, "fill poll listener failed");
    }
  }

  function start(claim: { accountId: string; token: number }): void {
    busy++;
    const work = poll(claim, takeUrgent(claim.accountId));
    running.add(work);
    void work.finally(() => running.delete(work));
    let waited: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (waited = setTimeout(() => resolve("timeout"), timeoutMs)));
    void Promise.race([work, timeout]).then((r) => {
      clearTimeout(waited);
      if (r === "timeout") log().warn({ accountId: claim.accountId, timeoutMs }, "fill poll slow: slot freed");
      busy--;
    });
  }

  async function tick(): Promise<number> {
    if (stopped || busy >= concurrency) return 0;
    const claims = await claimDueFillPolls(clock(), concurrency - busy, leaseMs);
    for (const c of claims) start(c);
    return claims.length;
  }

  const loop = (delay: number) => {
    if (stopped || options.manual) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      ticking = true;
      again = false;
      tick()
        .catch((err) => log().warn({ err }, "fill poller tick failed"))
        .finally(() => {
          ticking = false;
          loop(again ? 0 : tickMs);
        });
    }, delay);
  };
  const unwake = onPollAsked(() => {
    if (ticking) again = true;
    else loop(0);
  });
  loop(0);

  const settled = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return {
    tick,
    settled,
    async stop() {
      stopped = true;
      unwake();
      if (timer) clearTimeout(timer);
      await settled();
    },
  };
}
