/**
 * What an alert does to its strategy (docs/webhooks.md "The way in"), for the ingress (./ingest.ts) and the dry run
 * (./dry-run.ts): the pure decision from the stored signal state, then the checks a send must pass. Those checks do
 * not depend on the signal state, so they are made once, before the strategy's signal lock is taken: the entry window
 * and market hours, the kill switch and fresh live prices for anything that enters, the exit window for anything that
 * exits. Exits are never blocked by the kill switch or stale prices.
 */
import type { IngressWebhook } from "@/lib/db/queries/webhooks";
import { AppError, ConflictError, KillSwitchError } from "@/lib/errors";
import { entriesBlockedReason } from "@/lib/services/kill-switch";
import { assertFreshMarket, assertProductAllowed, feedKindOf, type TradingClock } from "@/lib/services/market-data";
import { definitionOf, selectAccounts } from "@/lib/services/strategies";
import { sessionOf } from "@/lib/services/calendar";
import { tradingSettings } from "@/lib/services/settings";
import { istDateOf } from "@/lib/trading/calendar";
import { derivativeExchanges } from "@/lib/trading/instruments";
import { decideSignal } from "@/lib/trading/signals/decide";
import type { Ask, ParsedAlert, SignalAction, SignalPosition, SignalState } from "@/lib/trading/signals/types";
import { entryWindowCheck, exitWindowCheck } from "@/lib/trading/signals/window";
import type { StrategyDefinition } from "@/lib/trading/strategy";

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

/** Why an entry, and why an exit, could not be sent now (null: it may). */
export interface SendGates {
  entry: AppError | null;
  exit: AppError | null;
}

/** Whether `ask` can end in an order that opens a position (an entry, or a reverse's entry part). */
export const mayEnter = (ask: Ask) => ask.kind !== "exit" && !(ask.kind === "target" && ask.position === "FLAT");

/** The state-independent checks of a send, made before the signal lock (the entry part's only when `ask` may enter). */
export async function sendGates(hook: IngressWebhook, ask: Ask, clock: TradingClock): Promise<SendGates> {
  const definition = definitionOf(hook.strategy);
  const now = clock.now.getTime();
  // The day's sessions of the strategy's exchanges (docs/calendar.md): a special session has its own square-off.
  const exchanges = derivativeExchanges(definition.legs, (await tradingSettings()).instruments);
  const exitWhy = clock.alwaysOpen
    ? null
    : exitWindowCheck(now, definition, await Promise.all(exchanges.map((e) => sessionOf(e, istDateOf(now)))));
  return {
    exit: exitWhy ? new ConflictError(exitWhy) : null,
    entry: mayEnter(ask) ? await entryRefusal(hook, definition, exchanges, clock) : null,
  };
}

async function entryRefusal(
  hook: IngressWebhook,
  definition: StrategyDefinition,
  exchanges: readonly string[],
  clock: TradingClock,
): Promise<AppError | null> {
  try {
    // An always-open (simulated) market has no session; a window the trader set still applies.
    if (!clock.alwaysOpen || hook.entryStart || hook.entryEnd) {
      const why = entryWindowCheck(clock.now.getTime(), hook.entryStart, hook.entryEnd);
      if (why) return new ConflictError(why);
    }
    try {
      await assertProductAllowed(definition.product, exchanges, clock);
    } catch (e) {
      return e instanceof AppError ? new ConflictError(e.message) : Promise.reject(e);
    }
    // Advisory here: the entry run is refused again, in its own transaction, while a kill switch is engaged.
    const blocked = await entriesBlockedReason(hook.strategy.ownerId);
    if (blocked) return new KillSwitchError(blocked);
    const accounts = await selectAccounts(hook.strategy.ownerId, hook.strategy.accountIds, hook.strategy.accountTags);
    await assertFreshMarket(
      accounts.map(feedKindOf),
      definition.legs.map((l) => l.underlying),
    );
    return null;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
}

const lower = (p: SignalPosition) => p.toLowerCase();

/** The decision for `alert` from `state`, with the send checks applied; refusals are returned, not thrown. */
export function decideAlert(
  hook: IngressWebhook,
  alert: ParsedAlert,
  state: SignalState,
  gates: SendGates,
): AlertDecision {
  const d = decideSignal(alert.ask, state, {
    mode: hook.mode,
    pyramiding: hook.pyramiding,
    maxEntries: hook.maxEntries,
  });
  if (d.kind === "ignore") return { kind: "ignore", from: d.from, message: d.message };
  if (d.kind === "refuse") return { kind: "refuse", from: d.from, error: new ConflictError(d.message) };
  const refusal = (d.action !== "ENTRY" && gates.exit) || (d.action !== "EXIT" && gates.entry);
  if (refusal) return { kind: "refuse", from: d.from, error: refusal };
  const verb =
    d.action === "ENTRY" ? (d.from === "FLAT" ? "Entry" : "Pyramid entry") : d.action === "EXIT" ? "Exit" : "Reverse";
  const reason = `${verb}: ${lower(d.from)} → ${lower(d.to)}`;
  return { ...d, kind: "send", reason, definition: definitionOf(hook.strategy) };
}
