/**
 * The recovery sweep of accepted alerts (docs/webhooks.md "What the workers do"). An alert whose job was lost (the
 * enqueue failed after the ack committed, Redis lost its data, a worker died mid-job) would stay not handed on for
 * ever, and an alert not handed on counts as in flight, freezing the strategy's signal state. The sweep gives such an
 * alert a job again (same id: harmless if one exists) and, past a bound, gives up on it visibly.
 */
import { listUnhandledSignals } from "@/lib/db/queries/signals";
import { log } from "@/lib/log";
import { requeueSignal, signalJobState } from "@/lib/queues/signals";
import { abandonSignal } from "./handle-signal";

/** An accepted alert not handed on after this long is presumed lost and given a job again, ms. */
export const SIGNAL_RECOVER_AFTER_MS = 30_000;
/** After this long the sweep stops trying: the alert is marked failed and the trader alerted, ms. */
export const SIGNAL_GIVE_UP_MS = 15 * 60_000;

export interface SignalSweepResult {
  requeued: string[];
  abandoned: string[];
}

export async function recoverSignals(now: Date): Promise<SignalSweepResult> {
  const out: SignalSweepResult = { requeued: [], abandoned: [] };
  const stuck = await listUnhandledSignals(new Date(now.getTime() - SIGNAL_RECOVER_AFTER_MS));
  for (const s of stuck) {
    const state = await signalJobState(s.id);
    // A job still queued, delayed (an entry waiting) or running acts on it, and bounds its own wait.
    if (state === "live") continue;
    if (now.getTime() - s.receivedAt.getTime() > SIGNAL_GIVE_UP_MS) {
      const minutes = SIGNAL_GIVE_UP_MS / 60_000;
      if (await abandonSignal(s.id, `No worker handed the alert on within ${minutes} minutes, so it was not acted on`))
        out.abandoned.push(s.id);
      continue;
    }
    await requeueSignal(s.id, state);
    out.requeued.push(s.id);
  }
  if (out.requeued.length || out.abandoned.length) log().warn({ ...out }, "accepted alerts recovered by the sweep");
  return out;
}
