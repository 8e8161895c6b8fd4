import Decimal from "decimal.js";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db, sqlRows } from "@/lib/db/client";
import { inTransaction, type Tx } from "@/lib/db/transaction";
import type { InstrumentSettings } from "@/lib/trading/instruments";
import type { QualityGrade, UnderlyingMargins } from "@/lib/trading/margin-model";

/** Row ↔ pure-type mapping for the trading settings tables (instrument settings, grades, per-lot margins). */
export function instrumentFromRow(r: Prisma.InstrumentSettingGetPayload<object>): InstrumentSettings {
  return {
    underlying: r.underlying,
    exchange: r.exchange as InstrumentSettings["exchange"],
    indexExchange: r.indexExchange as InstrumentSettings["indexExchange"],
    strikeStep: r.strikeStep.toNumber(),
    lotSize: r.lotSize,
    nextMonthLotSize: r.nextMonthLotSize,
    freezeQty: r.freezeQty,
    tickSize: r.tickSize.toNumber(),
    expiry: { weekly: r.weeklyExpiry, weekday: r.expiryWeekday },
  };
}

export function instrumentToRow(s: InstrumentSettings): Prisma.InstrumentSettingCreateInput {
  return {
    underlying: s.underlying,
    exchange: s.exchange,
    indexExchange: s.indexExchange,
    strikeStep: new Decimal(s.strikeStep),
    lotSize: s.lotSize,
    nextMonthLotSize: s.nextMonthLotSize,
    freezeQty: s.freezeQty,
    tickSize: new Decimal(s.tickSize),
    weeklyExpiry: s.expiry.weekly,
    expiryWeekday: s.expiry.weekday,
  };
}

export function gradeFromRow(r: Prisma.QualityGradeGetPayload<object>): QualityGrade {
  return {
    id: r.id,
    label: r.label,
    percent: new Decimal(r.marginPercent.toString()),
    source: r.marginSource === "CASH" ? "cash" : "available",
  };
}

export function gradeToRow(g: QualityGrade): Prisma.QualityGradeCreateInput {
  return {
    id: g.id,
    label: g.label,
    marginPercent: g.percent.toString(),
    marginSource: g.source === "cash" ? "CASH" : "AVAILABLE",
  };
}

export function marginsFromRow(r: Prisma.UnderlyingMarginGetPayload<object>): UnderlyingMargins {
  const d = (v: Prisma.Decimal) => new Decimal(v.toString());
  return {
    singleSellExpiryDay: d(r.singleSellExpiry),
    singleSellOtherDays: d(r.singleSellOther),
    pairSellExpiryDay: d(r.pairSellExpiry),
    pairSellOtherDays: d(r.pairSellOther),
    futures: d(r.futures),
    optionBuyPremiumPerLot: d(r.optionBuyPremium),
  };
}

export function marginsToRow(underlying: string, m: UnderlyingMargins): Prisma.UnderlyingMarginCreateInput {
  return {
    underlying,
    singleSellExpiry: m.singleSellExpiryDay.toString(),
    singleSellOther: m.singleSellOtherDays.toString(),
    pairSellExpiry: m.pairSellExpiryDay.toString(),
    pairSellOther: m.pairSellOtherDays.toString(),
    futures: m.futures.toString(),
    optionBuyPremium: m.optionBuyPremiumPerLot.toString(),
  };
}

type InstrumentRow = Prisma.InstrumentSettingGetPayload<object>;
type GradeRow = Prisma.QualityGradeGetPayload<object>;
type MarginRow = Prisma.UnderlyingMarginGetPayload<object>;

/**
 * Every row of the three tables, as Prisma's model reads return them. Plain SQL: the worker reads them every few
 * seconds (positions' live-price interest, stop syncs) and the trigger path on every click (docs/database-access.md).
 */
export async function readTradingSettings(): Promise<{
  instruments: InstrumentRow[];
  grades: GradeRow[];
  margins: MarginRow[];
}> {
  const [instruments, grades, margins] = await Promise.all([
    sqlRows<InstrumentRow>(
      `SELECT underlying, exchange, index_exchange AS "indexExchange", strike_step AS "strikeStep",
              lot_size AS "lotSize", next_month_lot_size AS "nextMonthLotSize", freeze_qty AS "freezeQty",
              tick_size AS "tickSize", weekly_expiry AS "weeklyExpiry", expiry_weekday AS "expiryWeekday",
              updated_at AS "updatedAt"
         FROM instrument_settings ORDER BY underlying`,
    ),
    sqlRows<GradeRow>(
      `SELECT id, label, margin_percent AS "marginPercent", margin_source::text AS "marginSource",
              updated_at AS "updatedAt"
         FROM quality_grades ORDER BY id`,
    ),
    sqlRows<MarginRow>(
      `SELECT underlying, single_sell_expiry AS "singleSellExpiry", single_sell_other AS "singleSellOther",
              pair_sell_expiry AS "pairSellExpiry", pair_sell_other AS "pairSellOther", futures,
              option_buy_premium AS "optionBuyPremium", updated_at AS "updatedAt"
         FROM underlying_margins ORDER BY underlying`,
    ),
  ]);
  return { instruments, grades, margins };
}

/**
 * Inserts the given default rows in one transaction, skipping any that exist: concurrent first readers may both
 * seed, and neither overwrites an edited row.
 */
export async function insertTradingDefaults(rows: {
  instruments: Prisma.InstrumentSettingCreateInput[];
  grades: Prisma.QualityGradeCreateInput[];
  margins: Prisma.UnderlyingMarginCreateInput[];
}): Promise<void> {
  await inTransaction(async (tx) => {
    await tx.instrumentSetting.createMany({ data: rows.instruments, skipDuplicates: true });
    await tx.qualityGrade.createMany({ data: rows.grades, skipDuplicates: true });
    await tx.underlyingMargin.createMany({ data: rows.margins, skipDuplicates: true });
  });
}

export async function upsertInstrumentSetting(row: Prisma.InstrumentSettingCreateInput, tx: Tx = db()): Promise<void> {
  await tx.instrumentSetting.upsert({ where: { underlying: row.underlying }, create: row, update: row });
}

export async function upsertGrade(row: Prisma.QualityGradeCreateInput, tx: Tx = db()): Promise<void> {
  await tx.qualityGrade.upsert({ where: { id: row.id }, create: row, update: row });
}

/** Deletes the grade; false when there was none. */
export async function deleteGradeRow(id: string, tx: Tx = db()): Promise<boolean> {
  const { count } = await tx.qualityGrade.deleteMany({ where: { id } });
  return count > 0;
}

export async function upsertUnderlyingMargin(row: Prisma.UnderlyingMarginCreateInput, tx: Tx = db()): Promise<void> {
  await tx.underlyingMargin.upsert({ where: { underlying: row.underlying }, create: row, update: row });
}
