import { describe, expect, it } from "vitest";
import { formatRupees } from "./rupees";

describe("formatRupees", () => {
  it.each([
    ["650000", "₹6,50,000"],
    ["10000000", "₹1,00,00,000"],
    ["320000", "₹3,20,000"],
    ["999", "₹999"],
    ["1000", "₹1,000"],
    ["1234.5", "₹1,234.50"],
    ["0", "₹0"],
    ["-5000", "-₹5,000"],
    ["-0.001", "₹0"],
  ])("%s → %s", (v, want) => {
    expect(formatRupees(v)).toBe(want);
  });
});
