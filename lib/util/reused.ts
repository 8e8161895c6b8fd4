/**
 * Answers of a read shared per key for `ms` by every caller (the accounts and attempts of one exit drive ask the same
 * things); a failed answer is never kept. `now` is the clock answers age by (tests pass their own).
 */
export function reusedAnswers<T>(ms: number, now: () => number = Date.now) {
  const kept = new Map<string, { at: number; value: Promise<T> }>();
  return (key: string, read: () => Promise<T>): Promise<T> => {
    const at = now();
    const hit = kept.get(key);
    if (hit && at - hit.at < ms) return hit.value;
    const value = read();
    kept.set(key, { at, value });
    value.catch(() => {
      if (kept.get(key)?.value === value) kept.delete(key);
    });
    return value;
  };
}
