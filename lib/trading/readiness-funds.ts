/**
 * The funds check (docs/readiness.md "Funds"): what the armed strategies that trade in an account need there, from
 * the planner's own margin model, against the account's funds. Nothing is placed: the strategy's legs are resolved
 * as a run would resolve them today, and the account is planned on paper. Pure.
 */
import Decimal from "decimal.js";
import { gradeFor, type MarginModel, type MarginSource } from "./margin-model";
import { planAccount, type AccountInput, type ConditionInput } from "./plan-account";
import type { ResolvedLeg } from "./resolve-legs";
import { formatRupees } from "./rupees";
import type { StrategyDefinition } from "./strategy";
import type { ReadinessItem } from "./readiness";

/** Below this headroom over the need (10 %) the account is AMBER: one adverse move or fee from short. */
export const FUNDS_HEADROOM = new Decimal("0.10");

/** What one strategy needs in one account. */
export interface StrategyNeed {
  name: string;
  /** Rupees, or null when no estimate could be made (`note` says why). */
  need: Decimal | null;
  /** Which figure the need is measured against: available margin, or cash (option-buyer grades). */
  source: MarginSource;
  note: string | null;
}

/**
 * A strategy's need in an account: for fixed lots, the margin of the entry as planned (lots × the account's
 * multiplier); for a quality grade, the funds at which the grade sizes one lot of every leg (one lot's margin ÷ the
 * grade's percentage), since a grade sizes whatever the funds allow and is short only when that is zero lots.
 */
export function strategyNeed(input: {
  name: string;
  strategy: StrategyDefinition;
  legs: readonly ResolvedLeg[];
  conditions: ConditionInput;
  account: AccountInput;
  marginModel: MarginModel;
}): StrategyNeed {
  const { name, strategy, legs, conditions, account, marginModel } = input;
  if (strategy.sizing.kind === "fixed") {
    const plan = planAccount(legs, strategy, account, marginModel, conditions);
    if (plan.status === "skipped") return { name, need: null, source: "available", note: plan.reason };
    return { name, need: plan.marginNeeded, source: "available", note: null };
  }
  const grade = gradeFor(marginModel, strategy.sizing.gradeId);
  if (!grade) return { name, need: null, source: "available", note: `grade ${strategy.sizing.gradeId} does not exist` };
  const oneLot = planAccount(
    legs,
    { ...strategy, sizing: { kind: "fixed" }, legs: strategy.legs.map((l) => ({ ...l, lots: 1 })) },
    { ...account, lotMultiplier: new Decimal(1), maxLotsPerLeg: null },
    marginModel,
    conditions,
  );
  if (oneLot.status === "skipped") return { name, need: null, source: grade.source, note: oneLot.reason };
  return {
    name,
    need: oneLot.marginNeeded.mul(100).div(grade.percent).toDecimalPlaces(0, Decimal.ROUND_UP),
    source: grade.source,
    note: `grade ${grade.id} (${grade.percent.toString()} %) sizes one lot from ${formatRupees(oneLot.marginNeeded)}`,
  };
}

const LABEL: Record<MarginSource, string> = { available: "Margin", cash: "Cash" };

/** Headroom as a percentage of the need, for the words: `(have − need) ÷ need`. */
const headroomText = (have: Decimal, need: Decimal) =>
  need.gt(0) ? `${have.minus(need).div(need).mul(100).toDecimalPlaces(0, Decimal.ROUND_DOWN).toString()} % above` : "";

export function fundsVerdict(
  funds: { availableMargin: Decimal; cash: Decimal },
  needs: readonly StrategyNeed[],
): ReadinessItem {
  if (needs.length === 0)
    return {
      check: "funds",
      status: "GREEN",
      detail: `Margin ${formatRupees(funds.availableMargin)} available; no armed strategy trades in this account`,
      fix: null,
    };
  const lines: string[] = [];
  const short: string[] = [];
  const tight: string[] = [];
  for (const source of ["available", "cash"] as const) {
    const mine = needs.filter((n) => n.source === source && n.need !== null);
    if (mine.length === 0) continue;
    const have = source === "available" ? funds.availableMargin : funds.cash;
    const need = mine.reduce((a, n) => a.plus(n.need!), new Decimal(0));
    const each = mine.map((n) => `${n.name} ${formatRupees(n.need!)}`).join(", ");
    lines.push(`${LABEL[source]} ${formatRupees(have)} available; strategies need ${formatRupees(need)} (${each})`);
    if (have.lt(need)) short.push(`${formatRupees(need.minus(have))} more ${LABEL[source].toLowerCase()}`);
    else if (have.lt(need.mul(FUNDS_HEADROOM.plus(1))))
      tight.push(`${LABEL[source].toLowerCase()} only ${headroomText(have, need)} the need`);
  }
  const unknown = needs.filter((n) => n.need === null).map((n) => `${n.name}: ${n.note ?? "no estimate"}`);
  if (unknown.length) lines.push(`not estimated: ${unknown.join("; ")}`);
  const detail = lines.join(". ");
  if (short.length)
    return {
      check: "funds",
      status: "RED",
      detail,
      fix: `Add at least ${short.join(" and ")} to the account before the open, or lower the strategies' lots.`,
    };
  if (tight.length || unknown.length)
    return {
      check: "funds",
      status: "AMBER",
      detail: tight.length ? `${detail}. Headroom: ${tight.join(", ")}` : detail,
      fix: tight.length
        ? "Add funds or lower the strategies' lots: less than 10 % headroom over the need."
        : "Preview the strategies named to see why they cannot be sized for this account.",
    };
  return { check: "funds", status: "GREEN", detail, fix: null };
}
