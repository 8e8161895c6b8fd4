/**
 * How far a broker's clock is from ours, from the HTTP `Date` header of its answers (docs/readiness.md "Clock").
 *
 * A `Date` header states the server's time in whole seconds, so one answer only bounds the skew k (server − local,
 * ms): the server wrote header second D at some local instant between sending (t0) and receiving (t1), and its clock
 * read D…D+999 then, so k lies in [D − t1, D + 1000 − t0). The interval is 1 s plus the round trip wide. Further
 * answers, each timed so that the server's second boundary falls in the middle of what is still unknown, halve it
 * (the way htpdate reads sub-second time from HTTP servers); their intervals are intersected. Pure: times are passed in.
 */

/** One answer: local epoch ms when the request left and when the answer was in, and the header's text. */
export interface ClockSample {
  sentAt: number;
  receivedAt: number;
  /** The raw `Date` header; null when the answer had none. */
  date: string | null;
}

/** What the skew (server − local, ms) can be: lo ≤ k < hi. */
export interface SkewBounds {
  lo: number;
  hi: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// IMF-fixdate, the form every HTTP/1.1 server sends (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Epoch ms of an HTTP `Date` header in IMF-fixdate form; null for anything else (obsolete forms are not guessed). */
export function parseHttpDate(text: string | null | undefined): number | null {
  const m = text ? IMF_FIXDATE.exec(text.trim()) : null;
  if (!m) return null;
  const month = MONTHS.indexOf(m[3]);
  const [day, year, hour, minute, second] = [m[2], m[4], m[5], m[6], m[7]].map(Number);
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 31 Feb over into March: such a header is garbage, not a date.
  return new Date(ms).getUTCDate() === day ? ms : null;
}

/** The bounds one sample gives, or null when its header is missing or unreadable or its times are reversed. */
export function sampleBounds(s: ClockSample): SkewBounds | null {
  const server = parseHttpDate(s.date);
  if (server === null || s.receivedAt < s.sentAt) return null;
  return { lo: server - s.receivedAt, hi: server + 1000 - s.sentAt };
}

/**
 * The intersection of every readable sample's bounds; null when none is readable. Samples that contradict the ones
 * before them (the server's clock was stepped between two answers) restart the intersection from themselves.
 */
export function skewBounds(samples: readonly ClockSample[]): SkewBounds | null {
  let out: SkewBounds | null = null;
  for (const s of samples) {
    const b = sampleBounds(s);
    if (!b) continue;
    const lo: number = out ? Math.max(out.lo, b.lo) : b.lo;
    const hi: number = out ? Math.min(out.hi, b.hi) : b.hi;
    out = lo < hi ? { lo, hi } : b;
  }
  return out;
}

/**
 * When (local epoch ms, at or after `now`) to send the next request so that the server's next second boundary
 * falls in the middle of `bounds`, given the last round trip: the answer then tells which half the skew is in.
 */
export function nextProbeAt(bounds: SkewBounds, now: number, roundTripMs: number): number {
  const mid = (bounds.lo + bounds.hi) / 2;
  // The request reaches the server about half a round trip after it leaves; the server's clock then reads t + mid.
  const offset = mid + roundTripMs / 2;
  const boundary = Math.ceil((now + offset) / 1000) * 1000;
  return Math.round(boundary - offset);
}

/** The estimate (ms, server − local; positive = the broker's clock is ahead) and how far off it can be. */
export function skewEstimate(bounds: SkewBounds): { skewMs: number; uncertaintyMs: number } {
  return { skewMs: Math.round((bounds.lo + bounds.hi) / 2), uncertaintyMs: Math.ceil((bounds.hi - bounds.lo) / 2) };
}
