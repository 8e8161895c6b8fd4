/**
 * The quality-grade margin model (docs/trading-facts.md "Margin and lot sizing"): grades (a percentage of a margin
 * source) and per-lot margin requirements per underlying. Everything here is editable data seeded with the documented
 * figures; the zod schemas parse the admin forms / stored JSON into these types. Rupee amounts are Decimals.
 */
import Decimal from "decimal.js";
import { z } from "zod";

/**
 * Which account figure a grade sizes from (docs/trading-facts.md "Funds: available margin and cash"): `available` =
 * availablecash + collateral (sellers), `cash` = availablecash (option buyers). Both are computed once by the funds
 * mapper, never here.
 */
export type MarginSource = "available" | "cash";

/** A trade quality grade. Data, not an enum: admins add custom grades. */
export interface QualityGrade {
  /** Stable key referenced by strategies (`A`, `B`, `BUYER`, `my-grade`). */
  id: string;
  /** Shown to traders, e.g. "B (moderate)". */
  label: string;
  /** Percentage (0 < p ≤ 100) of the margin source that a trade of this grade may use. */
  percent: Decimal;
  source: MarginSource;
}

/** Per-lot margin requirements of one underlying, in rupees per lot. */
export interface UnderlyingMargins {
  /** One short option (CE or PE) on the contract's expiry day. */
  singleSellExpiryDay: Decimal;
  /** One short option on any other day. */
  singleSellOtherDays: Decimal;
  /** One CE + one PE short (straddle/strangle), per pair-lot, on expiry day: one figure covers both legs. */
  pairSellExpiryDay: Decimal;
  /** The same pair on any other day. */
  pairSellOtherDays: Decimal;
  /** One futures lot, long or short (the margin table gives one figure for every day). */
  futures: Decimal;
  /** Premium budget per lot used to size option BUY legs from cash (default ₹20,000). */
  optionBuyPremiumPerLot: Decimal;
}

export interface MarginModel {
  grades: Readonly<Record<string, Readonly<QualityGrade>>>;
  /** Keyed by upper-case underlying. */
  margins: Readonly<Record<string, Readonly<UnderlyingMargins>>>;
}

export type MarketCondition = "expiry_day" | "other_days";

/** What a sizing unit is charged as. */
export type MarginKind = "single_sell" | "pair_sell" | "futures" | "option_buy";

const d = (v: Decimal.Value): Decimal => new Decimal(v);

/**
 * Seed grades (docs/trading-facts.md "Margin and lot sizing"). `BUYER` is an *example* of a custom cash grade (its 50 %
 * is our choice, not a domain figure): option buyers size from cash ÷ premium per lot.
 */
export const DEFAULT_QUALITY_GRADES: Readonly<Record<string, Readonly<QualityGrade>>> = {
  A: { id: "A", label: "A (high conviction)", percent: d(95), source: "available" },
  B: { id: "B", label: "B (moderate)", percent: d(65), source: "available" },
  C: { id: "C", label: "C (low conviction)", percent: d(36), source: "available" },
  BUYER: { id: "BUYER", label: "Option buyer (cash)", percent: d(50), source: "cash" },
};

const NIFTY_MARGINS: Readonly<UnderlyingMargins> = {
  singleSellExpiryDay: d(205_000),
  singleSellOtherDays: d(250_000),
  pairSellExpiryDay: d(250_000),
  pairSellOtherDays: d(320_000),
  futures: d(215_000),
  optionBuyPremiumPerLot: d(20_000),
};

/**
 * Seed per-lot margins (docs/trading-facts.md "Margin and lot sizing"). FINNIFTY and MIDCPNIFTY have no figures: they
 * start with NIFTY's values (conservative for their smaller contracts) until an admin edits them.
 */
export const DEFAULT_UNDERLYING_MARGINS: Readonly<Record<string, Readonly<UnderlyingMargins>>> = {
  NIFTY: NIFTY_MARGINS,
  BANKNIFTY: { ...NIFTY_MARGINS },
  FINNIFTY: { ...NIFTY_MARGINS },
  MIDCPNIFTY: { ...NIFTY_MARGINS },
  SENSEX: {
    singleSellExpiryDay: d(180_000),
    singleSellOtherDays: d(220_000),
    pairSellExpiryDay: d(225_000),
    pairSellOtherDays: d(290_000),
    futures: d(185_000),
    optionBuyPremiumPerLot: d(20_000),
  },
};

export const DEFAULT_MARGIN_MODEL: Readonly<MarginModel> = {
  grades: DEFAULT_QUALITY_GRADES,
  margins: DEFAULT_UNDERLYING_MARGINS,
};

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Grade by id (exact match), or undefined: callers must not fall back to a default grade (AlgoMirror did). */
export function gradeFor(model: MarginModel, gradeId: string): Readonly<QualityGrade> | undefined {
  return own(model.grades, gradeId);
}

/** Per-lot margins of an underlying (case-insensitive), or undefined when the model has none. */
export function marginsFor(model: MarginModel, underlying: string): Readonly<UnderlyingMargins> | undefined {
  return own(model.margins, underlying.toUpperCase());
}

/** Rupees per lot (per pair-lot for `pair_sell`) for a sizing unit on the given day. */
export function marginPerLot(margins: UnderlyingMargins, kind: MarginKind, condition: MarketCondition): Decimal {
  const expiry = condition === "expiry_day";
  switch (kind) {
    case "single_sell":
      return expiry ? margins.singleSellExpiryDay : margins.singleSellOtherDays;
    case "pair_sell":
      return expiry ? margins.pairSellExpiryDay : margins.pairSellOtherDays;
    case "futures":
      return margins.futures;
    case "option_buy":
      return margins.optionBuyPremiumPerLot;
  }
}

/** usable = source × grade % (rupees). Negative sources count as zero. */
export function usableFunds(grade: QualityGrade, funds: { availableMargin: Decimal; cash: Decimal }): Decimal {
  const source = grade.source === "available" ? funds.availableMargin : funds.cash;
  return Decimal.max(source, 0).mul(grade.percent).div(100);
}

/** A rupee amount as typed in a form (`"250000"`), stored as JSON (number or string) or already a Decimal. */
export const rupeeSchema = z
  .union([
    z
      .string()
      .trim()
      .max(30)
      .regex(/^\d+(\.\d{1,2})?$/, "a non-negative amount with at most 2 decimals"),
    z.number(),
    z.instanceof(Decimal),
  ])
  .transform((v) => new Decimal(v))
  .refine((v) => v.isFinite() && v.gte(0), "must be a non-negative finite amount");

/** Largest per-lot amount accepted (₹1,000 crore): far above any margin, and within the stored precision. */
export const MAX_PER_LOT_RUPEES = 10_000_000_000;
const positiveRupeeSchema = rupeeSchema
  .refine((v) => v.gt(0), "must be greater than zero")
  .refine((v) => v.lte(MAX_PER_LOT_RUPEES), "must be at most ₹1,000 crore");

export const qualityGradeSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "1–32 letters, digits, - or _"),
  label: z.string().trim().min(1).max(80),
  percent: z
    .union([
      z
        .string()
        .trim()
        .max(30)
        .regex(/^\d+(\.\d+)?$/),
      z.number(),
      z.instanceof(Decimal),
    ])
    .transform((v) => new Decimal(v))
    .refine((v) => v.isFinite() && v.gt(0) && v.lte(100), "a percentage above 0 and at most 100"),
  source: z.enum(["available", "cash"]),
});

export const underlyingMarginsSchema = z.object({
  singleSellExpiryDay: positiveRupeeSchema,
  singleSellOtherDays: positiveRupeeSchema,
  pairSellExpiryDay: positiveRupeeSchema,
  pairSellOtherDays: positiveRupeeSchema,
  futures: positiveRupeeSchema,
  optionBuyPremiumPerLot: positiveRupeeSchema,
});

/** The whole editable model; grade keys must equal their ids so lookups cannot disagree with the rows. */
export const marginModelSchema = z
  .object({
    grades: z.record(z.string().max(32), qualityGradeSchema),
    margins: z.record(
      z
        .string()
        .max(20)
        .regex(/^[A-Z][A-Z0-9&-]*$/, "upper-case OpenAlgo underlying"),
      underlyingMarginsSchema,
    ),
  })
  .refine((m) => Object.entries(m.grades).every(([key, g]) => key === g.id), {
    message: "each grade must be stored under its own id",
    path: ["grades"],
  });
