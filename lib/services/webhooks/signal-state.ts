/**
 * Where a strategy stands for its outside signals (docs/webhooks.md "Duplicates and lag"). The stored state is what
 * accepted alerts decided; while anything of the strategy is still on its way (an alert not handed on, a run sending,
 * an exit working) it is trusted as is. Once everything has settled it is re-derived from the ledger, so a manual exit
 * from the UI, or an entry that failed to plan, is seen by the next alert.
 */
import type { Tx } from "@/lib/db/transaction";
import { readSignalState, strategyInFlight, strategyLegSymbols } from "@/lib/db/queries/webhooks";
import { ledgerPositions } from "@/lib/services/positions";
import type { SignalPosition, SignalState } from "@/lib/trading/signals/types";
import type { StrategyDefinition } from "@/lib/trading/strategy";

export interface ReconciledState {
  state: SignalState;
  /** Set when the ledger disagreed with the stored state or was ambiguous: said in the alert's reason. */
  note: string | null;
}

/** Reads the state under the strategy's signal lock and reconciles it with the ledger when nothing is in flight. */
export async function reconcileSignalState(
  tx: Tx,
  hook: { id: string; strategyId: string },
  definition: StrategyDefinition,
  accountIds: readonly string[],
): Promise<ReconciledState> {
  const stored = await readSignalState(tx, hook.id);
  if (await strategyInFlight(tx, hook.strategyId)) return { state: stored, note: null };
  const derived = await ledgerSide(tx, hook.strategyId, definition, accountIds);
  if (derived.position === stored.position) return { state: stored, note: derived.note };
  const state = { position: derived.position, entries: derived.position === "FLAT" ? 0 : 1 };
  const note = `the strategy's filled positions say ${derived.position.toLowerCase()} (stored: ${stored.position.toLowerCase()})${derived.note ? `; ${derived.note}` : ""}`;
  return { state, note };
}

/**
 * LONG when the strategy's open legs have their defined sides, SHORT when reversed, FLAT when nothing is open; both
 * at once counts as the side with more open contracts (ties: LONG), said in the note.
 */
async function ledgerSide(
  tx: Tx,
  strategyId: string,
  definition: StrategyDefinition,
  accountIds: readonly string[],
): Promise<{ position: SignalPosition; note: string | null }> {
  if (accountIds.length === 0) return { position: "FLAT", note: null };
  const open = (await ledgerPositions({ accountIds }, "strategy")).filter(
    (p) => p.netQty !== 0 && p.scope.strategyId === strategyId,
  );
  if (open.length === 0) return { position: "FLAT", note: null };
  const legOf = new Map(
    (await strategyLegSymbols(tx, strategyId)).map((r) => [`${r.exchange}|${r.symbol}`, r.legIndex]),
  );
  let long = 0;
  let short = 0;
  for (const p of open) {
    const leg = definition.legs[legOf.get(`${p.exchange}|${p.symbol}`) ?? -1];
    if (!leg) continue;
    const definedSign = leg.action === "BUY" ? 1 : -1;
    if (Math.sign(p.netQty) === definedSign) long += 1;
    else short += 1;
  }
  if (long === 0 && short === 0) return { position: "LONG", note: "open positions of legs no longer defined" };
  const position: SignalPosition = short > long ? "SHORT" : "LONG";
  const note =
    long > 0 && short > 0
      ? `legs open on both sides (${long} as defined, ${short} reversed): treated as ${position.toLowerCase()}`
      : null;
  return { position, note };
}
