import { describe, expect, it } from "vitest";
import { riskRulesSchema } from "@/lib/trading/risk/rules";
import { strategyDefinitionSchema } from "@/lib/trading/strategy";
import { jsonify } from "@/lib/util/jsonify";
import {
  armsNothing,
  buildRules,
  legRiskDraftOf,
  NO_LEG_RISK,
  riskDraftOf,
  rulesErrors,
  type RulesJson,
} from "@/components/risk/risk-draft";

/** Rules as the API returns them: parsed by the server's schema, decimals as strings. */
const stored = (input: unknown): RulesJson => jsonify(riskRulesSchema.parse(input));

const FULL = stored({
  maxLoss: "10000",
  target: "7500.50",
  trailing: { distance: { kind: "percent", value: "20" }, activateAt: "3000" },
  legs: [
    { legIndex: 0, stopLoss: { kind: "percent", value: "30" } },
    { legIndex: 2, stopLoss: { kind: "points", value: "25" }, takeProfit: { kind: "premium", value: "12.5" } },
  ],
  legStopMode: "BROKER",
  supertrend: { timeframeMinutes: 15, period: 7, multiplier: "2.5" },
  timeExit: "15:05",
});

/** Server-side validation of a rules body, its issue paths dotted under `prefix` as the API names fields. */
function serverFields(body: unknown, prefix: string): Record<string, string[]> {
  const r = riskRulesSchema.safeParse(body);
  const out: Record<string, string[]> = {};
  for (const i of r.success ? [] : r.error.issues) (out[[prefix, ...i.path].join(".")] ??= []).push(i.message);
  return out;
}

describe("risk rules drafts", () => {
  it("an unset strategy edits as empty rules that arm nothing", () => {
    const d = riskDraftOf(null);
    expect(d).toMatchObject({ maxLoss: "", target: "", trailing: { kind: "" }, timeExit: "", legStopMode: "WATCH" });
    expect(d.supertrend.on).toBe(false);
    const { rules, legIndexes } = buildRules(d, [{ legIndex: 0, ...NO_LEG_RISK }]);
    expect(armsNothing(rules)).toBe(true);
    expect(legIndexes).toEqual([]);
    expect(riskRulesSchema.parse(rules)).toMatchObject({ legs: [], legStopMode: "WATCH" });
  });

  it("round-trips stored rules through the form unchanged", () => {
    const legs = [0, 1, 2].map((legIndex) => ({ legIndex, ...legRiskDraftOf(FULL, legIndex) }));
    const { rules, legIndexes } = buildRules(riskDraftOf(FULL), legs);
    expect(legIndexes).toEqual([0, 2]);
    expect(armsNothing(rules)).toBe(false);
    // A leg without one of its levels is sent as null (as good as absent).
    const withoutNulls = (v: unknown) => JSON.parse(JSON.stringify(v, (_, x) => (x === null ? undefined : x)));
    expect(withoutNulls(stored(rules))).toEqual(FULL);
  });

  it("a switched-on Supertrend starts from period 10, × 3 on 5-minute candles", () => {
    const d = riskDraftOf(null);
    const { rules } = buildRules({ ...d, supertrend: { ...d.supertrend, on: true } }, []);
    expect(stored(rules).supertrend).toEqual({ timeframeMinutes: 5, period: 10, multiplier: "3" });
  });

  it("keeps what was typed so the server names the field, and puts a leg's error on that leg", () => {
    const d = riskDraftOf(null);
    const { rules, legIndexes } = buildRules(
      {
        ...d,
        maxLoss: "-5",
        trailing: { kind: "points", value: "" },
        supertrend: { on: true, timeframeMinutes: "5", period: "1.5", multiplier: "3" },
        timeExit: "25:00",
      },
      [
        { legIndex: 0, ...NO_LEG_RISK },
        { legIndex: 3, stopLoss: { kind: "percent", value: "abc" }, takeProfit: { kind: "", value: "" } },
      ],
    );
    const errors = rulesErrors(serverFields(rules, "rules"), "rules", legIndexes);
    expect(Object.keys(errors).sort()).toEqual([
      "leg.3.stopLoss",
      "maxLoss",
      "supertrend.period",
      "timeExit",
      "trailing.distance.value",
    ]);
    expect(errors.maxLoss).toEqual(["maxLoss must be greater than zero"]);
    expect(errors["leg.3.stopLoss"]?.join(" ")).toMatch(/percent/);
  });

  it("reads a strategy's risk errors under definition.risk, and ignores other fields", () => {
    const { rules, legIndexes } = buildRules({ ...riskDraftOf(null), target: "0" }, [
      { legIndex: 1, stopLoss: NO_LEG_RISK.stopLoss, takeProfit: { kind: "points", value: "0" } },
    ]);
    const parsed = strategyDefinitionSchema.safeParse({ legs: [], risk: rules });
    const fields: Record<string, string[]> = { name: ["Enter a name"] };
    for (const i of parsed.success ? [] : parsed.error.issues) (fields[i.path.join(".")] ??= []).push(i.message);
    const errors = rulesErrors(fields, "risk", legIndexes);
    expect(Object.keys(errors).sort()).toEqual(["leg.1.takeProfit", "target"]);
  });
});
