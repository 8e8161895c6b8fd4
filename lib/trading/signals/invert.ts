/**
 * The SHORT side of a strategy (docs/webhooks.md "Target position"): the same legs with every action flipped. The
 * planner still orders the flipped legs hedge first (BUY legs before SELL legs), so a reversed short straddle with
 * wings buys its former SELL legs first.
 */
import type { OrderAction, StrategyDefinition } from "@/lib/trading/strategy";

export function reversedDefinition(def: StrategyDefinition): StrategyDefinition {
  return { ...def, legs: def.legs.map((leg) => ({ ...leg, action: flip(leg.action) })) };
}

function flip(action: OrderAction): OrderAction {
  return action === "BUY" ? "SELL" : "BUY";
}
