/**
 * What the Risk page reads (docs/risk.md "API"): each armed run with its rules, engine state, latest snapshot and
 * legs, and risk events with the names a person reads. Shapes are written once here and imported by components as
 * types.
 */
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { eventNames, listRiskEventRows, type RiskEventRow } from "@/lib/db/queries/risk-events";
import { findRiskRun, listRiskRuns, type RiskRunRow } from "@/lib/db/queries/run-risks";
import { NotFoundError } from "@/lib/errors";
import { riskRulesSchema, type RiskRules } from "@/lib/trading/risk/rules";
import type { RiskRule, RiskSnapshot } from "@/lib/trading/risk/snapshot";
import { jsonify, type Jsonified } from "@/lib/util/jsonify";

export interface RiskLegJson {
  legIndex: number;
  symbol: string;
  exchange: string;
  action: "BUY" | "SELL";
  /** Units planned over every account of the run. */
  quantity: number;
}

export interface RiskRunJson {
  runId: string;
  strategyId: string | null;
  strategyName: string | null;
  runKind: string;
  triggeredAt: string;
  runStatus: string;
  /** The rules in force (decimals as strings). */
  rules: Jsonified<RiskRules>;
  legStopMode: "WATCH" | "BROKER";
  paused: boolean;
  firedRule: RiskRule | null;
  firedAt: string | null;
  exitId: string | null;
  firedLegs: number[];
  snapshot: RiskSnapshot | null;
  evaluatedAt: string | null;
  legs: RiskLegJson[];
  /** Accounts the run was planned for. */
  accounts: number;
}

export interface RiskEventJson {
  id: string;
  rule: RiskRule;
  action: "EXIT" | "SKIPPED_STALE" | "BLOCK_ENTRIES" | "CHANGED" | "PAUSED" | "RESUMED";
  legIndex: number | null;
  accountId: string | null;
  accountName: string | null;
  threshold: string | null;
  observed: string | null;
  /** `[{ exchange, symbol, ltp, at, source }]`: the prices the decision used (or could not use, with `problem`). */
  prices: unknown[];
  exitId: string | null;
  message: string;
  /** The person who changed, paused or resumed the rules; null for the engine. */
  actorName: string | null;
  createdAt: string;
}

const planSchema = z.object({
  legs: z.array(
    z.object({ legIndex: z.int(), symbol: z.string(), exchange: z.string(), action: z.enum(["BUY", "SELL"]) }),
  ),
  accounts: z.array(
    z.object({
      status: z.string(),
      legs: z.array(z.object({ legIndex: z.int(), quantity: z.int() })).optional(),
    }),
  ),
});

export function riskRunJson(row: RiskRunRow): RiskRunJson {
  const plan = planSchema.safeParse(row.run.plan);
  const planned = plan.success ? plan.data.accounts.filter((a) => a.status === "planned") : [];
  const rules = riskRulesSchema.safeParse(row.rules);
  return {
    runId: row.runId,
    strategyId: row.strategyId,
    strategyName: row.run.strategy?.name ?? null,
    runKind: row.run.kind,
    triggeredAt: row.run.triggeredAt.toISOString(),
    runStatus: row.run.status,
    rules: rules.success ? jsonify(rules.data) : (row.rules as Jsonified<RiskRules>),
    legStopMode: row.legStopMode,
    paused: row.paused,
    firedRule: row.firedRule,
    firedAt: row.firedAt?.toISOString() ?? null,
    exitId: row.exitId,
    firedLegs: row.firedLegs,
    snapshot: (row.snapshot as RiskSnapshot | null) ?? null,
    evaluatedAt: row.evaluatedAt?.toISOString() ?? null,
    legs: (plan.success ? plan.data.legs : []).map((l) => ({
      legIndex: l.legIndex,
      symbol: l.symbol,
      exchange: l.exchange,
      action: l.action,
      quantity: planned.reduce(
        (n, a) => n + (a.legs ?? []).filter((x) => x.legIndex === l.legIndex).reduce((m, x) => m + x.quantity, 0),
        0,
      ),
    })),
    accounts: planned.length,
  };
}

/** GET /api/risk/runs: live armed runs and those fired in the last day, newest first. */
export async function listRiskRunViews(actor: Actor, now = new Date()): Promise<{ runs: RiskRunJson[] }> {
  authorize(actor, "risk.read");
  const rows = await listRiskRuns(scopeOf(actor), new Date(now.getTime() - 24 * 3600_000));
  return { runs: rows.map(riskRunJson) };
}

/** The armed run `runId` the actor may see; 404 when it is not armed (or not theirs). */
export async function findArmedRun(actor: Actor, runId: string): Promise<RiskRunRow> {
  authorize(actor, "risk.read");
  const row = await findRiskRun(scopeOf(actor), runId);
  if (!row) throw new NotFoundError("Risk rules of this run");
  return row;
}

export async function riskEventJson(rows: readonly RiskEventRow[]): Promise<RiskEventJson[]> {
  const names = await eventNames(
    [...new Set(rows.map((r) => r.accountId).filter((id): id is string => !!id))],
    [...new Set(rows.map((r) => r.actorId).filter((id): id is string => !!id))],
  );
  return rows.map((r) => ({
    id: r.id,
    rule: r.rule,
    action: r.action,
    legIndex: r.legIndex,
    accountId: r.accountId,
    accountName: r.accountId ? (names.accounts.get(r.accountId) ?? null) : null,
    threshold: r.threshold?.toString() ?? null,
    observed: r.observed?.toString() ?? null,
    prices: Array.isArray(r.prices) ? r.prices : [],
    exitId: r.exitId,
    message: r.message,
    actorName: r.actorId ? (names.actors.get(r.actorId) ?? null) : null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** GET /api/runs/:id/risk: the run's rules and state with its events. */
export async function getRunRisk(actor: Actor, runId: string): Promise<RiskRunJson & { events: RiskEventJson[] }> {
  const row = await findArmedRun(actor, runId);
  const events = await listRiskEventRows(scopeOf(actor), { runId, limit: 200 });
  return { ...riskRunJson(row), events: await riskEventJson(events) };
}

export const riskEventsQuerySchema = z.object({
  runId: z.uuid("Not a run id").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** GET /api/risk/events: the reader's risk events, newest first (of one run with `runId`). */
export async function listRiskEvents(
  actor: Actor,
  query: z.infer<typeof riskEventsQuerySchema>,
): Promise<{ events: RiskEventJson[] }> {
  authorize(actor, "risk.read");
  const rows = await listRiskEventRows(scopeOf(actor), query);
  return { events: await riskEventJson(rows) };
}
