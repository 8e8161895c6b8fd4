/**
 * Outside signals (TradingView and the like) as the pure core sees them (docs/webhooks.md). An alert is parsed into an
 * `Ask` (what it wants, before the strategy's state is known); `decideSignal` turns the ask and the strategy's signal
 * state into a `Decision`: what to send, or why nothing is sent. A strategy is FLAT, LONG (its legs as defined) or
 * SHORT (every leg reversed).
 */
import type Decimal from "decimal.js";

export type Direction = "LONG" | "SHORT";
export type SignalPosition = "FLAT" | Direction;
/** Which directions a webhook may put its strategy in. */
export type WebhookMode = "LONG" | "SHORT" | "BOTH";
/** mirrordesk: `{action: ENTRY|EXIT|REVERSE,...}`; openalgo: `{symbol, action: BUY|SELL, position_size}`;
 * smart: OpenAlgo's smart-order JSON with TradingView's strategy placeholders; text: a plain `ENTRY`/`EXIT`/`REVERSE`. */
export type AlertFormat = "mirrordesk" | "openalgo" | "smart" | "text";
export type SignalAction = "ENTRY" | "EXIT" | "REVERSE";

/** What an alert asks for. */
export type Ask =
  /** Enter (or add to) a position; `direction` null = the webhook's mode decides (refused in BOTH mode). */
  | { kind: "enter"; direction: Direction | null }
  /** Be flat. */
  | { kind: "exit" }
  /** Flip an open position to the other side. */
  | { kind: "reverse" }
  /** Be at this position (the sign of a TradingView `position_size`): entry, exit or reverse as needed. */
  | {
      kind: "target";
      position: SignalPosition;
      /**
       * The sender's own order went against `position`'s side (TradingView's partial exit: a sell that leaves it still
       * long). Such a target never adds an entry; absent = false.
       */
      reducing?: boolean;
    };

export interface ParsedAlert {
  format: AlertFormat;
  ask: Ask;
  /** The sender's own id (`id`): the same id twice is one alert. */
  clientId: string | null;
  /** When the sender says it fired the alert (`ts`, e.g. TradingView's `{{timenow}}`), for the maximum lag. */
  sentAt: Date | null;
  /** Scales every account's lots for this alert (`lots_multiplier`). */
  lotsMultiplier: Decimal | null;
  /** The symbol the sender named, if any (recorded, not traded: the strategy's legs say what is traded). */
  symbol: string | null;
}

/** A refused body: the field at fault (`body` for the whole body) and a message a person can act on. */
export type ParseResult = { ok: true; alert: ParsedAlert } | { ok: false; field: string; message: string };

/** Where accepted alerts have put the strategy, and how many entries since it was last flat. */
export interface SignalState {
  position: SignalPosition;
  entries: number;
}

export interface WebhookRules {
  mode: WebhookMode;
  pyramiding: boolean;
  /** With pyramiding, most entries in one direction before the strategy is flat again. */
  maxEntries: number;
}

export type Decision =
  /** Send: ENTRY from flat (or a pyramid add), EXIT to flat, REVERSE = exit then entry on the other side. */
  | { kind: "send"; action: SignalAction; from: SignalPosition; to: SignalPosition; next: SignalState }
  /** Nothing to do, answered 200: "already flat", "already long"... */
  | { kind: "ignore"; from: SignalPosition; message: string }
  /** Not done, answered 409: the mode forbids the side, or it would take a reverse nobody asked for. */
  | { kind: "refuse"; from: SignalPosition; message: string };
