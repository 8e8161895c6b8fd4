/**
 * An account's daily loss limit (docs/risk.md "Daily loss limit"): its P&L for the IST day is what it realised today
 * plus the unrealised P&L of everything it holds open (every strategy, ticket and copy in it), at fresh live prices.
 * Realised today = the ledger's realised P&L over every fill minus that over the fills of runs triggered before the
 * day began (average cost, so a position carried in and closed today realises against its own entry). At or below
 * −limit the account is exited and blocked for the rest of the day. Pure.
 */
import Decimal from "decimal.js";
import { formatRupees } from "@/lib/trading/rupees";
import { sumPnl } from "@/lib/trading/live-book";
import { positionsPnl, type RiskPosition } from "./run-book";

export interface AccountDayInput {
  /** The account's ledger over every fill. */
  all: readonly RiskPosition[];
  /** Its ledger over the fills of runs triggered before the IST day began. */
  beforeToday: readonly RiskPosition[];
  /** Usable prices of its open contracts, by contract key. */
  ltps: ReadonlyMap<string, Decimal>;
}

/** The day's P&L, ₹; null when any part is unknown (an unpriced open position, a fill without a price). */
export function accountDayPnl(i: AccountDayInput): { pnl: Decimal | null; unpriced: string[] } {
  const { pnl: total, unpriced } = positionsPnl(i.all, i.ltps);
  const before = sumPnl(i.beforeToday.map((p) => p.realisedPnl));
  if (total === null || before === null) return { pnl: null, unpriced };
  return { pnl: total.minus(before), unpriced };
}

/** Whether the day's P&L has reached the limit (at −limit counts), and the words a risk event says it with. */
export function dailyLimitBreach(pnl: Decimal, limit: Decimal): { breached: boolean; message: string } {
  return {
    breached: pnl.lte(limit.neg()),
    message: `the account's P&L today ${formatRupees(pnl)} reached its daily loss limit of ${formatRupees(limit)}`,
  };
}
