import { describe, expect, it } from "vitest";
import { parsePythonLiteral } from "./python-literal";

describe("parsePythonLiteral", () => {
  it("reads marshmallow error reprs, nested dicts with int keys included", () => {
    expect(parsePythonLiteral("{'quantity': ['Missing data for required field.']}")).toEqual({
      quantity: ["Missing data for required field."],
    });
    expect(parsePythonLiteral("{'orders': {0: {'strategy': ['Unknown field.']}}}")).toEqual({
      orders: { "0": { strategy: ["Unknown field."] } },
    });
  });
  it("reads double-quoted strings holding single quotes, escapes, tuples and constants", () => {
    expect(parsePythonLiteral(`{"sym": ["Can't trade M&M"], 'n': (1, -2.5, True, None), 'e': 'a\\'b\\u20b9'}`)).toEqual(
      {
        sym: ["Can't trade M&M"],
        n: [1, -2.5, true, null],
        e: "a'b₹",
      },
    );
  });
  it("gives up on anything it cannot read completely", () => {
    expect(parsePythonLiteral("{'a': [1, 2}")).toBeUndefined();
    expect(parsePythonLiteral("{'a': 1} trailing")).toBeUndefined();
    expect(parsePythonLiteral("Insufficient funds")).toBeUndefined();
    expect(parsePythonLiteral("{'a': 'unterminated}")).toBeUndefined();
  });
});
