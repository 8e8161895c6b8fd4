import { z } from "zod";
import { inTransaction } from "@/lib/db/transaction";
import { countStrategiesUsingGrade } from "@/lib/db/queries/strategies";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  deleteGradeRow,
  gradeFromRow,
  gradeToRow,
  instrumentFromRow,
  instrumentToRow,
  marginsFromRow,
  marginsToRow,
  insertTradingDefaults,
  readTradingSettings,
  upsertGrade,
  upsertInstrumentSetting,
  upsertUnderlyingMargin,
} from "@/lib/db/queries/trading-settings";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { ConflictError, NotFoundError } from "@/lib/errors";
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
 * The editable trading settings. On a fresh database the tables are seeded once from the defaults of
 * docs/trading-facts.md (lib/trading defaults); afterwards the database is the only source.
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
  // Existing rows are skipped: concurrent first readers may both seed; neither overwrites an edited row.
  await insertTradingDefaults({
    instruments: Object.values(DEFAULT_INSTRUMENT_SETTINGS).map(instrumentToRow),
    grades: Object.values(DEFAULT_QUALITY_GRADES).map(gradeToRow),
    margins: Object.entries(DEFAULT_UNDERLYING_MARGINS).map(([u, m]) => marginsToRow(u, m)),
  });
}

export const instrumentInputSchema = instrumentSettingsSchema;
export const gradeInputSchema = qualityGradeSchema;
export const marginsInputSchema = underlyingMarginsSchema;

export async function saveInstrumentSetting(actor: Actor, input: InstrumentSettings, ip: string) {
  authorize(actor, "settings.write");
  const row = instrumentToRow(input);
  await inTransaction(async (tx) => {
    await upsertInstrumentSetting(row, tx);
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
  authorize(actor, "settings.write");
  const row = gradeToRow(input);
  await inTransaction(async (tx) => {
    await upsertGrade(row, tx);
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
  authorize(actor, "settings.write");
  const users = await countStrategiesUsingGrade(id);
  if (users > 0) throw new ConflictError(`Grade ${id} is used by ${users} strateg${users === 1 ? "y" : "ies"}`);
  await inTransaction(async (tx) => {
    if (!(await deleteGradeRow(id, tx))) throw new NotFoundError("Grade");
    await insertAudit({ actorId: actor.id, action: "settings.grade_delete", entity: "grade", entityId: id, ip }, tx);
  });
}

export async function saveMargins(
  actor: Actor,
  underlying: string,
  input: z.infer<typeof underlyingMarginsSchema>,
  ip: string,
) {
  authorize(actor, "settings.write");
  const row = marginsToRow(underlying, input);
  await inTransaction(async (tx) => {
    await upsertUnderlyingMargin(row, tx);
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
