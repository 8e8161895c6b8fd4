/**
 * Expiry choice → a concrete expiry date, and the market condition (expiry day or not), both taken from the
 * instrument's ACTUAL expiry list (OpenAlgo's /expiry, or instruments.ts's expiriesFor) so that holiday-shifted and
 * discontinued expiries are honoured. Dates are IST `YYYY-MM-DD`.
 */
import { addDays, isIsoDate, lastWeekdayOfMonth, weekdayOf } from "./calendar";
import type { ExpiryChoice, MarketConditionMode } from "./strategy";
import type { MarketCondition } from "./margin-model";

export type ExpiryCadence = "weekly" | "monthly";

export type ExpiryResolutionError =
  | { code: "invalid_date"; message: string }
  /** No listed expiry on or after today. */
  | { code: "no_expiry"; message: string }
  /** A weekly choice on an underlying that only has monthly expiries (BANKNIFTY, FINNIFTY, MIDCPNIFTY, futures). */
  | { code: "no_weekly_expiries"; message: string }
  /** The list does not reach far enough to answer the choice with certainty. */
  | { code: "list_too_short"; message: string };

export type ExpiryResult = { ok: true; expiry: string } | { ok: false; error: ExpiryResolutionError };

const monthKey = (iso: string): string => iso.slice(0, 7);

function nextMonthKey(key: string): string {
  const y = Number(key.slice(0, 4));
  const m = Number(key.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

/** A weekly list has some calendar month with two or more expiries; a monthly list never does. */
export function inferCadence(expiryList: readonly string[]): ExpiryCadence {
  const seen = new Set<string>();
  for (const e of expiryList) {
    const k = monthKey(e);
    if (seen.has(k)) return "weekly";
    seen.add(k);
  }
  return "monthly";
}

/**
 * The expiry weekday of a list when the caller does not know it: the most common weekday (holiday shifts only move
 * a few expiries earlier); a tie goes to the later weekday, since a shifted expiry lands before its weekday.
 */
function inferExpiryWeekday(expiryList: readonly string[]): number {
  const counts = [0, 0, 0, 0, 0, 0, 0];
  for (const e of expiryList) counts[weekdayOf(e)] += 1;
  let best = 6;
  for (let wd = 5; wd >= 0; wd--) if (counts[wd] > counts[best]) best = wd;
  return best;
}

/** The month's last expiry weekday before any holiday shift (`key` = YYYY-MM). */
const nominalMonthly = (key: string, weekday: number): string =>
  lastWeekdayOfMonth(Number(key.slice(0, 4)), Number(key.slice(5, 7)), weekday);

/**
 * The listed monthly expiry of a month: the last listed date in the week ending on the month's last expiry weekday.
 * A holiday only moves an expiry back to the previous trading day, so the monthly lies in that week, and no weekly
 * does (the weekly before it is at least 7 days earlier; the next series' first weekly comes after it even when a
 * holiday pulls it back into this calendar month). Undefined when the list has no expiry in that week.
 */
function listedMonthly(sortedList: readonly string[], key: string, weekday: number): string | undefined {
  const nominal = nominalMonthly(key, weekday);
  const weekStart = addDays(nominal, -6);
  let found: string | undefined;
  for (const e of sortedList) if (e >= weekStart && e <= nominal) found = e;
  return found;
}

/**
 * Resolves an expiry choice against the instrument's expiry list:
 * - current_week: the first expiry ≥ today; next_week: the one after (weekly underlyings only);
 * - current_month: the monthly expiry of the current SERIES, the first month whose monthly is on or after today
 *   (so once the month's monthly has passed it rolls to the next month, even when a holiday pulled the next
 *   series' first weekly back into this calendar month);
 * - next_month: the monthly expiry of the month after that.
 * A month's monthly is its last expiry weekday (`weekday`, 0 = Sunday … 6, from the instrument settings; inferred
 * from the list when omitted) as listed after its holiday shift — never merely the month's last LISTED expiry. It
 * is only trusted when the list also reaches past that weekday (otherwise a truncated list could hide it):
 * `list_too_short`. `cadence` says whether the underlying has weeklies (from the instrument settings); when
 * omitted it is inferred from the list. Errors are returned, never thrown.
 */
export function resolveExpiry(
  choice: ExpiryChoice,
  expiryList: readonly string[],
  today: string,
  cadence?: ExpiryCadence,
  weekday?: number,
): ExpiryResult {
  if (!isIsoDate(today))
    return { ok: false, error: { code: "invalid_date", message: `today "${today}" is not a YYYY-MM-DD date` } };
  const bad = expiryList.find((e) => !isIsoDate(e));
  if (bad !== undefined)
    return { ok: false, error: { code: "invalid_date", message: `expiry "${bad}" is not a YYYY-MM-DD date` } };
  // ISO dates sort lexicographically; sort and dedupe defensively rather than trust the upstream order.
  const list = [...new Set(expiryList)].sort();
  const upcoming = list.filter((e) => e >= today);
  if (upcoming.length === 0) {
    return { ok: false, error: { code: "no_expiry", message: `no expiry on or after ${today} in the list` } };
  }
  const kind = cadence ?? inferCadence(list);
  switch (choice) {
    case "current_week":
    case "next_week": {
      if (kind === "monthly") {
        return {
          ok: false,
          error: {
            code: "no_weekly_expiries",
            message: `${choice} needs weekly expiries; this underlying only has monthly ones`,
          },
        };
      }
      const index = choice === "current_week" ? 0 : 1;
      if (upcoming.length <= index) {
        return { ok: false, error: { code: "list_too_short", message: `the list has no expiry after ${upcoming[0]}` } };
      }
      return { ok: true, expiry: upcoming[index] };
    }
    case "current_month":
    case "next_month": {
      const wd = weekday ?? inferExpiryWeekday(list);
      const first = monthKey(upcoming[0]);
      // The first upcoming expiry lies after its month's monthly when it is the next series' weekly pulled back by a
      // holiday (SENSEX 2025-05-01 → 2025-04-30): that month's series is over.
      const current = upcoming[0] > nominalMonthly(first, wd) ? nextMonthKey(first) : first;
      const target = choice === "current_month" ? current : nextMonthKey(current);
      const nominal = nominalMonthly(target, wd);
      if (!upcoming.some((e) => e > nominal)) {
        return {
          ok: false,
          error: {
            code: "list_too_short",
            message: `the list ends before ${nominal}, so ${target}'s monthly expiry cannot be confirmed`,
          },
        };
      }
      const monthly = listedMonthly(upcoming, target, wd);
      if (monthly === undefined) {
        return {
          ok: false,
          error: {
            code: "list_too_short",
            message: `the list has no monthly expiry for ${target} (in the week ending ${nominal})`,
          },
        };
      }
      return { ok: true, expiry: monthly };
    }
  }
}

/**
 * Market condition of ONE contract for margin rates. `auto` is expiry day iff the contract itself expires today
 * (its resolved, holiday-adjusted expiry): a next-month contract on a weekly expiry day is sized at other-day
 * rates. AlgoMirror guessed by weekday; judging by "today is some expiry of the underlying" was wrong too.
 */
export function marketCondition(mode: MarketConditionMode, contractExpiry: string, today: string): MarketCondition {
  if (mode !== "auto") return mode;
  return contractExpiry === today ? "expiry_day" : "other_days";
}
