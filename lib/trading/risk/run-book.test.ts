import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { combinedPremium, netPremium, premiumSide, type RiskPosition } from "./run-book";

const d = (v: Decimal.Value) => new Decimal(v);

function pos(accountId: string, symbol: string, netQty: number, avg: number | null): RiskPosition {
  return {
    accountId,
    exchange: "NFO",
    symbol,
    product: "NRML",
    legIndex: 0,
    netQty,
    avgPrice: avg === null ? null : d(avg),
    realisedPnl: d(0),
    boughtQty: netQty > 0 ? netQty : 0,
    soldQty: netQty < 0 ? -netQty : 0,
  };
}
const ltps = (entries: Record<string, number>) =>
  new Map(Object.entries(entries).map(([k, v]) => [`NFO:${k}`, d(v)] as const));

describe("premiumSide", () => {
  it("credit when more premium was sold than bought, debit otherwise, null with nothing open or an unknown average", () => {
    // Bull put spread: sold at 100, bought at 40: a credit of 60 per unit.
    expect(premiumSide([pos("a", "PE1", -65, 100), pos("a", "PE2", 65, 40)])).toBe("credit");
    // Long straddle.
    expect(premiumSide([pos("a", "CE", 65, 120), pos("a", "PE", 65, 100)])).toBe("debit");
    // Ratio: one lot sold at 50, two bought at 30: 65 × 50 − 130 × 30 < 0, a debit.
    expect(premiumSide([pos("a", "CE1", -65, 50), pos("a", "CE2", 130, 30)])).toBe("debit");
    expect(premiumSide([pos("a", "CE", 0, null)])).toBeNull();
    expect(premiumSide([pos("a", "CE", -65, null)])).toBeNull();
    expect(netPremium([pos("a", "PE1", -65, 100), pos("a", "PE2", 65, 40)])?.toString()).toBe("3900");
  });
});

describe("combinedPremium", () => {
  it("a short straddle over two accounts: each contract once, the plain sum of its LTPs", () => {
    const straddle = [
      pos("a", "CE", -65, 120),
      pos("a", "PE", -65, 100),
      pos("b", "CE", -130, 118),
      pos("b", "PE", -130, 101),
    ];
    expect(combinedPremium(straddle, ltps({ CE: 131.5, PE: 92.25 }), "credit")?.toString()).toBe("223.75");
  });

  it("a spread nets its legs in the direction of the position, and a flat contract does not count", () => {
    const spread = [pos("a", "PE1", -65, 100), pos("a", "PE2", 65, 40), pos("a", "CE9", 0, null)];
    expect(combinedPremium(spread, ltps({ PE1: 110, PE2: 45 }), "credit")?.toString()).toBe("65");
    expect(combinedPremium(spread, ltps({ PE1: 110, PE2: 45 }), "debit")?.toString()).toBe("-65");
    const long = [pos("a", "CE", 65, 120), pos("a", "PE", 65, 100)];
    expect(combinedPremium(long, ltps({ CE: 130, PE: 95 }), "debit")?.toString()).toBe("225");
  });

  it("is unknown when an open contract has no price", () => {
    expect(combinedPremium([pos("a", "CE", -65, 120), pos("a", "PE", -65, 100)], ltps({ CE: 130 }), "credit")).toBe(
      null,
    );
  });
});
