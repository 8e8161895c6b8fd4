/**
 * When an outside signal may open or close a position (docs/webhooks.md "Entry and exit windows"). Times are IST wall
 * clock `HH:MM`; `nowMs` is passed in. A window is half-open: entries from `entryStart` (inclusive) until `entryEnd`
 * (exclusive), so with an end of 15:00 an alert at 14:59:59 enters and one at 15:00:00 does not. Exits are allowed
 * until the strategy's square-off time (exclusive), the moment the square-off itself closes everything.
 */
import { DAY_MS, IST_OFFSET_MS, type ExchangeSession } from "@/lib/trading/calendar";
import { squareOffDue, squareOffTime } from "@/lib/trading/square-off";
import type { Product } from "@/lib/trading/strategy";

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** True for a 24-hour `HH:MM` (`09:20`, `15:00`; not `9:20`, `24:00` or `15:00:00`). */
export function isHhMm(text: string): boolean {
  return HH_MM.test(text);
}

/**
 * Null when an entry is allowed at `nowMs`, else the reason. Either end may be null (open on that side); a start later
 * than the end is a window across midnight (`22:00`–`02:00`).
 */
export function entryWindowCheck(nowMs: number, entryStart: string | null, entryEnd: string | null): string | null {
  if (entryStart === null && entryEnd === null) return null;
  const now = istMsOfDay(nowMs);
  const start = entryStart === null ? 0 : msOfHhMm(entryStart);
  const end = entryEnd === null ? DAY_MS : msOfHhMm(entryEnd);
  const inside = start <= end ? now >= start && now < end : now >= start || now < end;
  if (inside) return null;
  return `entries are accepted ${describeWindow(entryStart, entryEnd)}; it is ${hhMmOf(now)} IST`;
}

/**
 * Null when an exit is allowed at `nowMs`: before the strategy's square-off, or always when it has none. With the
 * day's `sessions` of the strategy's exchanges, the square-off is the one those sessions give (a special session's is
 * 15 minutes before its close: lib/trading/square-off.ts); on a day none of them is open, the strategy's own time.
 */
export function exitWindowCheck(
  nowMs: number,
  def: { product: Product; squareOffAt?: string | null },
  sessions: readonly ExchangeSession[] = [],
): string | null {
  const today = squareOffDue(def, nowMs, sessions);
  const open = sessions.some((s) => s.date === today.date && !s.closed);
  const squareOff = open ? today.time : squareOffTime(def);
  if (squareOff === null) return null;
  const now = istMsOfDay(nowMs);
  if (open ? !today.due : now < msOfHhMm(squareOff)) return null;
  return `exits are accepted until the ${squareOff} IST square-off, which closes the position; it is ${hhMmOf(now)} IST`;
}

function describeWindow(start: string | null, end: string | null): string {
  if (start === null) return `until ${end} IST`;
  if (end === null) return `from ${start} IST`;
  return `${start}–${end} IST`;
}

function msOfHhMm(text: string): number {
  if (!isHhMm(text)) throw new RangeError(`Expected HH:MM, got "${text}"`);
  return (Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5))) * 60_000;
}

/** Milliseconds since IST midnight. */
function istMsOfDay(epochMs: number): number {
  return (((epochMs + IST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
}

function hhMmOf(msOfDay: number): string {
  const minutes = Math.floor(msOfDay / 60_000);
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}
