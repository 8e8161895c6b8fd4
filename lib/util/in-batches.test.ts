import { describe, expect, it } from "vitest";
import { inBatches, limiter } from "./in-batches";

/** A promise and its resolver (Node 20 has no Promise.withResolvers). */
function held() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("inBatches", () => {
  it("keeps results in input order whatever order the work finishes in", async () => {
    const gates = [0, 1, 2, 3].map(held);
    const run = inBatches([0, 1, 2, 3], 4, async (i) => {
      await gates[i].promise;
      return i * 10;
    });
    for (const i of [3, 1, 0, 2]) gates[i].resolve();
    expect(await run).toEqual([0, 10, 20, 30]);
  });
});

describe("limiter", () => {
  it("runs at most `limit` tasks at once, starts the rest in arrival order as slots free, and passes results and errors through", async () => {
    const gate = limiter(3);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const holds = Array.from({ length: 8 }, held);
    const tasks = holds.map((h, i) =>
      gate(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await h.promise;
        running--;
        if (i === 5) throw new Error("task 5 failed");
        return i;
      }),
    );
    const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
    await flush();
    expect(started).toEqual([0, 1, 2]);
    holds[1].resolve();
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    // A caller arriving now waits behind the ones already waiting.
    const late = gate(async () => {
      started.push(99);
      return 99;
    });
    for (const h of holds) h.resolve();
    const results = await Promise.allSettled([...tasks, late]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 99]);
    expect(most).toBe(3);
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      0,
      1,
      2,
      3,
      4,
      "task 5 failed",
      6,
      7,
      99,
    ]);
  });
});
