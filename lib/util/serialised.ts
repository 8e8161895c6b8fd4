const tails = new Map<string, Promise<void>>();

/**
 * Runs `task` after every task queued earlier under the same `key` in this process has settled (other keys run
 * meanwhile), and resolves with its result. A failed task does not hold up the next. Bursts for one key then queue
 * here, in memory, instead of each holding a database connection while it waits for a lock.
 */
export function serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
  const run = (tails.get(key) ?? Promise.resolve()).then(task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
