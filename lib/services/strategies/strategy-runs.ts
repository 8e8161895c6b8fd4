import Decimal from "decimal.js";
import { z } from "zod";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { entryGateRows } from "@/lib/db/queries/entry-gates";
import { findRunIdByKey } from "@/lib/db/queries/runs";
import { insertAudit } from "@/lib/db/queries/audit";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { AppError, ValidationError } from "@/lib/errors";
import { istDateOf } from "@/lib/trading/calendar";
import { planRun, runTotals, withContextLegs, type RunPlanError, type RunPreview } from "@/lib/trading/plan";
import type { AccountInput, AccountPlan } from "@/lib/trading/plan-account";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { derivativeExchanges } from "@/lib/trading/instruments";
import { riskRulesSchema } from "@/lib/trading/risk/rules";
import { adapterFor } from "@/lib/services/broker-access";
import {
  assertFreshMarket,
  assertProductAllowed,
  buildSnapshot,
  feedKindOf,
  marketSource,
  tradingClock,
  type TradingClock,
} from "@/lib/services/market-data";
import { createRun } from "@/lib/services/runs";
import { sizingFunds } from "@/lib/services/accounts";
import { definitionOf, findStrategyRow, type Row } from "./rows";
import { tradingSettings, type TradingSettings } from "@/lib/services/settings";
import { jsonify } from "@/lib/util/jsonify";

export const previewRequestSchema = z.object({
  /** Only these legs (adjustments); indices into the strategy's legs. */
  legIndexes: z.array(z.int().min(0)).min(1).max(20).optional(),
});
export const executeRequestSchema = previewRequestSchema.extend({
  /** One per click: repeating it returns the same run instead of sending again. */
  idempotencyKey: z.string().trim().min(8).max(100),
  /**
   * Risk rules for this run instead of the strategy's (docs/risk.md "Arming"); null runs it without any. Not for an
   * adjustment: its legs join the run it adjusts, under that run's rules.
   */
  risk: riskRulesSchema.nullish(),
});

/** The strategy cannot be planned as it stands (no expiry, no quotes, bad strike...): 422 with every reason. */
export class PlanningError extends AppError {
  constructor(readonly errors: RunPlanError[]) {
    super("BAD_REQUEST", 422, `Cannot plan this run: ${errors.map((e) => e.message).join("; ")}`, {
      legs: errors.map((e) => (e.legIndex === null ? e.message : `Leg ${e.legIndex + 1}: ${e.message}`)),
    });
  }
}

type SecretAccount = Awaited<ReturnType<typeof listAccountSecrets>>[number];

/** The run's accounts: the explicit ids plus every active account carrying one of the tags, of the owner. */
export async function selectAccounts(
  ownerId: string,
  ids: readonly string[],
  tags: readonly string[],
): Promise<SecretAccount[]> {
  return pickAccounts(await listAccountSecrets({ ownerId }, { active: true }), ids, tags);
}

function pickAccounts(owned: readonly SecretAccount[], ids: readonly string[], tags: readonly string[]) {
  return owned.filter((a) => ids.includes(a.id) || a.tags.some((t) => tags.includes(t)));
}

/**
 * What planning an entry reads from the database before it asks any broker: the trading settings and the owner's
 * active accounts (the run's accounts and the market-data source are both picked from them). One read each per
 * trigger; execute starts them beside its idempotency check.
 */
export interface EntryReads {
  settings: TradingSettings;
  owned: SecretAccount[];
}

export async function entryReads(ownerId: string): Promise<EntryReads> {
  const [settings, owned] = await Promise.all([tradingSettings(), listAccountSecrets({ ownerId }, { active: true })]);
  return { settings, owned };
}

/**
 * Every account's funds, in parallel: fetched from the broker at most SIZING_FUNDS_MAX_AGE_MS ago (kept fresh in the
 * background, dropped when the account trades; docs/performance.md "Funds for sizing"), else asked now. An account whose
 * funds cannot be read is skipped with the reason rather than sized on a guess.
 */
export async function accountInputs(
  accounts: readonly SecretAccount[],
  lotsMultiplier: Decimal | null = null,
  gate: EntryGate = { now: new Date(), requireReady: false },
): Promise<{ inputs: AccountInput[]; skipped: AccountPlan[] }> {
  const gated = await gateAccounts(accounts, gate);
  const funds = await sizingFunds(gated.open.map((a) => ({ id: a.id, adapter: () => adapterFor(a) })));
  const results = await Promise.all(
    gated.open.map(async (a, i) => {
      try {
        const f = await funds[i];
        return {
          ok: true as const,
          input: {
            id: a.id,
            name: a.name,
            funds: { availableMargin: f.availableMargin, cash: f.cash },
            // An outside signal may scale every account's lots for one alert (`lots_multiplier`).
            lotMultiplier: new Decimal(a.lotMultiplier.toString()).times(lotsMultiplier ?? 1),
            maxLotsPerLeg: a.maxLotsPerLeg,
          },
        };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return {
          ok: false as const,
          plan: {
            status: "skipped" as const,
            accountId: a.id,
            accountName: a.name,
            reason: `Funds unavailable: ${e.message}`,
            warnings: [],
          },
        };
      }
    }),
  );
  return {
    inputs: results.flatMap((r) => (r.ok ? [r.input] : [])),
    skipped: [...gated.skipped, ...results.flatMap((r) => (r.ok ? [] : [r.plan]))],
  };
}

/** When the entry is planned, and whether it goes only to accounts whose readiness check today is green. */
export interface EntryGate {
  now: Date;
  requireReady: boolean;
}

/**
 * Accounts that may not take a new entry today are skipped with the reason before anything is asked of their broker:
 * an account whose daily loss limit was hit (docs/risk.md), and, when the strategy requires it, an account whose
 * readiness check today is not green (docs/readiness.md).
 */
async function gateAccounts(accounts: readonly SecretAccount[], gate: EntryGate) {
  const { blocks, readiness } = await entryGateRows(
    accounts.map((a) => a.id),
    istDateOf(gate.now.getTime()),
  );
  const reasonOf = (a: SecretAccount): string | null => {
    const block = blocks.get(a.id);
    if (block) return `Entries blocked for today: ${block}`;
    if (!gate.requireReady) return null;
    const status = readiness.get(a.id);
    if (!status) return "Not checked ready today (the strategy requires a green readiness check)";
    return status === "GREEN" ? null : `Readiness check today is ${status.toLowerCase()} (the strategy requires green)`;
  };
  const skipped: AccountPlan[] = [];
  const open: SecretAccount[] = [];
  for (const a of accounts) {
    const reason = reasonOf(a);
    if (reason) skipped.push({ status: "skipped", accountId: a.id, accountName: a.name, reason, warnings: [] });
    else open.push(a);
  }
  return { open, skipped };
}

/**
 * Plans `definition` for the accounts, resolving the market once from the owner's market-data source. With
 * `legIndexes` (an adjustment) only those legs are placed, under their own indices (intent ids stay stable); the
 * other legs are context, so that an added BUY wing takes the lots of the existing SELL leg it hedges (planRun).
 */
export async function planFor(
  ownerId: string,
  definition: StrategyDefinition,
  accounts: readonly SecretAccount[],
  now: Date,
  legIndexes?: readonly number[],
  lotsMultiplier: Decimal | null = null,
  reads?: EntryReads,
): Promise<RunPreview> {
  const today = istDateOf(now.getTime());
  const settings = reads?.settings ?? (await tradingSettings());
  // Context legs resolve as MARKET orders: the snapshot fetches no quotes for them.
  const resolvable = withContextLegs(definition, legIndexes);
  const [snapshot, funds] = await Promise.all([
    marketSource(ownerId, accounts, reads?.owned).then((source) =>
      buildSnapshot(source, resolvable.legs, settings.instruments, today),
    ),
    accountInputs(accounts, lotsMultiplier, { now, requireReady: definition.requireReadyAccounts ?? false }),
  ]);
  const result = planRun({
    strategy: definition,
    snapshot,
    today,
    accounts: funds.inputs,
    marginModel: settings.marginModel,
    legIndexes,
  });
  if (!result.ok) throw new PlanningError(result.errors);
  const all = [...result.preview.accounts, ...funds.skipped];
  return { ...result.preview, accounts: all, totals: runTotals(all) };
}

/**
 * The one planner of a strategy's entries, shared by a click (preview, execute) and an outside signal: product
 * allowed now, the legs exist, active accounts selected, live prices fresh, then the plan. A signal passes the
 * definition to trade (reversed for SHORT) and the alert's lots multiplier.
 */
export async function planStrategyEntry(
  row: Row,
  definition: StrategyDefinition,
  clock: TradingClock,
  opts: { legIndexes?: number[]; lotsMultiplier?: Decimal | null; reads?: EntryReads } = {},
): Promise<RunPreview> {
  const { legIndexes } = opts;
  const reads = opts.reads ?? (await entryReads(row.ownerId));
  await assertProductAllowed(
    definition.product,
    derivativeExchanges(definition.legs, reads.settings.instruments),
    clock,
  );
  const bad = legIndexes?.filter((i) => i >= definition.legs.length) ?? [];
  if (bad.length) throw new ValidationError(`No leg ${bad[0] + 1} in this strategy`, { legIndexes: ["Unknown leg"] });
  const accounts = pickAccounts(reads.owned, row.accountIds, row.accountTags);
  if (accounts.length === 0)
    throw new ValidationError("This strategy has no active accounts selected", {
      accountIds: ["Select accounts or a tag group"],
    });
  // Duplicates would place a leg twice under the same intent ids: one each.
  const placed = legIndexes && [...new Set(legIndexes)].sort((a, b) => a - b);
  // No new position on an underlying whose live prices stopped (docs/market-data.md "Stale data").
  await assertFreshMarket(
    accounts.map(feedKindOf),
    (placed ?? definition.legs.map((_, i) => i)).map((i) => definition.legs[i].underlying),
  );
  return planFor(row.ownerId, definition, accounts, clock.now, placed, opts.lotsMultiplier ?? null, reads);
}

export async function previewStrategy(
  actor: Actor,
  id: string,
  req: z.infer<typeof previewRequestSchema>,
  clock: TradingClock = tradingClock(),
) {
  const row = await findStrategyRow(actor, id);
  return jsonify(await planStrategyEntry(row, definitionOf(row), clock, { legIndexes: req.legIndexes }));
}

/**
 * Execute: plans afresh (funds and prices now, not at preview time), stores the run and its intents once per
 * idempotency key, and hands each account to the dispatch queue.
 */
export async function executeStrategy(
  actor: Actor,
  id: string,
  req: z.infer<typeof executeRequestSchema>,
  ip: string,
  clock: TradingClock = tradingClock(),
) {
  authorize(actor, "run.execute");
  if (req.legIndexes && req.risk !== undefined)
    throw new ValidationError("An adjustment runs under the rules of the run it adjusts", {
      risk: ["Not with legIndexes: an adjustment joins the run it adjusts"],
    });
  const row = await findStrategyRow(actor, id);
  const idempotencyKey = `${row.ownerId}:${req.idempotencyKey}`;
  // A repeated request (double click, client retry) gets the first run back without touching any broker. The
  // planning's database reads start beside the check: they ask no broker and are dropped when the run exists.
  const reads = entryReads(row.ownerId);
  reads.catch(() => undefined);
  const existing = await findRunIdByKey(idempotencyKey);
  if (existing) return { runId: existing, created: false };
  const triggeredAt = new Date();
  const preview = await planStrategyEntry(row, definitionOf(row), clock, {
    legIndexes: req.legIndexes,
    reads: await reads,
  });
  const run = await createRun({
    ownerId: row.ownerId,
    strategyId: row.id,
    kind: req.legIndexes ? "ADJUSTMENT" : "STRATEGY",
    idempotencyKey,
    triggeredAt,
    preview,
    risk: req.risk === undefined ? definitionOf(row).risk : req.risk,
    // The audit entry is written once the run is committed, beside the enqueue of its dispatch jobs (not before them).
    afterCommit: (runId) =>
      insertAudit({
        actorId: actor.id,
        action: "run.execute",
        entity: "run",
        entityId: runId,
        details: {
          strategyId: row.id,
          legIndexes: req.legIndexes ?? null,
          orders: preview.totals.orders,
          ...(req.risk !== undefined ? { riskOverride: req.risk === null ? "none" : "rules" } : {}),
        },
        ip,
      }),
  });
  return run;
}
