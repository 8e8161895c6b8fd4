import { describe, expect, it } from "vitest";
import { ownerMemo } from "./owner-memo";

describe("ownerMemo", () => {
  it("asks only for ids it does not know, never remembers a null owner, and forgets the oldest past its bound", async () => {
    const asked: string[][] = [];
    const owners: Record<string, string | null> = { a: "u1", b: "u2", c: null, d: "u3" };
    const read = ownerMemo(async (ids) => {
      asked.push(ids);
      return new Map(ids.filter((id) => id in owners).map((id) => [id, owners[id]]));
    }, 2);
    expect([...(await read(["a", "b", "a", "c", "x"]))]).toEqual([
      ["a", "u1"],
      ["b", "u2"],
    ]);
    expect(await read(["a", "b"])).toEqual(
      new Map([
        ["a", "u1"],
        ["b", "u2"],
      ]),
    );
    // c (null) and x (unknown) are asked again; then d pushes a, the oldest, out.
    await read(["c", "x", "d"]);
    await read(["b", "a"]);
    expect(asked).toEqual([["a", "b", "c", "x"], ["c", "x", "d"], ["a"]]);
  });
});
