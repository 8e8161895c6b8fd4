/**
 * The target-position rules of outside signals (docs/webhooks.md "Target position"): given what an alert asks and
 * where earlier accepted alerts have put the strategy, what to send, or why nothing is sent. Pure.
 *
 * Safety rules the table keeps: an exit only ever goes flat; a strategy changes side only when the alert asked for a
 * reverse (or a target on the other side); the webhook's mode is checked on the side a send ends on (an exit is
 * always allowed).
 */
import type { Ask, Decision, Direction, SignalPosition, SignalState, WebhookRules } from "./types";

export function decideSignal(ask: Ask, state: SignalState, rules: WebhookRules): Decision {
  const decision = decideIgnoringMode(ask, state, rules);
  if (decision.kind !== "send" || decision.to === "FLAT") return decision;
  if (rules.mode !== "BOTH" && decision.to !== rules.mode) {
    return { kind: "refuse", from: state.position, message: modeRefusal(rules.mode) };
  }
  return decision;
}

/** One line for the alert log: what was sent, or why not. */
export function describeDecision(d: Decision): string {
  if (d.kind !== "send") return d.message;
  switch (d.action) {
    case "ENTRY":
      return d.from === "FLAT"
        ? `entry: flat → ${word(d.to)}`
        : `entry added: ${word(d.to)}, entry ${d.next.entries} since flat`;
    case "EXIT":
      return `exit: ${word(d.from)} → flat`;
    case "REVERSE":
      return `reverse: ${word(d.from)} → ${word(d.to)}`;
  }
}

function decideIgnoringMode(ask: Ask, state: SignalState, rules: WebhookRules): Decision {
  switch (ask.kind) {
    case "exit":
      return exit(state);
    case "reverse":
      return reverse(state);
    case "enter": {
      const direction = ask.direction ?? (rules.mode === "BOTH" ? null : rules.mode);
      if (direction === null) {
        return {
          kind: "refuse",
          from: state.position,
          message: "this webhook trades both sides: say long or short (ENTRY LONG or ENTRY SHORT)",
        };
      }
      return enter(direction, state, rules);
    }
    case "target": {
      if (ask.position === "FLAT") return exit(state);
      if (state.position === "FLAT") return enter(ask.position, state, rules);
      if (ask.position === state.position) {
        if (ask.reducing) {
          return {
            kind: "ignore",
            from: state.position,
            message: `already ${word(state.position)}: a partial exit keeps the strategy ${word(state.position)}`,
          };
        }
        return enter(ask.position, state, rules);
      }
      return reverse(state);
    }
  }
}

function enter(direction: Direction, state: SignalState, rules: WebhookRules): Decision {
  const from = state.position;
  if (from === "FLAT") {
    return { kind: "send", action: "ENTRY", from, to: direction, next: { position: direction, entries: 1 } };
  }
  if (from !== direction) {
    return {
      kind: "refuse",
      from,
      message: `the strategy is ${word(from)}: an entry does not reverse it; send REVERSE or EXIT`,
    };
  }
  if (!rules.pyramiding) return { kind: "ignore", from, message: `already ${word(from)}: pyramiding is off` };
  if (state.entries >= rules.maxEntries) {
    return { kind: "ignore", from, message: `already ${word(from)}: at most ${rules.maxEntries} entries` };
  }
  return { kind: "send", action: "ENTRY", from, to: from, next: { position: from, entries: state.entries + 1 } };
}

function exit(state: SignalState): Decision {
  const from = state.position;
  if (from === "FLAT") return { kind: "ignore", from, message: "already flat" };
  return { kind: "send", action: "EXIT", from, to: "FLAT", next: { position: "FLAT", entries: 0 } };
}

function reverse(state: SignalState): Decision {
  const from = state.position;
  if (from === "FLAT") return { kind: "ignore", from, message: "already flat: nothing to reverse" };
  const to = opposite(from);
  return { kind: "send", action: "REVERSE", from, to, next: { position: to, entries: 1 } };
}

function modeRefusal(mode: Direction): string {
  return mode === "LONG"
    ? "this webhook is long-only: it never makes the strategy short"
    : "this webhook is short-only: it never makes the strategy long";
}

function opposite(d: Direction): Direction {
  return d === "LONG" ? "SHORT" : "LONG";
}

function word(p: SignalPosition): string {
  return p.toLowerCase();
}
