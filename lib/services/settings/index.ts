import { z } from "zod";
import { db } from "@/lib/db/client";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  gradeFromRow,
  gradeToRow,
  instrumentFromRow,
  instrumentToRow,
  marginsFromRow,
  marginsToRow,
  readTradingSettings,
} from "@/lib/db/queries/trading-settings";
import type { Actor } from "@/lib/auth/roles";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import {
  DEFAULT_INSTRUMENT_SETTINGS,
  instrumentSettingsSchema,
  type InstrumentSettings,
  type InstrumentSettingsTable,
} from "@/lib/trading/instruments";
import { jsonify, type Jsonified } from "@/lib/util/jsonify";
import {
  DEFAULT_QUALITY_GRADES,
  DEFAULT_UNDERLYING_MARGINS,
  qualityGradeSchema,
  underlyingMarginsSchema,
  type MarginModel,
  type QualityGrade,
  type UnderlyingMargins,
} from "@/lib/trading/margin-model";

export interface TradingSettings {
  instruments: InstrumentSettingsTable;
  marginModel: MarginModel;
}

/**
 * The editable trading settings. On a fresh database the tables are seeded once from domain.md's values
 * (lib/trading defaults); afterwards the database is the only source.
 */
export async function tradingSettings(): Promise<TradingSettings> {
  let rows = await readTradingSettings();
  if (rows.instruments.length === 0 || rows.grades.length === 0 || rows.margins.length === 0) {
    await seedDefaults();
    rows = await readTradingSettings();
  }
  return {
    instruments: Object.fromEntries(rows.instruments.map((r) => [r.underlying, instrumentFromRow(r)])),
    marginModel: {
      grades: Object.fromEntries(rows.grades.map((r) => [r.id, gradeFromRow(r)])),
      margins: Object.fromEntries(rows.margins.map((r) => [r.underlying, marginsFromRow(r)])),
    },
  };
}

async function seedDefaults(): Promise<void> {
  // skipDuplicates: concurrent first readers may both seed; neither overwrites an edited row.
  await db().$transaction([
    db().instrumentSetting.createMany({
      data: Object.values(DEFAULT_INSTRUMENT_SETTINGS).map(instrumentToRow),
      skipDuplicates: true,
    }),
    db().qualityGrade.createMany({ data: Object.values(DEFAULT_QUALITY_GRADES).map(gradeToRow), skipDuplicates: true }),
    db().underlyingMargin.createMany({
      data: Object.entries(DEFAULT_UNDERLYING_MARGINS).map(([u, m]) => marginsToRow(u, m)),
      skipDuplicates: true,
    }),
  ]);
}

function requireAdmin(actor: Actor) {
  if (actor.role !== "ADMIN") throw new ForbiddenError("Admins only");
}

export const instrumentInputSchema = instrumentSettingsSchema;
export const gradeInputSchema = qualityGradeSchema;
export const marginsInputSchema = underlyingMarginsSchema;

export async function saveInstrumentSetting(actor: Actor, input: InstrumentSettings, ip: string) {
  requireAdmin(actor);
  const row = instrumentToRow(input);
  await db().$transaction(async (tx) => {
    await tx.instrumentSetting.upsert({ where: { underlying: input.underlying }, create: row, update: row });
    await insertAudit(
      {
        actorId: actor.id,
        action: "settings.instrument",
        entity: "instrument",
        entityId: input.underlying,
        details: jsonify(input),
        ip,
      },
      tx,
    );
  });
}

export async function saveGrade(actor: Actor, input: z.infer<typeof qualityGradeSchema>, ip: string) {
  requireAdmin(actor);
  const row = gradeToRow(input);
  await db().$transaction(async (tx) => {
    await tx.qualityGrade.upsert({ where: { id: input.id }, create: row, update: row });
    await insertAudit(
      {
        actorId: actor.id,
        action: "settings.grade",
        entity: "grade",
        entityId: input.id,
        details: { label: input.label, percent: input.percent.toString(), source: input.source },
        ip,
      },
      tx,
    );
  });
}

/** Removes a custom grade; refused while a strategy still sizes with it. */
export async function deleteGrade(actor: Actor, id: string, ip: string) {
  requireAdmin(actor);
  const users = await db().strategy.count({
    where: { archived: false, definition: { path: ["sizing", "gradeId"], equals: id } },
  });
  if (users > 0) throw new ConflictError(`Grade ${id} is used by ${users} strateg${users === 1 ? "y" : "ies"}`);
  await db().$transaction(async (tx) => {
    const { count } = await tx.qualityGrade.deleteMany({ where: { id } });
    if (count === 0) throw new NotFoundError("Grade");
    await insertAudit({ actorId: actor.id, action: "settings.grade_delete", entity: "grade", entityId: id, ip }, tx);
  });
}

export async function saveMargins(
  actor: Actor,
  underlying: string,
  input: z.infer<typeof underlyingMarginsSchema>,
  ip: string,
) {
  requireAdmin(actor);
  const row = marginsToRow(underlying, input);
  await db().$transaction(async (tx) => {
    await tx.underlyingMargin.upsert({ where: { underlying }, create: row, update: row });
    await insertAudit(
      {
        actorId: actor.id,
        action: "settings.margins",
        entity: "underlying",
        entityId: underlying,
        details: jsonify(input),
        ip,
      },
      tx,
    );
  });
}

/** What the settings pages and the strategy builder read: every instrument, grade and margin row. */
export interface TradingSettingsView {
  instruments: InstrumentSettings[];
  grades: QualityGrade[];
  margins: (UnderlyingMargins & { underlying: string })[];
}
/** GET /api/settings/trading (amounts as decimal strings). */
export type TradingSettingsJson = Jsonified<TradingSettingsView>;
export type GradeJson = TradingSettingsJson["grades"][number];
export type MarginsJson = TradingSettingsJson["margins"][number];

export async function tradingSettingsView(): Promise<TradingSettingsJson> {
  const s = await tradingSettings();
  const view: TradingSettingsView = {
    instruments: Object.values(s.instruments),
    grades: Object.values(s.marginModel.grades).map((g) => ({
      id: g.id,
      label: g.label,
      percent: g.percent,
      source: g.source,
    })),
    margins: Object.entries(s.marginModel.margins).map(([underlying, m]) => ({ underlying, ...m })),
  };
  return jsonify(view);
}
