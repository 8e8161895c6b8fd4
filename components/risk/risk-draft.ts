import type { LevelSpec, RiskRules } from "@/lib/trading/risk/rules";
import type { Jsonified } from "@/lib/util/jsonify";

/**
 * Risk rules as a form edits them (the strategy form's Risk section and a live run's inline editor): every number is
 * the text in its input until the rules are built, and the built rules keep decimals as strings for the server to
 * parse exactly (lib/trading/risk/rules.ts `riskRulesSchema`).
 */
export type RulesJson = Jsonified<RiskRules>;
export type LevelKind = LevelSpec["kind"];

/** A level: no kind = no rule. */
export interface LevelDraft {
  kind: LevelKind | "";
  value: string;
}

export interface LegRiskDraft {
  stopLoss: LevelDraft;
  takeProfit: LevelDraft;
}

export interface RiskDraft {
  maxLoss: string;
  target: string;
  trailing: LevelDraft;
  trailActivateAt: string;
  legStopMode: "WATCH" | "BROKER";
  supertrend: { on: boolean; timeframeMinutes: string; period: string; multiplier: string };
  timeExit: string;
}

export const NO_LEVEL: LevelDraft = { kind: "", value: "" };
export const NO_LEG_RISK: LegRiskDraft = { stopLoss: NO_LEVEL, takeProfit: NO_LEVEL };

/** Supertrend's usual setting (10, 3) on 5-minute candles: the values filled in when a trader switches it on. */
const SUPERTREND_DEFAULTS = { timeframeMinutes: "5", period: "10", multiplier: "3" };

const levelDraft = (l: { kind: LevelKind; value: string } | null | undefined): LevelDraft =>
  l ? { kind: l.kind, value: l.value } : NO_LEVEL;

export function riskDraftOf(rules: RulesJson | null | undefined): RiskDraft {
  const st = rules?.supertrend;
  return {
    maxLoss: rules?.maxLoss ?? "",
    target: rules?.target ?? "",
    trailing: levelDraft(rules?.trailing?.distance),
    trailActivateAt: rules?.trailing?.activateAt ?? "",
    legStopMode: rules?.legStopMode ?? "WATCH",
    supertrend: st
      ? {
          on: true,
          timeframeMinutes: String(st.timeframeMinutes),
          period: String(st.period),
          multiplier: st.multiplier,
        }
      : { on: false, ...SUPERTREND_DEFAULTS },
    timeExit: rules?.timeExit ?? "",
  };
}

/** Leg `legIndex`'s stop-loss / take-profit from stored rules. */
export function legRiskDraftOf(rules: RulesJson | null | undefined, legIndex: number): LegRiskDraft {
  const l = rules?.legs.find((x) => x.legIndex === legIndex);
  return { stopLoss: levelDraft(l?.stopLoss), takeProfit: levelDraft(l?.takeProfit) };
}

const text = (s: string) => s.trim() || null;
const level = (l: LevelDraft): LevelBody => (l.kind ? { kind: l.kind, value: l.value.trim() } : null);
/** A whole number as typed, else the text itself (the schema then names the field). */
const int = (s: string): number | string => (/^\s*\d+\s*$/.test(s) ? Number(s) : s.trim());

type LevelBody = { kind: LevelKind; value: string } | null;
/** Rules as sent to the server: the schema's input with every number still as typed. */
export interface RulesBody {
  maxLoss: string | null;
  target: string | null;
  trailing: { distance: LevelBody; activateAt: string | null } | null;
  legs: { legIndex: number; stopLoss: LevelBody; takeProfit: LevelBody }[];
  legStopMode: "WATCH" | "BROKER";
  supertrend: { timeframeMinutes: number | string; period: number | string; multiplier: string } | null;
  timeExit: string | null;
}

/**
 * The rules to send, and which leg each entry of `legs` is (a field error `legs.<n>.…` names an entry, not a leg):
 * `legs` holds only legs with a stop-loss or take-profit.
 */
export function buildRules(
  d: RiskDraft,
  legs: readonly (LegRiskDraft & { legIndex: number })[],
): { rules: RulesBody; legIndexes: number[] } {
  const withRules = legs.filter((l) => l.stopLoss.kind || l.takeProfit.kind);
  const rules: RulesBody = {
    maxLoss: text(d.maxLoss),
    target: text(d.target),
    trailing: d.trailing.kind ? { distance: level(d.trailing), activateAt: text(d.trailActivateAt) } : null,
    legs: withRules.map((l) => ({
      legIndex: l.legIndex,
      stopLoss: level(l.stopLoss),
      takeProfit: level(l.takeProfit),
    })),
    legStopMode: d.legStopMode,
    supertrend: d.supertrend.on
      ? {
          timeframeMinutes: int(d.supertrend.timeframeMinutes),
          period: int(d.supertrend.period),
          multiplier: d.supertrend.multiplier.trim(),
        }
      : null,
    timeExit: text(d.timeExit),
  };
  return { rules, legIndexes: withRules.map((l) => l.legIndex) };
}

/** True when the built rules arm nothing (a strategy then stores no rules). */
export function armsNothing(r: RulesBody): boolean {
  return !r.maxLoss && !r.target && !r.trailing && !r.supertrend && !r.timeExit && r.legs.length === 0;
}

/**
 * The errors under `prefix` (`risk` in a strategy's definition, `rules` in a live run's change), keyed from the rules'
 * root; an entry of `legs` is re-keyed by its leg: `legs.0.stopLoss.value` of the first entry, leg 2, becomes
 * `leg.2.stopLoss`.
 */
export function rulesErrors(
  fields: Record<string, string[]> | undefined,
  prefix: string,
  legIndexes: readonly number[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(fields ?? {})) {
    if (key !== prefix && !key.startsWith(prefix + ".")) continue;
    let rest = key === prefix ? "" : key.slice(prefix.length + 1);
    const leg = /^legs\.(\d+)\.(stopLoss|takeProfit)/.exec(rest);
    const legIndex = leg ? legIndexes[Number(leg[1])] : undefined;
    if (leg && legIndex !== undefined) rest = `leg.${legIndex}.${leg[2]}`;
    (out[rest] ??= []).push(...messages);
  }
  return out;
}
