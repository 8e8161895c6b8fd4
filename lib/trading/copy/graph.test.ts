import { describe, expect, it } from "vitest";
import { copyCycle, describeCycle, type CopyEdge } from "./graph";

const e = (master: string, child: string): CopyEdge => ({ master, child });

describe("copyCycle", () => {
  it("accepts a new group with no edges around", () => {
    expect(copyCycle([], { master: "A", children: ["B", "C"] })).toBeNull();
  });

  it("refuses a child that is the master itself", () => {
    expect(copyCycle([], { master: "A", children: ["B", "A"] })).toEqual(["A", "A"]);
  });

  it("refuses A copies B when B already copies A", () => {
    expect(copyCycle([e("B", "A")], { master: "A", children: ["B"] })).toEqual(["A", "B", "A"]);
  });

  it("refuses longer cycles and names every account on the path", () => {
    const edges = [e("B", "C"), e("C", "D"), e("D", "A"), e("X", "Y")];
    expect(copyCycle(edges, { master: "A", children: ["Z", "B"] })).toEqual(["A", "B", "C", "D", "A"]);
  });

  it("finds a cycle the new child closes through stored groups", () => {
    // A → B (proposed), B → C stored, C → A stored: adding child B to A's group closes A → B → C → A.
    expect(copyCycle([e("B", "C"), e("C", "A")], { master: "A", children: ["B"] })).toEqual(["A", "B", "C", "A"]);
  });

  it("accepts diamonds and chains that do not come back (a child copied by two masters, A → B → C)", () => {
    const edges = [e("A", "B"), e("B", "C"), e("X", "C"), e("A", "C")];
    expect(copyCycle(edges, { master: "A", children: ["B", "C"] })).toBeNull();
    expect(copyCycle(edges, { master: "C", children: ["D"] })).toBeNull();
    expect(copyCycle(edges, { master: "D", children: ["A", "X"] })).toBeNull();
    expect(copyCycle(edges, { master: "C", children: ["X"] })).toEqual(["C", "X", "C"]);
    expect(copyCycle(edges, { master: "C", children: ["A"] })).toEqual(["C", "A", "C"]);
  });

  it("stops on cycles among other accounts that do not reach the master", () => {
    expect(copyCycle([e("B", "C"), e("C", "B")], { master: "A", children: ["B"] })).toBeNull();
  });

  it("describes the path with names, ids where unknown", () => {
    const names = new Map([
      ["A", "Main"],
      ["B", "Wife"],
    ]);
    expect(describeCycle(["A", "B", "Q", "A"], names)).toBe("Main → Wife → Q → Main");
  });
});
