/**
 * The broker side of leg stops: storing a leg's new stops as a STOP_ORDERS run (dispatch sends them exactly once),
 * and taking stops away again. Called by ./account-pass.ts, which decides what each leg needs.
 */
import type { StopIntent, StopRunRow } from "@/lib/db/queries/leg-stops";
import { activeExitsInAccount } from "@/lib/db/queries/leg-stops";
import { ConflictError, KillSwitchError } from "@/lib/errors";
import { log } from "@/lib/log";
import { applyIntentChanges, cancelIntentOrders, type IntentChange } from "@/lib/services/dispatch";
import { syncAccountFills } from "@/lib/services/fills";
import { createRun } from "@/lib/services/runs";
import { type HeldLeg, type StopOrder, stopRunPreview } from "@/lib/trading/risk/leg-stops";

/** States of a stop whose order was taken by the broker and may still work there. */
export const SENT_ORDER: ReadonlySet<string> = new Set(["accepted", "reconciled_accepted", "partially_filled"]);
const UNSENT: ReadonlySet<string> = new Set(["planned", "safe_to_resend", "held"]);

export type ExitRow = Awaited<ReturnType<typeof activeExitsInAccount>>[number];

/** Whether an active exit covers the run's legs in its account (its scope includes the run). */
export const covers = (e: ExitRow, run: Pick<StopRunRow, "runId" | "strategyId">) =>
  e.scope === "ACCOUNT" ||
  e.scope === "OWNER" ||
  e.scope === "ALL" ||
  (e.scope === "STRATEGY" ? e.strategyId !== null && e.strategyId === run.strategyId : e.runId === run.runId);

/**
 * Takes stops away: unsent slices are skipped, working orders cancelled at the broker and the books read once (they
 * say what became of each: cancelled, or filled just before — the next pass's ledger shows that). Slices being sent
 * right now are left to a later look, once their outcome is known.
 */
export async function withdrawStops(
  accountId: string,
  rows: readonly StopIntent[],
  now: Date,
): Promise<{ cancelled: number; acted: boolean; inFlight: boolean }> {
  const reason = "stop replaced or no longer needed";
  const skip: IntentChange[] = rows
    .filter((i) => UNSENT.has(i.state))
    .map((row) => ({ row, events: [{ type: "skip", at: now.getTime(), reason }] }));
  const cancel = rows.filter((i) => SENT_ORDER.has(i.state) && i.brokerOrderId);
  const result = {
    cancelled: skip.length > 0 ? (await applyIntentChanges(skip)).size : 0,
    acted: skip.length + cancel.length > 0,
    inFlight: skip.length + cancel.length < rows.length,
  };
  if (cancel.length === 0) return result;
  const { cancelled } = await cancelIntentOrders(cancel, reason, { record: false });
  await syncAccountFills(accountId);
  return { ...result, cancelled: result.cancelled + cancelled.length };
}

/**
 * Stores the leg's new stops as a STOP_ORDERS run. `exit`: an exit of the run began meanwhile (look again once it is
 * done); `blocked`: the owner's kill switch refuses new orders (the switch's own exit flattens the position).
 */
export async function placeStops(
  run: StopRunRow,
  account: { id: string; name: string },
  leg: HeldLeg,
  orders: readonly StopOrder[],
  generation: number,
  now: Date,
): Promise<{ runId: string } | "exit" | "blocked"> {
  const meta = { protectsRunId: run.runId, accountId: account.id, legIndex: leg.legIndex, generation };
  try {
    const { runId } = await createRun({
      ownerId: run.ownerId,
      strategyId: run.strategyId,
      kind: "STOP_ORDERS",
      protectsRunId: run.runId,
      idempotencyKey: `stops:${run.runId}:${account.id}:${leg.legIndex}:${generation}`,
      triggeredAt: now,
      preview: stopRunPreview(meta, account.name, leg, orders),
      // Inside the run's transaction: an exit that began since this pass read the exits wins, nothing is stored.
      andThen: async (tx) => {
        if ((await activeExitsInAccount(account.id, tx)).some((e) => covers(e, run)))
          throw new ConflictError("an exit of this run is at work: its stops are not placed");
      },
    });
    return { runId };
  } catch (e) {
    if (!(e instanceof ConflictError || e instanceof KillSwitchError)) throw e;
    log().info({ runId: run.runId, accountId: account.id, reason: e.message }, "leg stops not placed");
    return e instanceof ConflictError ? "exit" : "blocked";
  }
}
