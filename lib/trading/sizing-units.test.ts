import { describe, expect, it } from "vitest";
import type { ResolvedLeg } from "./resolve-legs";
import { sizingUnits } from "./sizing-units";

type Spec = `${"BUY" | "SELL"} ${"CE" | "PE" | "FUT"}` | `${"BUY" | "SELL"} ${"CE" | "PE" | "FUT"} ${string}`;

/** "SELL CE", "BUY PE SENSEX", "SELL CE NIFTY 2026-12-29" → a resolved leg (only the fields sizing reads matter). */
function legs(...specs: Spec[]): ResolvedLeg[] {
  return specs.map((spec, legIndex) => {
    const [action, type, underlying = "NIFTY", expiry = "2026-11-24"] = spec.split(" ");
    const fut = type === "FUT";
    return {
      legIndex,
      underlying,
      instrument: fut ? "futures" : "options",
      action: action as "BUY" | "SELL",
      optionType: fut ? null : (type as "CE" | "PE"),
      symbol: `${underlying}${legIndex}${type}`,
      exchange: "NFO",
      expiry,
      strike: null,
      lotSize: 65,
      freezeQty: 1755,
      sliceLots: 27,
      priceType: "MARKET",
      price: null,
      referencePrice: null,
      warnings: [],
    };
  });
}

describe("sizingUnits", () => {
  it.each<[string, Spec[], unknown[]]>([
    ["short straddle → one pair", ["SELL CE", "SELL PE"], [{ kind: "pair_sell", legs: [0, 1] }]],
    [
      "pair listed PE first is still [CE, PE], at the first leg",
      ["SELL PE", "SELL CE"],
      [{ kind: "pair_sell", legs: [1, 0] }],
    ],
    [
      "iron condor → wings follow their short legs, shorts form a pair",
      ["BUY CE", "BUY PE", "SELL CE", "SELL PE"],
      [
        { kind: "wing", legs: [0], follows: 2 },
        { kind: "wing", legs: [1], follows: 3 },
        { kind: "pair_sell", legs: [2, 3] },
      ],
    ],
    [
      "bear call spread → single sell + wing",
      ["SELL CE", "BUY CE"],
      [
        { kind: "single_sell", legs: [0] },
        { kind: "wing", legs: [1], follows: 0 },
      ],
    ],
    ["long straddle → one long pair", ["BUY CE", "BUY PE"], [{ kind: "pair_buy", legs: [0, 1] }]],
    [
      "long legs of different expiries stay standalone",
      ["BUY CE NIFTY 2026-11-24", "BUY PE NIFTY 2026-12-29"],
      [
        { kind: "option_buy", legs: [0] },
        { kind: "option_buy", legs: [1] },
      ],
    ],
    [
      "a wing never joins a long pair",
      ["SELL CE", "BUY CE", "BUY PE"],
      [
        { kind: "single_sell", legs: [0] },
        { kind: "wing", legs: [1], follows: 0 },
        { kind: "option_buy", legs: [2] },
      ],
    ],
    [
      "different underlyings never pair",
      ["SELL CE NIFTY", "SELL PE SENSEX"],
      [
        { kind: "single_sell", legs: [0] },
        { kind: "single_sell", legs: [1] },
      ],
    ],
    [
      "different expiries never pair",
      ["SELL CE NIFTY 2026-11-24", "SELL PE NIFTY 2026-12-29"],
      [
        { kind: "single_sell", legs: [0] },
        { kind: "single_sell", legs: [1] },
      ],
    ],
    [
      "two CE shorts and one PE short → one pair and one single",
      ["SELL CE", "SELL CE", "SELL PE"],
      [
        { kind: "pair_sell", legs: [0, 2] },
        { kind: "single_sell", legs: [1] },
      ],
    ],
    [
      "calendar spread: the wing follows a short of another expiry when none shares its own",
      ["SELL CE NIFTY 2026-11-24", "BUY CE NIFTY 2026-12-29"],
      [
        { kind: "single_sell", legs: [0] },
        { kind: "wing", legs: [1], follows: 0 },
      ],
    ],
    [
      "a wing prefers the short of its own expiry",
      ["SELL CE NIFTY 2026-12-29", "SELL CE NIFTY 2026-11-24", "BUY CE NIFTY 2026-11-24"],
      [
        { kind: "single_sell", legs: [0] },
        { kind: "single_sell", legs: [1] },
        { kind: "wing", legs: [2], follows: 1 },
      ],
    ],
    [
      "a BUY PE is not a wing of a SELL CE",
      ["SELL CE", "BUY PE"],
      [
        { kind: "single_sell", legs: [0] },
        { kind: "option_buy", legs: [1] },
      ],
    ],
    [
      "futures are their own units whatever the side",
      ["BUY FUT", "SELL FUT"],
      [
        { kind: "futures", legs: [0] },
        { kind: "futures", legs: [1] },
      ],
    ],
  ])("%s", (_label, specs, want) => {
    expect(sizingUnits(legs(...specs))).toEqual(want);
  });
});
