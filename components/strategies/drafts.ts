import { strategyDefinitionSchema, strategyLegSchema, type StrategyDefinition } from "@/lib/trading/strategy";
import type { Jsonified } from "@/lib/util/jsonify";
import { legRiskDraftOf, NO_LEG_RISK, type LevelDraft } from "@/components/risk/risk-draft";

/** A stored strategy as GET /api/strategies returns it (Decimals as strings). */
export interface StrategyJson {
  id: string;
  ownerId: string;
  name: string;
  definition: Jsonified<StrategyDefinition>;
  accountIds: string[];
  accountTags: string[];
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}
export type LegJson = StrategyJson["definition"]["legs"][number];

export type StrikeKind = "ATM" | "ITM" | "OTM" | "exact" | "premium_near";
export type OrderKind = "MARKET" | "LIMIT" | "PROTECTED_LIMIT";

/** A leg as the form edits it: every number is the text in its input until the leg is built. */
export interface LegDraft {
  underlying: string;
  instrument: "options" | "futures";
  expiry: "current_week" | "next_week" | "current_month" | "next_month";
  action: "BUY" | "SELL";
  optionType: "CE" | "PE";
  strikeKind: StrikeKind;
  strikeN: string;
  strike: string;
  premium: string;
  lots: string;
  orderKind: OrderKind;
  price: string;
  band: string;
  /** The leg's own stop-loss / take-profit (the strategy's risk rules, docs/risk.md). */
  stopLoss: LevelDraft;
  takeProfit: LevelDraft;
}

/**
 * Protected LIMIT is the default order type for F&O (docs/trading-facts.md "Orders and products": some brokers refuse
 * plain MARKET).
 */
export const newLeg = (over: Partial<LegDraft> = {}): LegDraft => ({
  underlying: "NIFTY",
  instrument: "options",
  expiry: "current_week",
  action: "SELL",
  optionType: "CE",
  strikeKind: "ATM",
  strikeN: "1",
  strike: "",
  premium: "",
  lots: "1",
  orderKind: "PROTECTED_LIMIT",
  price: "",
  band: "2",
  ...NO_LEG_RISK,
  ...over,
});

const int = (s: string): number => (/^\s*\d+\s*$/.test(s) ? Number(s) : Number.NaN);

/** Every leg of a stored definition as the form edits it. */
export const draftsOf = (d: StrategyJson["definition"]): LegDraft[] => d.legs.map((l, i) => draftFromLeg(l, i, d.risk));

/** The leg in the API's JSON shape (decimal amounts stay strings; the server parses them exactly). */
export function legFromDraft(d: LegDraft): unknown {
  const orderType =
    d.orderKind === "MARKET"
      ? { kind: "MARKET" }
      : d.orderKind === "LIMIT"
        ? { kind: "LIMIT", price: d.price.trim() }
        : { kind: "PROTECTED_LIMIT", bandPercent: d.band.trim() };
  const base = {
    underlying: d.underlying.trim().toUpperCase(),
    expiry: d.expiry,
    action: d.action,
    lots: int(d.lots),
    orderType,
  };
  if (d.instrument === "futures") return { ...base, instrument: "futures" };
  const strike =
    d.strikeKind === "ATM"
      ? { kind: "ATM" }
      : d.strikeKind === "ITM" || d.strikeKind === "OTM"
        ? { kind: d.strikeKind, n: int(d.strikeN) }
        : d.strikeKind === "exact"
          ? { kind: "exact", strike: d.strike.trim() }
          : { kind: "premium_near", targetPremium: d.premium.trim() };
  return { ...base, instrument: "options", optionType: d.optionType, strike };
}

/** Leg `index` of a stored definition, with its stop-loss / take-profit from the definition's risk rules. */
function draftFromLeg(l: LegJson, index: number, risk: StrategyJson["definition"]["risk"]): LegDraft {
  const d = newLeg({
    ...legRiskDraftOf(risk, index),
    underlying: l.underlying,
    instrument: l.instrument,
    expiry: l.expiry,
    action: l.action,
    lots: String(l.lots),
    orderKind: l.orderType.kind,
  });
  if (l.orderType.kind === "LIMIT") d.price = l.orderType.price;
  if (l.orderType.kind === "PROTECTED_LIMIT") d.band = l.orderType.bandPercent;
  if (l.instrument === "options") {
    d.optionType = l.optionType;
    d.strikeKind = l.strike.kind;
    if (l.strike.kind === "ITM" || l.strike.kind === "OTM") d.strikeN = String(l.strike.n);
    if (l.strike.kind === "exact") d.strike = l.strike.strike;
    if (l.strike.kind === "premium_near") d.premium = l.strike.targetPremium;
  }
  return d;
}

/** Field errors keyed by dotted path (`legs.0.lots`), from the same zod schema the server uses. */
export type FieldErrors = Record<string, string[]>;

function issuesToFields(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix = "",
): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const key = prefix + i.path.map(String).join(".");
    (out[key] ??= []).push(i.message);
  }
  return out;
}

export function checkDefinition(def: unknown): FieldErrors {
  const r = strategyDefinitionSchema.safeParse(def);
  return r.success ? {} : issuesToFields(r.error.issues);
}

export function checkLegs(legs: unknown[]): FieldErrors {
  const out: FieldErrors = {};
  legs.forEach((l, i) => {
    const r = strategyLegSchema.safeParse(l);
    if (!r.success) Object.assign(out, issuesToFields(r.error.issues, `legs.${i}.`));
  });
  return out;
}

/** Errors under a path prefix (`legs.2.` → that leg's), joined per field. */
export function errorsAt(errors: FieldErrors, path: string): string[] | undefined {
  const hits = Object.entries(errors).filter(([k]) => k === path || k.startsWith(path + "."));
  return hits.length ? hits.flatMap(([, v]) => v) : undefined;
}

/** API field keys arrive as `definition.legs.0.lots`; the form keys them from the definition. */
export function normaliseApiFields(fields: FieldErrors | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(fields ?? {})) out[k.replace(/^definition\./, "")] = v;
  return out;
}

/** `SELL NIFTY CE OTM 1 ×1` — one line per leg for lists. */
export function legSummary(l: LegJson): string {
  const strike =
    l.instrument === "futures"
      ? "FUT"
      : `${l.optionType} ${l.strike.kind === "exact" ? l.strike.strike : l.strike.kind === "premium_near" ? `≈₹${l.strike.targetPremium}` : l.strike.kind === "ATM" ? "ATM" : `${l.strike.kind}-${l.strike.n}`}`;
  return `${l.action} ${l.underlying} ${strike} ×${l.lots}`;
}
