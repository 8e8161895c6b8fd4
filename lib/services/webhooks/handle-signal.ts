/**
 * What the signal worker does with an accepted alert (docs/webhooks.md "What the workers do"): ENTRY plans the
 * strategy (reversed for SHORT, lots scaled by the alert's multiplier) and creates the run under the id the ack
 * answered; EXIT starts an exit of the strategy; REVERSE exits first and enters only once that exit is done. Every
 * step is idempotent (the run by its idempotency key, the exit by joining the active one of its target), so a job
 * that runs twice sends nothing twice. A failure is recorded on the alert and shown to the trader as an alert.
 */
import { inTransaction } from "@/lib/db/transaction";
import { raiseAlert } from "@/lib/db/queries/alerts";
import { findExit } from "@/lib/db/queries/exits";
import { scopeAccountIds } from "@/lib/db/queries/exit-scope";
import { findSignalForWork, markSignalProcessed, setSignalExit } from "@/lib/db/queries/signals";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { startExit } from "@/lib/services/exits";
import { tradingClock } from "@/lib/services/market-data";
import { createRun } from "@/lib/services/runs";
import { definitionOf, planStrategyEntry } from "@/lib/services/strategies";
import { reversedDefinition } from "@/lib/trading/signals/invert";
import Decimal from "decimal.js";

/** A reverse whose exit is not done after this long gives up its entry (and says so), ms. */
export const REVERSE_WAIT_MAX_MS = 10 * 60_000;

export type SignalOutcome =
  | { state: "done"; runId: string | null; exitId: string | null }
  | { state: "failed"; error: string }
  | { state: "skipped" }
  /** A reverse waiting for its exit: look again after `retryInMs`. */
  | { state: "waiting"; retryInMs: number; exitId: string };

type Work = NonNullable<Awaited<ReturnType<typeof findSignalForWork>>>;

/** Acts on one accepted alert; re-reads it first, so a repeated or late job does nothing. */
export async function handleSignal(signalId: string, now = new Date(), recheckMs = 500): Promise<SignalOutcome> {
  const s = await findSignalForWork(signalId);
  if (!s || s.verdict !== "ACCEPTED" || s.processedAt) return { state: "skipped" };
  try {
    let exitId = s.exitId;
    if (s.action === "EXIT" || s.action === "REVERSE") {
      exitId ??= await startSignalExit(s);
      if (s.action === "EXIT") return await finish(s, { runId: null, exitId });
      if (exitId) {
        const exit = await findExit(exitId);
        if (exit?.status === "FAILED")
          return await fail(s, "The exit before the reverse failed, so the reversed entry was not sent");
        if (exit && exit.status !== "DONE") {
          if (now.getTime() - s.receivedAt.getTime() > REVERSE_WAIT_MAX_MS)
            return await fail(
              s,
              "The exit before the reverse did not finish in time, so the reversed entry was not sent",
            );
          return { state: "waiting", retryInMs: recheckMs, exitId };
        }
      }
    }
    const runId = await enterFor(s);
    return await finish(s, { runId, exitId });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return fail(s, e.message);
  }
}

/** Starts (or joins) the exit of the strategy's scope, reason SIGNAL; null when none of its accounts holds anything. */
async function startSignalExit(s: Work): Promise<string | null> {
  const accountIds = await scopeAccountIds({ strategyId: s.strategyId });
  if (accountIds.length === 0) return null;
  const { exitId } = await startExit(
    { ownerId: s.ownerId, scope: "STRATEGY", targetKey: `strategy:${s.strategyId}`, strategyId: s.strategyId },
    accountIds,
    "SIGNAL",
    null,
  );
  await setSignalExit(s.id, exitId);
  return exitId;
}

/** Plans the entry in the alert's direction and stores it as the run the ack named. */
async function enterFor(s: Work): Promise<string> {
  const defined = definitionOf(s.strategy);
  const definition = s.toPosition === "SHORT" ? reversedDefinition(defined) : defined;
  const multiplier = s.lotsMultiplier ? new Decimal(s.lotsMultiplier.toString()) : null;
  const preview = await planStrategyEntry(s.strategy, definition, tradingClock(), { lotsMultiplier: multiplier });
  const run = await createRun({
    runId: s.runId ?? undefined,
    ownerId: s.ownerId,
    strategyId: s.strategyId,
    kind: "STRATEGY",
    idempotencyKey: `${s.ownerId}:signal:${s.id}`,
    triggeredAt: s.receivedAt,
    preview,
  });
  return run.runId;
}

async function finish(s: Work, done: { runId: string | null; exitId: string | null }): Promise<SignalOutcome> {
  await markSignalProcessed(s.id, new Date(), null);
  return { state: "done", ...done };
}

/** Records why the alert did not trade, on the alert and as an in-app alert the trader sees on every page. */
async function fail(s: Work, error: string): Promise<SignalOutcome> {
  if (await markSignalProcessed(s.id, new Date(), error)) {
    const message = `An alert for strategy "${s.strategy.name}" (${s.action?.toLowerCase()}) did not trade: ${error}`;
    const alert = await inTransaction((tx) =>
      raiseAlert(tx, { ownerId: s.ownerId, accountId: null, kind: "signal_failed", severity: "WARNING", message }),
    );
    await publishUserEvent(s.ownerId, {
      type: "alert",
      alertId: alert.id,
      accountId: null,
      change: "raised",
      at: new Date().toISOString(),
    }).catch((err) => log().warn({ err }, "signal alert event not published"));
  }
  return { state: "failed", error };
}
