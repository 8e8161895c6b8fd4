/**
 * Per-account planning: lots per leg (fixed × multiplier, or the quality-grade model), quantity, slices and
 * hedge-first phases. Pure; the resolved legs are shared by every account of the run.
 */
import Decimal from "decimal.js";
import { sliceQuantities } from "./instruments";
import {
  gradeFor,
  marginPerLot,
  marginsFor,
  usableFunds,
  type MarginKind,
  type MarginModel,
  type MarketCondition,
  type MarginSource,
} from "./margin-model";
import type { ResolvedLeg } from "./resolve-legs";
import { sizingUnits, type SizingUnit } from "./sizing-units";
import { phaseOf, type OrderAction, type Product, type StrategyDefinition } from "./strategy";
import { formatRupees } from "./rupees";

export interface AccountInput {
  id: string;
  name: string;
  /**
   * availableMargin = availablecash + collateral; cash = availablecash (docs/trading-facts.md "Funds: available margin
   * and cash").
   */
  funds: { availableMargin: Decimal; cash: Decimal };
  /** Scales fixed lots (0.5, 2 …); the product is floored to whole lots. Not applied to grade sizing. */
  lotMultiplier: Decimal;
  /** Hard cap on lots per leg, or null for none. */
  maxLotsPerLeg: number | null;
}

/** Key of a contract in a condition table: upper-case underlying and expiry, `NIFTY 2026-11-24`. */
export const contractKey = (leg: Pick<ResolvedLeg, "underlying" | "expiry">): string =>
  `${leg.underlying} ${leg.expiry}`;

/**
 * One condition for every leg, or a table keyed by contract (`contractKey`: each contract is on expiry day only
 * when it expires today) or by upper-case underlying; a contract entry wins over its underlying's.
 */
export type ConditionInput = MarketCondition | Readonly<Record<string, MarketCondition>>;

export interface PlannedLeg {
  legIndex: number;
  symbol: string;
  exchange: string;
  action: OrderAction;
  /** Strategies trade NRML or MIS; a manual ticket on a cash-segment symbol may also be CNC. */
  product: Product | "CNC";
  /** Strategies and tickets send MARKET or LIMIT; a copied master order keeps its own type (SL, SL-M too). */
  priceType: "MARKET" | "LIMIT" | "SL" | "SL-M";
  price: Decimal | null;
  /** SL and SL-M only. */
  triggerPrice?: Decimal | null;
  /**
   * Where the leg's intent ids come from when not (run, account, leg, slice): a copy event's key, so the same master
   * event gives the same child intent ids whichever run carries it (lib/trading/intents.ts `intentId`).
   */
  intentKey?: string;
  /** 1 = BUY legs (hedges), sent and acknowledged before 2 = SELL legs. */
  phase: 1 | 2;
  lots: number;
  lotSize: number;
  /** lots × lotSize, units. */
  quantity: number;
  /** Order quantities (units), each a lot multiple and at most the slice size; they sum to `quantity`. */
  slices: number[];
  /** What the leg is charged as; `wing` legs ride on their SELL leg's margin. */
  marginKind: MarginKind | "wing";
  /** Rupees this leg uses (a pair's charge is split evenly over its two legs); null when no margin table exists. */
  marginNeeded: Decimal | null;
  /** Budget left when this leg was sized/checked; null for wings and unchecked legs. */
  marginAvailable: Decimal | null;
  warnings: string[];
}

export type AccountPlan =
  | {
      status: "planned";
      accountId: string;
      accountName: string;
      legs: PlannedLeg[];
      /** The figure sized from (fixed mode compares against available margin). */
      marginSource: MarginSource;
      /** Budget at the start: source × grade % in grade mode, available margin in fixed mode. */
      marginAvailable: Decimal;
      /** Sum of the legs' known margin needs. */
      marginNeeded: Decimal;
      warnings: string[];
    }
  | { status: "skipped"; accountId: string; accountName: string; reason: string; warnings: string[] };

interface LegSizing {
  lots: number;
  marginKind: MarginKind | "wing";
  marginNeeded: Decimal | null;
  marginAvailable: Decimal | null;
  warnings: string[];
}

type Sizing =
  | { ok: true; rows: LegSizing[]; source: MarginSource; budget: Decimal; zeroReasons: string[] }
  | { ok: false; reason: string };

type NonWing = Exclude<SizingUnit, { kind: "wing" }>;

/** The margin kind a unit is charged as (a long pair is two option buys). */
const chargeKind = (unit: NonWing): MarginKind => (unit.kind === "pair_buy" ? "option_buy" : unit.kind);

/** Rupees per lot of the whole unit: one pair-lot of a long pair costs two premiums. */
const unitRate = (unit: NonWing, rates: (k: MarginKind) => Decimal): Decimal =>
  unit.kind === "pair_buy" ? rates("option_buy").mul(2) : rates(unit.kind);

const legLabel = (l: ResolvedLeg): string => `leg ${l.legIndex + 1} (${l.action} ${l.symbol})`;

function conditionFor(c: ConditionInput, leg: ResolvedLeg): MarketCondition | undefined {
  if (typeof c === "string") return c;
  const own = (k: string) => (Object.prototype.hasOwnProperty.call(c, k) ? c[k] : undefined);
  return own(contractKey(leg)) ?? own(leg.underlying);
}

/** Money pools: a seller budget and a cash budget. Premium paid leaves both; blocked margin may be collateral. */
class Pools {
  constructor(
    public margin: Decimal,
    public cash: Decimal,
    private readonly shared: boolean,
  ) {}
  budget(kind: MarginKind): Decimal {
    return kind === "option_buy" ? Decimal.min(this.margin, this.cash) : this.margin;
  }
  charge(kind: MarginKind, amount: Decimal): void {
    this.margin = this.margin.minus(amount);
    if (this.shared || kind === "option_buy") this.cash = this.cash.minus(amount);
  }
}

/** Per-lot rate lookup for a unit's contract and day (a pair's legs share one expiry), or a reason why there is none. */
function ratesFor(
  legs: readonly ResolvedLeg[],
  unit: NonWing,
  model: MarginModel,
  condition: ConditionInput,
): ((kind: MarginKind) => Decimal) | string {
  const underlying = legs[unit.legs[0]].underlying;
  const margins = marginsFor(model, underlying);
  if (!margins) return `no margin requirements are set for ${underlying}`;
  const cond = conditionFor(condition, legs[unit.legs[0]]);
  if (!cond) return `no market condition was resolved for ${underlying}`;
  return (kind) => marginPerLot(margins, kind, cond);
}

/**
 * Zero-lot reasons that matter: those of units with a placed leg, and of the SELL units that placed wings follow
 * (a wing gets its short's lots), in unit order. `reasons` is keyed by a unit's first position.
 */
function neededReasons(
  units: readonly SizingUnit[],
  reasons: ReadonlyMap<number, string>,
  isPlaced: (position: number) => boolean,
): string[] {
  const keyOf = new Map<number, number>();
  for (const u of units) if (u.kind !== "wing") for (const p of u.legs) keyOf.set(p, u.legs[0]);
  const needed = new Set<number>();
  for (const u of units) {
    if (!u.legs.some(isPlaced)) continue;
    needed.add(u.kind === "wing" ? keyOf.get(u.follows)! : u.legs[0]);
  }
  return [...reasons].filter(([key]) => needed.has(key)).map(([, reason]) => reason);
}

function sizeByGrade(
  legs: readonly ResolvedLeg[],
  units: SizingUnit[],
  gradeId: string,
  account: AccountInput,
  model: MarginModel,
  condition: ConditionInput,
  isPlaced: (position: number) => boolean,
): Sizing {
  const grade = gradeFor(model, gradeId);
  // AlgoMirror silently fell back to 65 % on a failed lookup; a missing grade is a configuration error here.
  if (!grade) return { ok: false, reason: `quality grade "${gradeId}" does not exist` };
  const usable = usableFunds(grade, account.funds);
  const shared = grade.source === "cash";
  const pools = new Pools(
    usable,
    shared ? usable : Decimal.max(account.funds.cash, 0).mul(grade.percent).div(100),
    shared,
  );
  const rows: LegSizing[] = legs.map(() => ({
    lots: 0,
    marginKind: "wing",
    marginNeeded: null,
    marginAvailable: null,
    warnings: [],
  }));
  const reasons = new Map<number, string>();
  const max = account.maxLotsPerLeg;
  for (const unit of units) {
    if (unit.kind === "wing") continue;
    const rates = ratesFor(legs, unit, model, condition);
    if (typeof rates === "string") return { ok: false, reason: rates };
    const kind = chargeKind(unit);
    const rate = unitRate(unit, rates);
    const budget = pools.budget(kind);
    let lots = budget.gt(0) ? budget.div(rate).floor().toNumber() : 0;
    const warnings: string[] = [];
    if (max !== null && lots > max) {
      warnings.push(`capped by the account's max ${max} lots per leg (grade ${grade.id} allows ${lots})`);
      lots = max;
    }
    const cost = rate.mul(lots);
    const share = cost.div(unit.legs.length);
    // A context leg (an adjustment's existing leg) is sized only so that a wing can follow it: it spends nothing.
    pools.charge(kind, share.mul(unit.legs.filter(isPlaced).length));
    if (lots === 0) {
      const what =
        unit.legs.length === 2
          ? `${legLabel(legs[unit.legs[0]])} + ${legLabel(legs[unit.legs[1]])} as a pair`
          : legLabel(legs[unit.legs[0]]);
      reasons.set(
        unit.legs[0],
        `${what}: grade ${grade.id} leaves ${formatRupees(budget)}, one lot needs ${formatRupees(rate)}`,
      );
    }
    for (const p of unit.legs)
      rows[p] = { lots, marginKind: kind, marginNeeded: share, marginAvailable: budget, warnings: [...warnings] };
  }
  for (const unit of units) {
    if (unit.kind === "wing")
      rows[unit.legs[0]] = {
        lots: rows[unit.follows].lots,
        marginKind: "wing",
        marginNeeded: new Decimal(0),
        marginAvailable: null,
        warnings: [],
      };
  }
  return { ok: true, rows, source: grade.source, budget: usable, zeroReasons: neededReasons(units, reasons, isPlaced) };
}

/** Rupees a fixed-lot unit needs: a pair is charged the pair rate on its common lots, the single rate on the rest. */
function fixedUnitCharges(unit: NonWing, lots: readonly number[], rate: (k: MarginKind) => Decimal): Decimal[] {
  if (unit.kind === "pair_buy") return unit.legs.map((p) => rate("option_buy").mul(lots[p]));
  if (unit.kind !== "pair_sell") return [rate(unit.kind).mul(lots[unit.legs[0]])];
  const [ce, pe] = unit.legs.map((p) => lots[p]);
  const common = Math.min(ce, pe);
  const pairHalf = rate("pair_sell").mul(common).div(2);
  return [pairHalf.plus(rate("single_sell").mul(ce - common)), pairHalf.plus(rate("single_sell").mul(pe - common))];
}

function sizeFixed(
  legs: readonly ResolvedLeg[],
  units: SizingUnit[],
  strategy: StrategyDefinition,
  account: AccountInput,
  model: MarginModel,
  condition: ConditionInput,
  isPlaced: (position: number) => boolean,
): Sizing {
  const mult = account.lotMultiplier;
  if (!mult.isFinite() || mult.lte(0))
    return { ok: false, reason: `lot multiplier ${mult.toString()} must be greater than zero` };
  const max = account.maxLotsPerLeg;
  const zeroReasons: string[] = [];
  const rows: LegSizing[] = legs.map((leg, position) => {
    const configured = strategy.legs[leg.legIndex].lots;
    const raw = mult.mul(configured);
    let lots = raw.floor().toNumber();
    const warnings: string[] = [];
    if (lots === 0) {
      warnings.push("multiplier rounded to zero");
      if (isPlaced(position))
        zeroReasons.push(
          `${legLabel(leg)}: ${configured} lot(s) × multiplier ${mult.toString()} rounds down to 0 lots`,
        );
    } else if (!raw.isInteger()) {
      warnings.push(
        `${configured} lot(s) × multiplier ${mult.toString()} = ${raw.toString()}, rounded down to ${lots}`,
      );
    }
    if (max !== null && lots > max) {
      warnings.push(`capped by the account's max ${max} lots per leg (from ${lots})`);
      lots = max;
    }
    return { lots, marginKind: "wing", marginNeeded: null, marginAvailable: null, warnings };
  });
  const lots = rows.map((r) => r.lots);
  const pools = new Pools(Decimal.max(account.funds.availableMargin, 0), Decimal.max(account.funds.cash, 0), false);
  for (const unit of units) {
    if (unit.kind === "wing") {
      const row = rows[unit.legs[0]];
      const unhedged =
        row.lots < rows[unit.follows].lots ? [`fewer lots than ${legLabel(legs[unit.follows])}: partly unhedged`] : [];
      rows[unit.legs[0]] = { ...row, marginNeeded: new Decimal(0), warnings: [...row.warnings, ...unhedged] };
      continue;
    }
    const rates = ratesFor(legs, unit, model, condition);
    if (typeof rates === "string") {
      for (const p of unit.legs)
        rows[p] = {
          ...rows[p],
          marginKind: chargeKind(unit),
          warnings: [...rows[p].warnings, `${rates}: margin not checked`],
        };
      continue;
    }
    const charges = fixedUnitCharges(unit, lots, rates);
    // Context legs (an adjustment's existing legs) are already held: only the placed legs need margin now.
    const total = charges.reduce((a, b, i) => (isPlaced(unit.legs[i]) ? a.plus(b) : a), new Decimal(0));
    const budget = pools.budget(chargeKind(unit));
    pools.charge(chargeKind(unit), total);
    const shortfall = total.gt(budget)
      ? [`margin shortfall: needs ${formatRupees(total)}, ${formatRupees(Decimal.max(budget, 0))} available`]
      : [];
    unit.legs.forEach((p, i) => {
      rows[p] = {
        ...rows[p],
        marginKind: chargeKind(unit),
        marginNeeded: charges[i],
        marginAvailable: budget,
        warnings: [...rows[p].warnings, ...shortfall],
      };
    });
  }
  return { ok: true, rows, source: "available", budget: Decimal.max(account.funds.availableMargin, 0), zeroReasons };
}

/**
 * Plans one account. Any leg sized to zero lots skips the WHOLE account (a straddle with one side, or short legs
 * without their wings, is a different and riskier trade), with every reason listed.
 *
 * `placed` (leg indices; default every leg) are the legs this run sends, e.g. an adjustment's added legs. The
 * other resolved legs are context, already held: they are sized (so that an added BUY wing takes the lots of the
 * existing SELL leg it hedges, by the same pairing rule as a full entry) but spend no margin and are not returned.
 */
export function planAccount(
  resolvedLegs: readonly ResolvedLeg[],
  strategy: StrategyDefinition,
  account: AccountInput,
  marginModel: MarginModel,
  condition: ConditionInput,
  placed?: ReadonlySet<number>,
): AccountPlan {
  const skip = (reason: string, warnings: string[] = []): AccountPlan => ({
    status: "skipped",
    accountId: account.id,
    accountName: account.name,
    reason,
    warnings,
  });
  const { availableMargin, cash } = account.funds;
  if (!availableMargin.isFinite() || !cash.isFinite()) return skip("funds are unavailable for this account");
  const max = account.maxLotsPerLeg;
  if (max !== null && !(Number.isSafeInteger(max) && max >= 0))
    return skip(`max lots per leg ${max} is not a whole number`);
  if (max === 0) return skip("max lots per leg is 0");
  const isPlaced = (position: number): boolean => !placed || placed.has(resolvedLegs[position].legIndex);
  const positions = resolvedLegs.map((_, i) => i).filter(isPlaced);
  if (positions.length === 0) return skip("the strategy has no legs to place");
  if (resolvedLegs.some((l) => strategy.legs[l.legIndex] === undefined))
    return skip("the resolved legs do not belong to this strategy");

  const units = sizingUnits(resolvedLegs);
  const sizing =
    strategy.sizing.kind === "grade"
      ? sizeByGrade(resolvedLegs, units, strategy.sizing.gradeId, account, marginModel, condition, isPlaced)
      : sizeFixed(resolvedLegs, units, strategy, account, marginModel, condition, isPlaced);
  if (!sizing.ok) return skip(sizing.reason);
  const warnings = positions.flatMap((i) => sizing.rows[i].warnings.map((w) => `${legLabel(resolvedLegs[i])}: ${w}`));
  if (sizing.zeroReasons.length > 0) return skip(`zero lots — ${sizing.zeroReasons.join("; ")}`, warnings);

  const legs: PlannedLeg[] = positions.map((i) => {
    const leg = resolvedLegs[i];
    const row = sizing.rows[i];
    const quantity = row.lots * leg.lotSize;
    return {
      legIndex: leg.legIndex,
      symbol: leg.symbol,
      exchange: leg.exchange,
      action: leg.action,
      product: strategy.product,
      priceType: leg.priceType,
      price: leg.price,
      phase: phaseOf(leg.action),
      lots: row.lots,
      lotSize: leg.lotSize,
      quantity,
      // freezeQty null = unknown; sliceQuantities treats OpenAlgo's 1 the same way (one slice).
      slices: sliceQuantities(quantity, leg.lotSize, leg.freezeQty ?? 1),
      marginKind: row.marginKind,
      marginNeeded: row.marginNeeded,
      marginAvailable: row.marginAvailable,
      warnings: row.warnings,
    };
  });
  const marginNeeded = legs.reduce((a, l) => (l.marginNeeded ? a.plus(l.marginNeeded) : a), new Decimal(0));
  return {
    status: "planned",
    accountId: account.id,
    accountName: account.name,
    legs,
    marginSource: sizing.source,
    marginAvailable: sizing.budget,
    marginNeeded,
    warnings,
  };
}
