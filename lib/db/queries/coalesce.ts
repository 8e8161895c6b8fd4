/**
 * Group commit for hot dispatch queries: calls that arrive while a statement is running are queued and served by
 * the NEXT statement, all together. With hundreds of dispatch jobs in one worker this turns hundreds of round trips
 * into a handful, and adds no wait when the worker is idle (a lone call runs at once).
 */
export interface Coalescer<Req, Res> {
  (req: Req): Promise<Res>;
}

/**
 * `run` serves a batch of requests with one statement and answers each in order. `keysOf` names what a request
 * touches: two requests sharing a key never go in the same batch (a compare-and-set row written twice in one
 * statement would report success to both writers), the later one waits for the next batch.
 */
export function coalescer<Req, Res>(
  run: (batch: Req[]) => Promise<Res[]>,
  keysOf: (req: Req) => readonly string[] = () => [],
): Coalescer<Req, Res> {
  let queue: { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }[] = [];
  let busy = false;
  async function drain() {
    busy = true;
    while (queue.length > 0) {
      const taken = new Set<string>();
      const batch: typeof queue = [];
      const rest: typeof queue = [];
      for (const item of queue) {
        const keys = keysOf(item.req);
        if (keys.some((k) => taken.has(k))) rest.push(item);
        else {
          for (const k of keys) taken.add(k);
          batch.push(item);
        }
      }
      queue = rest;
      try {
        const results = await run(batch.map((b) => b.req));
        batch.forEach((b, i) => b.resolve(results[i]));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
    busy = false;
  }
  return (req: Req) =>
    new Promise<Res>((resolve, reject) => {
      queue.push({ req, resolve, reject });
      if (!busy) void drain();
    });
}
