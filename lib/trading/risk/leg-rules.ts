/**
 * Leg stop-loss / take-profit of one run as the engine watches them (WATCH mode, docs/risk.md "Leg rules"): per leg,
 * every contract it holds open, its level from the leg's average entry, the live premium and the distance. Legs whose
 * stops rest at the broker (BROKER mode) and legs already exited are reported, never fired. Pure.
 */
import Decimal from "decimal.js";
import { legBreached, legDistance, legEntry, legLevel, type LegRuleKind } from "./leg-levels";
import { describeProblem } from "./price-check";
import { contractOf, isOpen } from "./run-book";
import type { Breach, RunRiskInput } from "./run-input";
import type { RiskRule, RuleStatus } from "./snapshot";

const LEG_RULES: readonly { kind: LegRuleKind; rule: RiskRule; words: string }[] = [
  { kind: "stopLoss", rule: "LEG_STOP_LOSS", words: "stop-loss" },
  { kind: "takeProfit", rule: "LEG_TAKE_PROFIT", words: "take-profit" },
];

/** Leg stop-loss / take-profit of the legs the engine watches (WATCH mode), per contract the leg holds open. */
export function legRules(
  input: RunRiskInput,
  ltps: ReadonlyMap<string, Decimal>,
): { statuses: RuleStatus[]; breaches: Breach[] } {
  const statuses: RuleStatus[] = [];
  const breaches: Breach[] = [];
  for (const leg of input.rules.legs) {
    for (const { kind, rule, words } of LEG_RULES) {
      const spec = leg[kind];
      if (!spec) continue;
      const base = { rule, legIndex: leg.legIndex, level: null, observed: null, distance: null };
      if (input.firedLegs.includes(leg.legIndex)) {
        statuses.push({ ...base, state: "fired" });
        continue;
      }
      if (input.rules.legStopMode === "BROKER") {
        statuses.push({
          ...base,
          state: input.paused ? "paused" : "waiting",
          note: "resting at the broker as an order",
        });
        continue;
      }
      const held = input.positions.filter((p) => p.legIndex === leg.legIndex && isOpen(p));
      const contracts = [...new Set(held.map(contractOf))];
      if (contracts.length === 0) {
        statuses.push({ ...base, state: input.paused ? "paused" : "waiting", note: "no open position in this leg" });
        continue;
      }
      // The contract nearest its level speaks for the leg (a leg re-placed by an adjustment can hold two).
      let worst: RuleStatus | null = null;
      let hit: Breach | null = null;
      for (const key of contracts) {
        const e = legEntry(held.filter((p) => contractOf(p) === key));
        const level = e && legLevel(spec, e.entry, e.side, kind);
        const ltp = ltps.get(key) ?? null;
        const priced = e && level && ltp;
        const price = input.prices.get(key);
        const status: RuleStatus = {
          ...base,
          level: level?.toString() ?? null,
          observed: ltp?.toString() ?? null,
          distance: priced ? legDistance(ltp, level, e.side, kind).toString() : null,
          state: input.paused
            ? "paused"
            : priced
              ? "armed"
              : price && !price.check.ok && price.kind === "stale"
                ? "skipped_stale"
                : "waiting",
          ...(priced
            ? {}
            : { note: price && !price.check.ok ? describeProblem(key, price.check) : `${key}: no entry price` }),
        };
        if (
          !worst ||
          (status.distance !== null && (worst.distance === null || new Decimal(status.distance).lt(worst.distance)))
        )
          worst = status;
        if (priced && !input.paused && legBreached(ltp, level, e.side, kind) && !hit)
          hit = {
            rule,
            legIndex: leg.legIndex,
            threshold: level,
            observed: ltp,
            message: `leg ${leg.legIndex + 1} (${key}) premium ${ltp} reached its ${words} at ${level.toDecimalPlaces(2)} (entry ${e.entry.toDecimalPlaces(2)})`,
            confirm: true,
          };
      }
      statuses.push(worst!);
      if (hit) breaches.push(hit);
    }
  }
  return { statuses, breaches };
}
