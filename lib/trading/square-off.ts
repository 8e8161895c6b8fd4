/**
 * Auto square-off time of a strategy (docs/architecture.md "Exits", docs/calendar.md "What reads it"): its own
 * `squareOffAt` (IST wall clock), else 15:15 for MIS (brokers square intraday positions off from about 15:15), else
 * none (NRML carries overnight). Pure: `now` and the day's sessions are passed in.
 */
import { istDateOf, istHhMm, istInstant, MIS_CUTOFF_BEFORE_CLOSE_MS, type ExchangeSession } from "./calendar";
import type { Product } from "./strategy";

export const DEFAULT_MIS_SQUARE_OFF = "15:15";

/** `HH:MM` IST, or null when the strategy is never squared off automatically. */
export function squareOffTime(def: { product: Product; squareOffAt?: string | null }): string | null {
  if (def.squareOffAt) return def.squareOffAt;
  return def.product === "MIS" ? DEFAULT_MIS_SQUARE_OFF : null;
}

/**
 * When the square-off of `def` fires in `session` (epoch ms), or null: no square-off time, or the day is closed. The
 * strategy's time applies when it falls within the session; a session that does not contain it (a Muhurat evening, a
 * day cut short) squares off 15 minutes before its close instead, as brokers square MIS off.
 */
export function squareOffInstant(
  def: { product: Product; squareOffAt?: string | null },
  session: ExchangeSession,
): number | null {
  const time = squareOffTime(def);
  if (time === null || session.closed || session.opensAt === null || session.closesAt === null) return null;
  const at = istInstant(session.date, time);
  if (at >= session.opensAt && at <= session.closesAt) return at;
  return Math.max(session.opensAt, session.closesAt - MIS_CUTOFF_BEFORE_CLOSE_MS);
}

/**
 * Whether the square-off of `def` is due at `nowMs`, given the sessions on that IST date of the exchanges the
 * strategy trades (the earliest square-off among them counts; never on a closed day). `time` is the IST `HH:MM` it
 * fires at today, or the strategy's own time when it has none today.
 */
export function squareOffDue(
  def: { product: Product; squareOffAt?: string | null },
  nowMs: number,
  sessions: readonly ExchangeSession[],
): { due: boolean; date: string; time: string | null } {
  const date = istDateOf(nowMs);
  const instants = sessions
    .filter((s) => s.date === date)
    .map((s) => squareOffInstant(def, s))
    .filter((t): t is number => t !== null);
  if (instants.length === 0) return { due: false, date, time: squareOffTime(def) };
  const at = Math.min(...instants);
  return { due: nowMs >= at, date, time: istHhMm(at) };
}
