/** A copy child's rule for the pure copy tests: 1×, rounding down, no limits, enabled; `over` changes any of it. */
import Decimal from "decimal.js";
import type { CopyChildRule } from "@/lib/trading/copy/types";

export const childRule = (over: Partial<CopyChildRule> = {}): CopyChildRule => ({
  accountId: "c1",
  accountName: "child 1",
  multiplier: new Decimal(1),
  rounding: "DOWN",
  minOneLot: false,
  enabled: true,
  maxLotsPerOrder: null,
  maxOpenLots: null,
  reverse: false,
  ...over,
});
