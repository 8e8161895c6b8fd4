/**
 * Expiry choice → a concrete expiry date, and the market condition (expiry day or not), both taken from the
 * instrument's ACTUAL expiry list (OpenAlgo's /expiry, or calendar.ts's expiriesFor) so that holiday-shifted and
 * discontinued expiries are honoured. Dates are IST `YYYY-MM-DD`.
 */
import { isIsoDate } from "./calendar";
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
 * Resolves an expiry choice against the instrument's expiry list:
 * - current_week: the first expiry ≥ today; next_week: the one after (weekly underlyings only);
 * - current_month: the LAST listed expiry of the current contract month, i.e. the month of the first expiry ≥ today
 *   (so once the month's last expiry has passed it rolls to the next month);
 * - next_month: the last listed expiry of the month after that.
 * A month's last listed expiry is only trusted as its monthly expiry when the list also reaches a later month
 * (otherwise a truncated list could pass a weekly off as the monthly): `list_too_short`.
 * `cadence` says whether the underlying has weeklies (from the instrument settings); when omitted it is inferred
 * from the list. Errors are returned, never thrown.
 */
export function resolveExpiry(
  choice: ExpiryChoice,
  expiryList: readonly string[],
  today: string,
  cadence?: ExpiryCadence,
): ExpiryResult {
  if (!isIsoDate(today)) return { ok: false, error: { code: "invalid_date", message: `today "${today}" is not a YYYY-MM-DD date` } };
  const bad = expiryList.find((e) => !isIsoDate(e));
  if (bad !== undefined) return { ok: false, error: { code: "invalid_date", message: `expiry "${bad}" is not a YYYY-MM-DD date` } };
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
        return { ok: false, error: { code: "no_weekly_expiries", message: `${choice} needs weekly expiries; this underlying only has monthly ones` } };
      }
      const index = choice === "current_week" ? 0 : 1;
      if (upcoming.length <= index) {
        return { ok: false, error: { code: "list_too_short", message: `the list has no expiry after ${upcoming[0]}` } };
      }
      return { ok: true, expiry: upcoming[index] };
    }
    case "current_month":
    case "next_month": {
      const current = monthKey(upcoming[0]);
      const target = choice === "current_month" ? current : nextMonthKey(current);
      const inMonth = upcoming.filter((e) => monthKey(e) === target);
      if (inMonth.length === 0) {
        return { ok: false, error: { code: "list_too_short", message: `the list has no expiry in ${target}` } };
      }
      if (!upcoming.some((e) => monthKey(e) > target)) {
        return {
          ok: false,
          error: { code: "list_too_short", message: `the list ends in ${target}, so its last expiry there cannot be confirmed as the monthly` },
        };
      }
      return { ok: true, expiry: inMonth[inMonth.length - 1] };
    }
  }
}

/**
 * Market condition for margin rates. `auto` is expiry day iff `today` is in the underlying's expiry list — a
 * holiday-shifted expiry counts, a weekday that is not an expiry does not (AlgoMirror guessed by weekday).
 */
export function marketCondition(mode: MarketConditionMode, expiryList: readonly string[], today: string): MarketCondition {
  if (mode !== "auto") return mode;
  return expiryList.includes(today) ? "expiry_day" : "other_days";
}
