/**
 * Groups resolved legs into sizing units (docs/trading-facts.md "Margin and lot sizing"): a short straddle/strangle is
 * sized ONCE as a pair, a spread's BUY wing follows its SELL leg, everything else is sized alone. A long
 * straddle/strangle is also sized once (at twice the premium per lot): sized leg by leg, its first leg would eat
 * the whole budget and leave the second with nothing.
 */
import type { ResolvedLeg } from "./resolve-legs";

export type SizingUnit =
  /** A CE SELL + PE SELL of the same underlying and expiry; `legs` = [CE position, PE position]. */
  | { kind: "pair_sell"; legs: [number, number] }
  | { kind: "single_sell"; legs: [number] }
  | { kind: "futures"; legs: [number] }
  /** A BUY option with no SELL option of the same underlying and type: sized from cash ÷ premium per lot. */
  | { kind: "option_buy"; legs: [number] }
  /** A standalone CE BUY + PE BUY of the same underlying and expiry; `legs` = [CE position, PE position]. */
  | { kind: "pair_buy"; legs: [number, number] }
  /** A BUY option hedging the SELL option at position `follows`: same lots, no margin of its own. */
  | { kind: "wing"; legs: [number]; follows: number };

const isOptionSell = (l: ResolvedLeg): boolean => l.instrument === "options" && l.action === "SELL";

/** Pairs each CE leg accepted by `eligible` with the first unpaired PE leg of the same underlying and expiry. */
function pairUp(
  legs: readonly ResolvedLeg[],
  eligible: (l: ResolvedLeg) => boolean,
  pairedWith: Map<number, number>,
): void {
  legs.forEach((ce, i) => {
    if (!eligible(ce) || ce.optionType !== "CE" || pairedWith.has(i)) return;
    const j = legs.findIndex(
      (pe, k) =>
        !pairedWith.has(k) &&
        eligible(pe) &&
        pe.optionType === "PE" &&
        pe.underlying === ce.underlying &&
        pe.expiry === ce.expiry,
    );
    if (j >= 0) {
      pairedWith.set(i, j);
      pairedWith.set(j, i);
    }
  });
}

/**
 * Units in leg order (positions index `legs`). Pairing takes each CE SELL with the first unpaired PE SELL of the
 * same underlying and expiry; leftovers are single sells. A BUY option is a wing of the first SELL option of the
 * same underlying and option type, preferring the same expiry (calendar spreads hedge across expiries). BUY options
 * that are not wings pair CE with PE the same way; leftovers are standalone buys.
 */
export function sizingUnits(legs: readonly ResolvedLeg[]): SizingUnit[] {
  const sameTypeSell =
    (leg: ResolvedLeg) =>
    (s: ResolvedLeg): boolean =>
      isOptionSell(s) && s.underlying === leg.underlying && s.optionType === leg.optionType;
  const isWing = (l: ResolvedLeg): boolean =>
    l.instrument === "options" && l.action === "BUY" && legs.some(sameTypeSell(l));
  const pairedWith = new Map<number, number>();
  pairUp(legs, isOptionSell, pairedWith);
  pairUp(legs, (l) => l.instrument === "options" && l.action === "BUY" && !isWing(l), pairedWith);

  const units: SizingUnit[] = [];
  legs.forEach((leg, i) => {
    if (leg.instrument === "futures") {
      units.push({ kind: "futures", legs: [i] });
      return;
    }
    if (leg.action === "SELL") {
      const partner = pairedWith.get(i);
      if (partner === undefined) units.push({ kind: "single_sell", legs: [i] });
      // Emit the pair once, at whichever of its legs comes first, always as [CE, PE].
      else if (i < partner)
        units.push({ kind: "pair_sell", legs: leg.optionType === "CE" ? [i, partner] : [partner, i] });
      return;
    }
    const sameType = sameTypeSell(leg);
    let follows = legs.findIndex((s) => sameType(s) && s.expiry === leg.expiry);
    if (follows < 0) follows = legs.findIndex(sameType);
    if (follows >= 0) units.push({ kind: "wing", legs: [i], follows });
    else {
      const partner = pairedWith.get(i);
      if (partner === undefined) units.push({ kind: "option_buy", legs: [i] });
      else if (i < partner)
        units.push({ kind: "pair_buy", legs: leg.optionType === "CE" ? [i, partner] : [partner, i] });
    }
  });
  return units;
}
