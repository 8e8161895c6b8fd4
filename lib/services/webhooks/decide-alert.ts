/**
 * What an alert does to its strategy, decided under the strategy's signal lock (./ingest.ts) or for a dry run
 * (./dry-run.ts): the signal state reconciled with the ledger, the pure decision, then the checks an entry or an exit
 * must pass now — the entry window and market hours, the kill switch and fresh live prices for anything that enters,
 * the exit window for anything that exits. Exits are never blocked by the kill switch or stale prices.
 */
import type { Tx } from "@/lib/db/transaction";
import type { IngressWebhook } from "@/lib/db/queries/webhooks";
import { AppError, ConflictError, KillSwitchError } from "@/lib/errors";
import { entriesBlockedReason } from "@/lib/services/kill-switch";
import { assertFreshMarket, assertProductAllowed, feedKindOf, type TradingClock } from "@/lib/services/market-data";
import { definitionOf, selectAccounts } from "@/lib/services/strategies";
import { decideSignal } from "@/lib/trading/signals/decide";
import type { ParsedAlert, SignalAction, SignalPosition, SignalState } from "@/lib/trading/signals/types";
import { entryWindowCheck, exitWindowCheck } from "@/lib/trading/signals/window";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { reconcileSignalState } from "./signal-state";

export interface Checked {
  hook: IngressWebhook;
  alert: ParsedAlert;
  clock: TradingClock;
}

export type AlertDecision =
  | {
      kind: "send";
      action: SignalAction;
      from: SignalPosition;
      to: SignalPosition;
      next: SignalState;
      reason: string;
      definition: StrategyDefinition;
    }
  | { kind: "ignore"; from: SignalPosition; message: string }
  | { kind: "refuse"; from: SignalPosition | null; error: AppError };

const lower = (p: SignalPosition) => p.toLowerCase();

/** The decision for `alert` now; refusals are returned (with the state they were decided from), not thrown. */
export async function decideUnderLock(tx: Tx, { hook, alert, clock }: Checked): Promise<AlertDecision> {
  const definition = definitionOf(hook.strategy);
  const accounts = await selectAccounts(hook.strategy.ownerId, hook.strategy.accountIds, hook.strategy.accountTags);
  const { state, note } = await reconcileSignalState(
    tx,
    { id: hook.id, strategyId: hook.strategyId },
    definition,
    accounts.map((a) => a.id),
  );
  const d = decideSignal(alert.ask, state, {
    mode: hook.mode,
    pyramiding: hook.pyramiding,
    maxEntries: hook.maxEntries,
  });
  if (d.kind === "ignore") return { kind: "ignore", from: d.from, message: d.message };
  if (d.kind === "refuse") return { kind: "refuse", from: d.from, error: new ConflictError(d.message) };
  const from = d.from;
  const now = clock.now.getTime();
  const enters = d.action !== "EXIT";
  try {
    if (d.action !== "ENTRY" && !clock.alwaysOpen) {
      const why = exitWindowCheck(now, definition);
      if (why) throw new ConflictError(why);
    }
    if (enters) {
      // An always-open (simulated) market has no session; a window the trader set still applies.
      if (!clock.alwaysOpen || hook.entryStart || hook.entryEnd) {
        const why = entryWindowCheck(now, hook.entryStart, hook.entryEnd);
        if (why) throw new ConflictError(why);
      }
      try {
        assertProductAllowed(definition.product, clock);
      } catch (e) {
        throw e instanceof AppError ? new ConflictError(e.message) : e;
      }
      const blocked = await entriesBlockedReason(hook.strategy.ownerId, tx);
      if (blocked) throw new KillSwitchError(blocked);
      await assertFreshMarket(
        accounts.map(feedKindOf),
        definition.legs.map((l) => l.underlying),
      );
    }
  } catch (e) {
    if (e instanceof AppError) return { kind: "refuse", from, error: e };
    throw e;
  }
  const verb =
    d.action === "ENTRY" ? (from === "FLAT" ? "Entry" : "Pyramid entry") : d.action === "EXIT" ? "Exit" : "Reverse";
  const reason = `${verb}: ${lower(from)} → ${lower(d.to)}${note ? ` (${note})` : ""}`;
  return { kind: "send", action: d.action, from, to: d.to, next: d.next, reason, definition };
}
