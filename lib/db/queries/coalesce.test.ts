import { describe, expect, it } from "vitest";
import { coalescer } from "./coalesce";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("coalescer", () => {
  it("runs a lone call at once, then serves every call made meanwhile with ONE batch, answering each its own result", async () => {
    const batches: number[][] = [];
    const double = coalescer(async (xs: number[]) => {
      batches.push(xs);
      await tick();
      return xs.map((x) => x * 2);
    });
    const results = await Promise.all([double(1), double(2), double(3), double(4)]);
    expect(results).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("never puts two requests touching the same key in one batch", async () => {
    const batches: string[][] = [];
    const write = coalescer(
      async (ids: string[]) => {
        batches.push(ids);
        await tick();
        return ids.map(() => true);
      },
      (id) => [id],
    );
    await Promise.all(["a", "b", "a", "c", "a"].map((id) => write(id)));
    for (const b of batches) expect(new Set(b).size).toBe(b.length);
    expect(batches.flat().sort()).toEqual(["a", "a", "a", "b", "c"]);
  });

  it("rejects every caller of a failed batch and keeps serving later calls", async () => {
    let fail = true;
    const run = coalescer(async (xs: number[]) => {
      await tick();
      if (fail) throw new Error("database down");
      return xs;
    });
    const first = run(1);
    const queued = [run(2), run(3)];
    await expect(first).rejects.toThrow("database down");
    await expect(Promise.all(queued)).rejects.toThrow("database down");
    fail = false;
    expect(await run(4)).toBe(4);
  });
});
