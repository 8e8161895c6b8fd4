/**
 * The time exit (docs/risk.md "Time exit"): at `HH:MM` IST on a trading day the run is exited, read against the
 * trading calendar's session. It becomes due at that time on a trading day after the run was triggered, and fires as
 * soon as the session is open at or after it: during the session at once; for an overnight position whose time
 * passed while the market was closed (a late time, a short special session), at the next session's open. Pure.
 */
import { addDays, istDateOf, istInstant, sessionOpenAt, type ExchangeSession } from "@/lib/trading/calendar";

/** How many IST days back a due time is looked for (a position carried longer is due at once anyway). */
export const TIME_EXIT_LOOKBACK_DAYS = 10;

export interface TimeExitInput {
  /** `HH:MM`, IST. */
  at: string;
  triggeredAt: number;
  now: number;
  /** The exchange's session on an IST date (the calendar's answer; only dates in the look-back are asked). */
  sessionOn: (date: string) => ExchangeSession;
  /** Every market counts as open (MARKET_ALWAYS_OPEN): every day is a trading day and the session never closes. */
  alwaysOpen: boolean;
}

export interface TimeExitVerdict {
  /** The exit should be sent now. */
  fire: boolean;
  /** Since when it is due (epoch ms), or null when not yet. */
  dueAt: number | null;
  note: string;
}

/** The IST dates from the trigger's to `now`'s, newest first, at most TIME_EXIT_LOOKBACK_DAYS + 1 of them. */
export function lookbackDates(triggeredAt: number, now: number): string[] {
  const first = istDateOf(triggeredAt);
  const out: string[] = [];
  for (let d = istDateOf(now); d >= first && out.length <= TIME_EXIT_LOOKBACK_DAYS; d = addDays(d, -1)) out.push(d);
  return out;
}

export function timeExitVerdict(i: TimeExitInput): TimeExitVerdict {
  let dueAt: number | null = null;
  for (const date of lookbackDates(i.triggeredAt, i.now)) {
    const at = istInstant(date, i.at);
    if (at > i.now || at <= i.triggeredAt) continue;
    if (i.alwaysOpen || !i.sessionOn(date).closed) {
      dueAt = at;
      break;
    }
  }
  if (dueAt === null) return { fire: false, dueAt: null, note: `at ${i.at} IST` };
  const open = i.alwaysOpen || sessionOpenAt(i.sessionOn(istDateOf(i.now)), i.now);
  return open
    ? { fire: true, dueAt, note: `due since ${i.at} IST` }
    : { fire: false, dueAt, note: `due since ${i.at} IST; sent when the session opens` };
}
