import { attemptStates, findIntentRows, type AttemptState } from "@/lib/db/queries/exit-scope";
import { log } from "@/lib/log";
import { applyIntentChanges } from "@/lib/services/dispatch";
import { sleep } from "@/lib/util/sleep";

const SETTLE_POLL_MS = 60;

/** Waits for attempts to settle: one query per poll for every account waiting, however many there are. */
export class SettlePoller {
  private waiters = new Map<string, { runId: string; accountId: string; resolve: (s: AttemptState | null) => void }>();
  private running = false;

  /** Resolves once the attempt's slices in the account are settled (null: the attempt stored no slice there). */
  wait(runId: string, accountId: string): Promise<AttemptState | null> {
    return new Promise((resolve) => {
      this.waiters.set(`${runId}|${accountId}`, { runId, accountId, resolve });
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    while (this.waiters.size > 0) {
      try {
        await this.poll();
      } catch (err) {
        // Never "settled" on a failed read: orders may still be in flight, so the accounts keep waiting.
        log().error({ err }, "exit settle poll failed; polling again");
      }
      if (this.waiters.size > 0) await sleep(SETTLE_POLL_MS);
    }
    this.running = false;
  }

  private async poll(): Promise<void> {
    const pending = [...this.waiters.values()];
    const states = await attemptStates(pending);
    // Slices whose send is unconfirmed after their single try are skipped: only a new attempt (after reading the
    // broker) may place that quantity again. A skip lost to a concurrent claim is waited for.
    const ids = states.flatMap((s) => s.unconfirmed);
    const unconfirmed = ids.length > 0 ? await findIntentRows(ids) : [];
    const at = Date.now();
    const skipped = await applyIntentChanges(
      unconfirmed.map((row) => ({
        row,
        events: [
          {
            type: "skip",
            at,
            reason: "not confirmed by the broker: the exit reads positions again before any new order",
          },
        ],
      })),
    );
    for (const w of pending) {
      const s = states.find((x) => x.runId === w.runId && x.accountId === w.accountId) ?? null;
      if (s && (s.inFlight > 0 || s.unconfirmed.some((id) => !skipped.has(id)))) continue;
      this.waiters.delete(`${w.runId}|${w.accountId}`);
      w.resolve(s);
    }
  }
}
