/**
 * What the signal worker does with an accepted alert (docs/webhooks.md "What the workers do"): ENTRY plans the
 * strategy (reversed for SHORT, lots scaled by the alert's multiplier) and creates the run under the id the ack
 * answered; EXIT starts an exit of the strategy; REVERSE exits first and enters only once that exit is done. Any entry
 * waits until the strategy's earlier alerts are handed on and no exit is working where it would trade. Every step is
 * idempotent (the run by its idempotency key, the exit by the id stored on the alert or by joining the active one of
 * its target), so a job that runs twice sends nothing twice. A failure is recorded on the alert and shown to the
 * trader as an alert.
 */
import { inTransaction } from "@/lib/db/transaction";
import { raiseAlert } from "@/lib/db/queries/alerts";
import { findExit } from "@/lib/db/queries/exits";
import { scopeAccountIds } from "@/lib/db/queries/exit-scope";
import { findEntryBlockers, findSignalForWork, markSignalProcessed, setSignalExit } from "@/lib/db/queries/signals";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { startExit } from "@/lib/services/exits";
import { tradingClock } from "@/lib/services/market-data";
import { createRun } from "@/lib/services/runs";
import { definitionOf, planStrategyEntry } from "@/lib/services/strategies";
import { reversedDefinition } from "@/lib/trading/signals/invert";
import Decimal from "decimal.js";

/**
 * An entry not sent this long after its alert arrived is never sent (and says why): it waited for an exit or an
 * earlier alert, or its job was lost and recovered late. A stale entry is a different trade from the one asked, ms.
 */
export const ENTRY_WAIT_MAX_MS = 10 * 60_000;

export type SignalOutcome =
  | { state: "done"; runId: string | null; exitId: string | null }
  | { state: "failed"; error: string }
  | { state: "skipped" }
  /** An entry held back (by an exit, or an earlier alert not yet handed on): look again after `retryInMs`. */
  | { state: "waiting"; retryInMs: number; exitId: string | null; signalId: string | null };

type Work = NonNullable<Awaited<ReturnType<typeof findSignalForWork>>>;

/** Acts on one accepted alert; re-reads it first, so a repeated or late job does nothing. */
export async function handleSignal(signalId: string, now = new Date(), recheckMs = 500): Promise<SignalOutcome> {
  const s = await findSignalForWork(signalId);
  if (!s || s.verdict !== "ACCEPTED" || s.processedAt) return { state: "skipped" };
  try {
    let exitId = s.exitId;
    if (s.action === "EXIT" || s.action === "REVERSE") {
      if (!exitId) {
        // In the order accepted: an earlier entry being planned is exited with the rest, never after it.
        const earlier = (await blockersOf(s)).earlierSignalId;
        if (earlier && now.getTime() - s.receivedAt.getTime() <= ENTRY_WAIT_MAX_MS)
          return { state: "waiting", retryInMs: recheckMs, exitId: null, signalId: earlier };
        exitId = await startSignalExit(s);
      }
      if (s.action === "EXIT") return await finish(s, { runId: null, exitId });
      const own = exitId ? await findExit(exitId) : null;
      if (own?.status === "FAILED")
        return await fail(s, "The exit before the reverse failed, so the reversed entry was not sent");
    }
    const gate = await entryGate(s, now);
    if (gate.kind === "refuse") return await fail(s, gate.error);
    if (gate.kind === "wait")
      return { state: "waiting", retryInMs: recheckMs, exitId: gate.exitId, signalId: gate.signalId };
    const runId = await enterFor(s);
    return await finish(s, { runId, exitId });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return fail(s, e.message);
  }
}

type Gate =
  { kind: "go" } | { kind: "wait"; exitId: string | null; signalId: string | null } | { kind: "refuse"; error: string };

/**
 * Whether the entry may be planned now. It waits while an earlier alert of the strategy is not handed on (alerts act
 * in the order they were accepted) and while an exit works where it would trade: an exit plans from the ledger at
 * every attempt, so an entry placed under it could be closed with it, or be sized from margin not yet freed. A later
 * accepted EXIT or REVERSE supersedes it: the sender has already asked to leave the position it would open.
 */
async function entryGate(s: Work, now: Date): Promise<Gate> {
  const b = await blockersOf(s);
  const what = s.action === "REVERSE" ? "the reversed entry" : "the entry";
  if (b.laterExitSignalId)
    return { kind: "refuse", error: `A later exit alert arrived before ${what} could be sent, so it was not sent` };
  if (now.getTime() - s.receivedAt.getTime() <= ENTRY_WAIT_MAX_MS) {
    if (b.earlierSignalId || b.exitId) return { kind: "wait", exitId: b.exitId, signalId: b.earlierSignalId };
    return { kind: "go" };
  }
  const minutes = ENTRY_WAIT_MAX_MS / 60_000;
  const why = b.exitId
    ? `an exit of the strategy's accounts was still working after ${minutes} minutes`
    : b.earlierSignalId
      ? `an earlier alert of the strategy was still not handed on after ${minutes} minutes`
      : `the alert is more than ${minutes} minutes old`;
  return { kind: "refuse", error: `${what[0].toUpperCase()}${what.slice(1)} was not sent: ${why}` };
}

function blockersOf(s: Work) {
  return findEntryBlockers({
    id: s.id,
    strategyId: s.strategyId,
    ownerId: s.ownerId,
    receivedAt: s.receivedAt,
    accountIds: s.strategy.accountIds,
    accountTags: s.strategy.accountTags,
  });
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
    // Every entry an alert makes is armed with the strategy's rules, as a click's is.
    risk: defined.risk,
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

/** Gives up on an accepted alert no worker handed on (the recovery sweep's bound): recorded and shown as `fail` does. */
export async function abandonSignal(signalId: string, error: string): Promise<boolean> {
  const s = await findSignalForWork(signalId);
  if (!s || s.verdict !== "ACCEPTED" || s.processedAt) return false;
  return (await fail(s, error)).state === "failed";
}
