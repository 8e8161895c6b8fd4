import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { formatInr, formatInrShort, formatQty } from "@/lib/format";

describe("formatInr", () => {
  it.each([
    ["0", "₹0.00"],
    ["1000000", "₹10,00,000.00"],
    ["123456.7", "₹1,23,456.70"],
    ["-5000", "-₹5,000.00"],
    ["12345678901.235", "₹12,34,56,78,901.24"],
    ["0.005", "₹0.01"],
  ])("%s → %s", (input, expected) => {
    expect(formatInr(input)).toBe(expected);
  });

  it("keeps paise exact for values floats cannot hold", () => {
    expect(formatInr(new Decimal("90071992547409.93"))).toBe("₹9,00,71,99,25,47,409.93");
  });
});

describe("formatInrShort", () => {
  it.each([
    ["95000", "₹95,000"],
    ["1235000", "₹12.35 L"],
    ["12000000", "₹1.20 Cr"],
    ["-650000", "-₹6.50 L"],
  ])("%s → %s", (input, expected) => {
    expect(formatInrShort(input)).toBe(expected);
  });
});

describe("formatQty", () => {
  it("groups in lakhs", () => {
    expect(formatQty(1755)).toBe("1,755");
    expect(formatQty(100000)).toBe("1,00,000");
  });
});
