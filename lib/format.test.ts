import { describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { formatDateTime, formatInr, formatInrShort, formatQty, formatTimeIst, isLakhOrMore } from "@/lib/format";

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

describe("formatDateTime", () => {
  it.each([
    ["2026-12-06T03:45:03.000Z", "06 Dec 2026, 09:15:03 IST"],
    ["2026-09-06T18:40:03Z", "07 Sep 2026, 00:10:03 IST"],
    ["2026-12-31T18:30:00Z", "01 Jan 2027, 00:00:00 IST"],
  ])("%s → %s (Asia/Kolkata, zone shown)", (iso, expected) => {
    expect(formatDateTime(iso)).toBe(expected);
    expect(formatDateTime(new Date(iso))).toBe(expected);
  });

  it("shows a dash for a missing or unreadable time", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a date")).toBe("—");
    expect(formatTimeIst(undefined)).toBe("—");
  });

  it("formatTimeIst is the same clock without the date", () => {
    expect(formatTimeIst("2026-12-06T03:45:03.000Z")).toBe("09:15:03 IST");
  });
});

describe("isLakhOrMore", () => {
  it.each([
    ["99999.99", false],
    ["100000", true],
    ["-16249454", true],
  ])("%s → %s", (v, expected) => {
    expect(isLakhOrMore(v)).toBe(expected);
  });

  it("a total of ₹1,62,49,454 reads ₹1.62 Cr", () => {
    expect(formatInrShort("16249454")).toBe("₹1.62 Cr");
  });
});
