/**
 * Where a strategy stands for its outside signals (docs/webhooks.md "Duplicates and lag"). The stored state is what
 * accepted alerts decided, and the ack trusts it. A sweep in the worker re-derives it from the ledger once nothing of
 * the strategy is on its way (an alert not handed on, a run sending, an exit working), so a manual exit from the UI,
 * a kill-switch flatten, or an entry that failed to plan is seen by the next alert within a sweep.
 */
import { lockRow } from "@/lib/db/locks";
import { inTransaction } from "@/lib/db/transaction";
import {
  listReconcilableWebhooks,
  strategyInFlight,
  strategyLegSymbols,
  writeSignalStateIfUnchanged,
} from "@/lib/db/queries/webhooks";
import { log } from "@/lib/log";
import { ledgerPositions } from "@/lib/services/positions";
import { definitionOf } from "@/lib/services/strategies";
import type { LedgerPosition } from "@/lib/trading/ledger";
import type { SignalPosition } from "@/lib/trading/signals/types";
import type { StrategyDefinition } from "@/lib/trading/strategy";

/**
 * One pass over every active webhook: the ledger read once per owner, each strategy's side derived from it, and a
 * stored state that disagrees rewritten — under the strategy's signal lock, only if nothing is in flight and no alert
 * changed the state since it was read. Returns how many states changed.
 */
export async function reconcileSignalStates(): Promise<number> {
  const hooks = await listReconcilableWebhooks();
  const byOwner = new Map<string, typeof hooks>();
  for (const h of hooks) byOwner.set(h.ownerId, [...(byOwner.get(h.ownerId) ?? []), h]);
  let changed = 0;
  for (const [ownerId, owned] of byOwner) {
    const positions = await ledgerPositions({ ownerId }, "strategy");
    for (const hook of owned) {
      const open = positions.filter((p) => p.netQty !== 0 && p.scope.strategyId === hook.strategyId);
      const derived = await ledgerSide(hook.strategyId, definitionOf(hook.strategy), open);
      if (derived.position === hook.position) continue;
      const next = { position: derived.position, entries: derived.position === "FLAT" ? 0 : 1 };
      const wrote = await inTransaction(async (tx) => {
        await lockRow(tx, "strategySignals", hook.strategyId);
        if (await strategyInFlight(tx, hook.strategyId)) return false;
        return writeSignalStateIfUnchanged(tx, hook.id, hook.updatedAt, next);
      });
      if (!wrote) continue;
      changed += 1;
      log().info(
        { webhookId: hook.id, from: hook.position, to: next.position, note: derived.note },
        "signal state re-derived from the ledger",
      );
    }
  }
  return changed;
}

/**
 * LONG when the strategy's open legs have their defined sides, SHORT when reversed, FLAT when nothing is open; both
 * at once counts as the side with more open contracts (ties: LONG), said in the note.
 */
async function ledgerSide(
  strategyId: string,
  definition: StrategyDefinition,
  open: readonly LedgerPosition[],
): Promise<{ position: SignalPosition; note: string | null }> {
  if (open.length === 0) return { position: "FLAT", note: null };
  const legOf = new Map((await strategyLegSymbols(strategyId)).map((r) => [`${r.exchange}|${r.symbol}`, r.legIndex]));
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
