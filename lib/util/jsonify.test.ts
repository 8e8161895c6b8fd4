import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/prisma/client";
import { jsonify } from "./jsonify";

describe("jsonify", () => {
  it("turns Decimals into exact strings and Dates into ISO strings, deeply", () => {
    expect(
      jsonify({
        price: new Decimal("101.50"),
        at: new Date("2026-01-02T03:04:05.000Z"),
        legs: [{ q: new Decimal(2) }],
      }),
    ).toEqual({ price: "101.5", at: "2026-01-02T03:04:05.000Z", legs: [{ q: "2" }] });
  });

  it("turns Prisma's Decimal (its own copy of decimal.js) into a string too, as JSON would", () => {
    const row = { lotMultiplier: new Prisma.Decimal("1.50") };
    expect(jsonify(row)).toEqual(JSON.parse(JSON.stringify(row)));
    expect(jsonify(row)).toEqual({ lotMultiplier: "1.5" });
  });

  it("drops keys holding undefined, as JSON does", () => {
    const details = { price: undefined, quantity: 50, nested: { triggerPrice: undefined } };
    expect(jsonify(details)).toStrictEqual(JSON.parse(JSON.stringify(details)));
  });

  it("keeps arrays' order and a parsed own __proto__ key as a plain key, without touching the prototype", () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": 1}, "list": [1, null, "a"]}') as Record<string, unknown>;
    const out = jsonify(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(["__proto__", "list"]);
    expect(JSON.stringify(out)).toBe(JSON.stringify(parsed));
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
