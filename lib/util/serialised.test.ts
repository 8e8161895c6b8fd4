import { describe, expect, it } from "vitest";
import { serialised } from "./serialised";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("serialised", () => {
  it("runs tasks of one key one after another, other keys alongside, and survives a failure", async () => {
    const order: string[] = [];
    const gate = deferred();
    const a1 = serialised("a", async () => {
      order.push("a1 start");
      await gate.promise;
      order.push("a1 end");
      throw new Error("a1 failed");
    });
    const a2 = serialised("a", async () => {
      order.push("a2");
      return 2;
    });
    const b1 = serialised("b", async () => {
      order.push("b1");
      return 1;
    });
    expect(await b1).toBe(1);
    expect(order).toEqual(["a1 start", "b1"]);
    gate.resolve();
    await expect(a1).rejects.toThrow("a1 failed");
    expect(await a2).toBe(2);
    expect(order).toEqual(["a1 start", "b1", "a1 end", "a2"]);
  });
});
