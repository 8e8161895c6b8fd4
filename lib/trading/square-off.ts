/**
 * Auto square-off time of a strategy (docs/architecture.md "Exits"): its own `squareOffAt` (IST wall clock), else 15:15
 * for MIS (brokers square intraday positions off from about 15:15), else none (NRML carries overnight). Pure: `now` is
 * passed in.
 */
import { isTradingDay, istDateOf, istInstant } from "./calendar";
import type { Product } from "./strategy";

export const DEFAULT_MIS_SQUARE_OFF = "15:15";

/** `HH:MM` IST, or null when the strategy is never squared off automatically. */
export function squareOffTime(def: { product: Product; squareOffAt?: string | null }): string | null {
  if (def.squareOffAt) return def.squareOffAt;
  return def.product === "MIS" ? DEFAULT_MIS_SQUARE_OFF : null;
}

/** Whether the square-off of `def` is due at `nowMs` on the IST trading day `date` (never on a closed day). */
export function squareOffDue(
  def: { product: Product; squareOffAt?: string | null },
  nowMs: number,
  holidays: ReadonlySet<string>,
): { due: boolean; date: string; time: string | null } {
  const date = istDateOf(nowMs);
  const time = squareOffTime(def);
  const due = time !== null && isTradingDay(date, holidays) && nowMs >= istInstant(date, time);
  return { due, date, time };
}
