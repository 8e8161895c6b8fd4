import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

describe("GroupCommit", () => {
  it("sends a lone call at once and the calls made meanwhile as one batch, each getting its own result", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const g = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => i * 10);
    });
    const first = g.submit(1);
    const rest = [2, 3, 4].map((i) => g.submit(i));
    expect(batches).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("fails every call of a failed batch, and goes on with the next", async () => {
    let calls = 0;
    const g = new GroupCommit<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error("database down");
      return items;
    });
    const a = g.submit(1);
    const b = g.submit(2);
    await expect(a).rejects.toThrow("database down");
    expect(await b).toBe(2);
  });

  it("splits a long queue into batches of at most maxBatch", async () => {
    const sizes: number[] = [];
    const g = new GroupCommit<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => g.submit(i)));
    expect(sizes).toEqual([1, 2, 2]);
  });
});
