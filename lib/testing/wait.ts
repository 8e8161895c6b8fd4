/** Waiting for a condition in tests: poll until it holds, with a limit that only a broken system reaches. */

/** Waits until `check` holds (polling every `everyMs`), or throws after `timeoutMs`; returns the ms it took. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 25,
): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Reads until `ok` accepts the value (or throws after `timeoutMs`, naming the last value); returns that value. */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  let last: T | undefined;
  try {
    await waitUntil(async () => ok((last = await read())), timeoutMs, what, 100);
  } catch {
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
  }
  return last as T;
}
