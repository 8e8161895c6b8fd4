/** A per-key one-second sliding window, as Angel counts its per-user, per-endpoint limits (wall clock). */
export const RATE_LIMITED_TEXT = "Access denied because of exceeding access rate";

export class SlidingLimiter {
  private readonly hits = new Map<string, number[]>();

  /** Records a call of `key` at `now` (ms) and returns true when it is over `limit` calls in the last second. */
  hit(key: string, limit: number, now: number): boolean {
    const list = (this.hits.get(key) ?? []).filter((t) => now - t < 1_000);
    const over = list.length >= limit;
    if (!over) list.push(now);
    this.hits.set(key, list);
    return over;
  }
}
