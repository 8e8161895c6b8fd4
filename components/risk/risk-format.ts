import Decimal from "decimal.js";
import { z } from "zod";
import { formatInr, formatTimeIst } from "@/lib/format";
import type { RiskRule, RiskSnapshot, RuleState, RuleStatus } from "@/lib/trading/risk/snapshot";
import type { RulesJson } from "@/components/risk/risk-draft";
import type { RiskEventJson, RiskRunJson } from "@/lib/services/risk";

/** How the Risk page and the strategy page name rules, states and risk events. */
export const RULE_LABEL: Record<RiskRule, string> = {
  MAX_LOSS: "Max loss",
  TARGET: "Target",
  TRAILING_STOP: "Trailing stop",
  LEG_STOP_LOSS: "Stop-loss",
  LEG_TAKE_PROFIT: "Take-profit",
  SUPERTREND: "Supertrend",
  TIME_EXIT: "Time exit",
  DAILY_LOSS_LIMIT: "Daily loss limit",
};

export const ACTION_LABEL: Record<RiskEventJson["action"], string> = {
  EXIT: "Exit started",
  SKIPPED_STALE: "Skipped: stale price",
  BLOCK_ENTRIES: "Entries blocked",
  CHANGED: "Changed",
  PAUSED: "Paused",
  RESUMED: "Resumed",
};

/** What a row's chip says: the engine's state, or what the page knows better (paused, fired, leg already exited). */
export type RowState = RuleState | "leg_exited" | "unevaluated";
export const STATE_CHIP: Record<RowState, { text: string; tone: "green" | "red" | "amber" | "slate" | "blue" }> = {
  armed: { text: "armed", tone: "green" },
  waiting: { text: "waiting", tone: "slate" },
  paused: { text: "paused", tone: "amber" },
  fired: { text: "fired", tone: "red" },
  skipped_stale: { text: "skipped – stale prices", tone: "amber" },
  leg_exited: { text: "leg exited", tone: "slate" },
  unevaluated: { text: "not evaluated yet", tone: "slate" },
};

const LEG_RULES: readonly RiskRule[] = ["LEG_STOP_LOSS", "LEG_TAKE_PROFIT"];
/** Rules whose levels are ₹ of the run's P&L; the others are premium per unit. */
const RUPEE_RULES: readonly RiskRule[] = ["MAX_LOSS", "TARGET", "TRAILING_STOP", "DAILY_LOSS_LIMIT"];

export const ruleLabel = (rule: RiskRule, legIndex?: number | null) =>
  legIndex === undefined || legIndex === null
    ? RULE_LABEL[rule]
    : `Leg ${legIndex + 1} ${RULE_LABEL[rule].toLowerCase()}`;

type Level = { kind: "percent" | "points" | "amount" | "premium"; value: string };

/** A level as set: `30 % of entry`, `20 pts`, `at ₹150.00`; a trail's distance is of the run, not of a leg. */
export function levelText(l: Level, of: "leg" | "trail"): string {
  switch (l.kind) {
    case "percent":
      return `${l.value} % of ${of === "leg" ? "entry" : "net premium"}`;
    case "points":
      return of === "leg" ? `${l.value} pts` : `${l.value} pts × quantity`;
    case "amount":
      return formatInr(l.value);
    case "premium":
      return `at ${formatInr(l.value)}`;
  }
}

export interface RuleSetting {
  key: string;
  rule: RiskRule;
  legIndex?: number;
  label: string;
  setting: string;
}

const key = (rule: RiskRule, legIndex?: number) => (legIndex === undefined ? rule : `${rule}:${legIndex}`);

/** Every rule the rules arm, in one fixed order, with its setting as a trader reads it. */
export function ruleSettings(rules: RulesJson): RuleSetting[] {
  const out: RuleSetting[] = [];
  const add = (rule: RiskRule, setting: string, legIndex?: number) =>
    out.push({ key: key(rule, legIndex), rule, legIndex, label: ruleLabel(rule, legIndex), setting });
  if (rules.maxLoss) add("MAX_LOSS", `${formatInr(rules.maxLoss)} loss`);
  if (rules.target) add("TARGET", `${formatInr(rules.target)} profit`);
  if (rules.trailing) {
    const from = rules.trailing.activateAt ? `, trails from +${formatInr(rules.trailing.activateAt)}` : "";
    add("TRAILING_STOP", `${levelText(rules.trailing.distance, "trail")} below the peak${from}`);
  }
  for (const l of [...rules.legs].sort((a, b) => a.legIndex - b.legIndex)) {
    if (l.stopLoss) add("LEG_STOP_LOSS", levelText(l.stopLoss, "leg"), l.legIndex);
    if (l.takeProfit) add("LEG_TAKE_PROFIT", levelText(l.takeProfit, "leg"), l.legIndex);
  }
  if (rules.supertrend) {
    const s = rules.supertrend;
    add("SUPERTREND", `${s.timeframeMinutes} min candles, period ${s.period}, × ${s.multiplier}`);
  }
  if (rules.timeExit) add("TIME_EXIT", `at ${rules.timeExit} IST`);
  return out;
}

/** Where leg stops live, as the strategy form and the Risk page say it. */
export const LEG_STOP_MODE_TEXT = {
  WATCH: {
    title: "Watched by MirrorDesk",
    line: "The worker watches each leg's premium and exits that leg through MirrorDesk when its level is crossed.",
  },
  BROKER: {
    title: "SL orders at the broker",
    line: "A stop-loss order rests at each account's broker for each leg, adjusted or cancelled as the position changes.",
  },
} as const;

const dec = (v: string | null | undefined): Decimal | null => {
  if (v === null || v === undefined || v === "") return null;
  try {
    const d = new Decimal(v);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
};

/** A level or an observed value: ₹ for run-level rules, premium per unit for the others. */
export function formatValue(rule: RiskRule, v: string | null): string {
  const d = dec(v);
  if (!d) return v ?? "—";
  return RUPEE_RULES.includes(rule) ? formatInr(d) : `${formatInr(d)}/unit`;
}

/** How far a rule is from firing: `₹4,000.00 to go`, `12.50 pts to go`, or `breached` (distance ≤ 0). */
export function formatDistance(rule: RiskRule, distance: string | null): string {
  const d = dec(distance);
  if (!d) return "—";
  if (d.lte(0)) return "breached";
  return RUPEE_RULES.includes(rule) ? `${formatInr(d)} to go` : `${d.toFixed(2)} pts to go`;
}

/**
 * Share (0–1) of a rule's cushion already used, for the bar: the cushion is the distance with nothing gained or lost
 * (max loss and target: their amount; the trail: peak − stop; a leg level in points: the points). Null when the
 * cushion is not known from what the page has (a level as % of an entry price it does not see).
 */
export function cushionUsed(
  status: Pick<RuleStatus, "rule" | "legIndex" | "distance">,
  rules: RulesJson,
  trail: RiskSnapshot["trail"],
): number | null {
  const distance = dec(status.distance);
  if (!distance) return null;
  let cushion: Decimal | null = null;
  if (status.rule === "MAX_LOSS") cushion = dec(rules.maxLoss);
  else if (status.rule === "TARGET") cushion = dec(rules.target);
  else if (status.rule === "TRAILING_STOP" && trail) cushion = dec(trail.peak)?.minus(trail.stop) ?? null;
  else if (LEG_RULES.includes(status.rule)) {
    const leg = rules.legs.find((l) => l.legIndex === status.legIndex);
    const level = status.rule === "LEG_STOP_LOSS" ? leg?.stopLoss : leg?.takeProfit;
    if (level?.kind === "points") cushion = dec(level.value);
  }
  if (!cushion || cushion.lte(0)) return null;
  const used = new Decimal(1).minus(distance.div(cushion));
  return Decimal.min(1, Decimal.max(0, used)).toNumber();
}

/** Minutes from the evaluation to a time exit at `HH:MM` IST on the evaluation's IST day (negative: past it). */
export function minutesToTimeExit(hhmm: string, at: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const t = Date.parse(at);
  if (!m || Number.isNaN(t)) return null;
  // IST is UTC+05:30 all year (no daylight saving).
  const istMinutes = Math.floor((t + 330 * 60_000) / 60_000) % (24 * 60);
  return Number(m[1]) * 60 + Number(m[2]) - istMinutes;
}

export interface RuleRow extends RuleSetting {
  level: string;
  observed: string;
  distance: string;
  breached: boolean;
  used: number | null;
  state: RowState;
  note?: string;
}

/**
 * One row per rule the run arms, with the engine's latest evaluation of it: configured rules come from `rules`, their
 * levels, observed values and distances from the snapshot. A fired run shows its fired rule as fired and the rest as
 * the engine left them; a paused run shows every unfired rule paused.
 */
export function ruleRows(
  run: Pick<RiskRunJson, "rules" | "paused" | "firedRule" | "firedLegs" | "snapshot">,
): RuleRow[] {
  const snap = run.snapshot;
  const statusOf = (s: RuleSetting) =>
    snap?.rules.find((r) => r.rule === s.rule && (r.legIndex ?? null) === (s.legIndex ?? null));
  const settings = ruleSettings(run.rules);
  // A status the engine reports for a rule the rules do not name (it knows better) still gets its row.
  for (const s of snap?.rules ?? []) {
    if (!settings.some((x) => x.rule === s.rule && (x.legIndex ?? null) === (s.legIndex ?? null)))
      settings.push({
        key: key(s.rule, s.legIndex),
        rule: s.rule,
        legIndex: s.legIndex,
        label: ruleLabel(s.rule, s.legIndex),
        setting: "—",
      });
  }
  return settings.map((s) => {
    const st = statusOf(s);
    const leg = s.legIndex !== undefined;
    let state: RowState = st?.state ?? "unevaluated";
    if (run.firedRule === s.rule) state = "fired";
    else if (leg && run.firedLegs.includes(s.legIndex!) && state !== "fired") state = "leg_exited";
    else if (run.paused && !run.firedRule && state !== "fired") state = "paused";
    const distance = dec(st?.distance ?? null);
    const row: RuleRow = {
      ...s,
      level: formatValue(s.rule, st?.level ?? null),
      observed: formatValue(s.rule, st?.observed ?? null),
      distance: formatDistance(s.rule, st?.distance ?? null),
      breached: !!distance && distance.lte(0),
      used: st ? cushionUsed(st, run.rules, snap?.trail ?? null) : null,
      state,
      note: st?.note,
    };
    if (s.rule === "TIME_EXIT" && run.rules.timeExit) {
      row.level = `${run.rules.timeExit} IST`;
      const left = snap ? minutesToTimeExit(run.rules.timeExit, snap.at) : null;
      row.observed = snap ? formatTimeIst(snap.at) : "—";
      // Later today: minutes to go. Past it, the engine's note says whether it is due (a run triggered after the time
      // is due on the next trading day).
      row.distance = left !== null && left > 0 ? `${left} min to go` : "—";
    }
    return row;
  });
}

/** Text colour of an amount by its sign. */
export function signTone(v: string | null): string {
  const d = dec(v);
  if (!d || d.isZero()) return "";
  return d.isNegative() ? "text-rose-600 dark:text-rose-400" : "text-emerald-600 dark:text-emerald-400";
}

const usedPriceSchema = z.object({
  exchange: z.string(),
  symbol: z.string(),
  ltp: z.union([z.string(), z.number()]).nullish(),
  at: z.union([z.string(), z.number()]).nullish(),
  /** `feed` (the live feed) or `rest` (a REST fallback). */
  source: z.string().nullish(),
  /** Why the price could not be used (stale, zero, rest, none). */
  problem: z.string().nullish(),
});
export type UsedPrice = z.infer<typeof usedPriceSchema>;

/** The prices a risk event names, as far as they can be read (an entry of another shape is left out). */
export function pricesOf(raw: readonly unknown[]): UsedPrice[] {
  return raw.flatMap((p) => {
    const r = usedPriceSchema.safeParse(p);
    return r.success ? [r.data] : [];
  });
}

/** What was wrong with a price, if anything: its problem, or a source other than the live feed. */
export function priceFlag(p: UsedPrice): string | null {
  if (p.problem) return p.problem;
  return p.source && p.source !== "feed" ? p.source : null;
}

/** Risk events written together for several rules (a pause speaks for every armed rule), shown as one row. */
export interface EventRow {
  event: RiskEventJson;
  /** The rules it concerns, as named on the page. */
  rules: string[];
}

const sameDecision = (a: RiskEventJson, b: RiskEventJson) =>
  a.action === b.action &&
  a.createdAt === b.createdAt &&
  a.message === b.message &&
  a.actorName === b.actorName &&
  a.accountId === b.accountId &&
  a.exitId === b.exitId &&
  a.threshold === b.threshold &&
  a.observed === b.observed &&
  JSON.stringify(a.prices) === JSON.stringify(b.prices);

/** Newest first, events that differ only in their rule merged into one row. */
export function eventRows(events: readonly RiskEventJson[]): EventRow[] {
  const out: EventRow[] = [];
  for (const e of [...events].sort((a, b) => b.createdAt.localeCompare(a.createdAt))) {
    const label = ruleLabel(e.rule, e.legIndex);
    const same = out.find((r) => sameDecision(r.event, e));
    if (!same) out.push({ event: e, rules: [label] });
    else if (!same.rules.includes(label)) same.rules.push(label);
  }
  return out;
}
