/**
 * A person's changes to risk (docs/risk.md "API"): changing or pausing the rules of a live run, and setting an
 * account's daily loss limit. Each is authorized on the owner, audited, recorded as risk events where it concerns a
 * run, and told to open pages at once. A run whose rule fired can no longer change (409).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { RiskEventAction, RiskRule } from "@/lib/generated/prisma/client";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { findAccount } from "@/lib/db/queries/accounts";
import { findAccountLimit, findDayBlock, setDailyLossLimit } from "@/lib/db/queries/account-day-blocks";
import { insertAudit } from "@/lib/db/queries/audit";
import { insertRiskEvents, type NewRiskEvent } from "@/lib/db/queries/risk-events";
import { findRiskRun, updateLiveRules } from "@/lib/db/queries/run-risks";
import { inTransaction } from "@/lib/db/transaction";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { istDateOf } from "@/lib/trading/calendar";
import { riskRulesSchema, type RiskRules } from "@/lib/trading/risk/rules";
import { jsonify } from "@/lib/util/jsonify";
import { publishRiskChange } from "./tell";
import { findArmedRun, riskRunJson, type RiskRunJson } from "./views";

export const riskChangeSchema = z
  .strictObject({ rules: riskRulesSchema.optional(), paused: z.boolean().optional() })
  .refine((b) => b.rules !== undefined || b.paused !== undefined, {
    message: "Send rules, paused or both",
    path: ["rules"],
  });
export type RiskChange = z.infer<typeof riskChangeSchema>;

const RULE_OF: Record<"maxLoss" | "target" | "trailing" | "supertrend" | "timeExit", RiskRule> = {
  maxLoss: "MAX_LOSS",
  target: "TARGET",
  trailing: "TRAILING_STOP",
  supertrend: "SUPERTREND",
  timeExit: "TIME_EXIT",
};
const text = (v: unknown) => (v === undefined || v === null ? "none" : JSON.stringify(v));

/** Each rule a change touches, with its old and new value (leg rules per leg). */
function ruleChanges(before: RiskRules, after: RiskRules) {
  const a = jsonify(before);
  const b = jsonify(after);
  const out: { field: string; rule: RiskRule; legIndex: number | null; message: string }[] = [];
  for (const [field, rule] of Object.entries(RULE_OF) as [keyof typeof RULE_OF, RiskRule][]) {
    if (text(a[field]) !== text(b[field]))
      out.push({ field, rule, legIndex: null, message: `${field}: ${text(a[field])} → ${text(b[field])}` });
  }
  const legs = new Set([...a.legs, ...b.legs].map((l) => l.legIndex));
  for (const legIndex of [...legs].sort((x, y) => x - y)) {
    const was = a.legs.find((l) => l.legIndex === legIndex);
    const now = b.legs.find((l) => l.legIndex === legIndex);
    for (const [key, rule] of [
      ["stopLoss", "LEG_STOP_LOSS"],
      ["takeProfit", "LEG_TAKE_PROFIT"],
    ] as const) {
      if (text(was?.[key]) !== text(now?.[key]))
        out.push({
          field: `legs.${legIndex}.${key}`,
          rule,
          legIndex,
          message: `leg ${legIndex + 1} ${key}: ${text(was?.[key])} → ${text(now?.[key])}`,
        });
    }
  }
  return out;
}

/** The rules a pause or resume speaks for: every armed one (leg rules per leg). */
function armedRules(r: RiskRules): { rule: RiskRule; legIndex: number | null }[] {
  const out: { rule: RiskRule; legIndex: number | null }[] = [];
  for (const [field, rule] of Object.entries(RULE_OF) as [keyof typeof RULE_OF, RiskRule][])
    if (r[field]) out.push({ rule, legIndex: null });
  for (const l of r.legs) {
    if (l.stopLoss) out.push({ rule: "LEG_STOP_LOSS", legIndex: l.legIndex });
    if (l.takeProfit) out.push({ rule: "LEG_TAKE_PROFIT", legIndex: l.legIndex });
  }
  return out;
}

/** PATCH /api/runs/:id/risk: changes or pauses the rules of a live run. */
export async function changeRunRisk(actor: Actor, runId: string, body: RiskChange, ip: string): Promise<RiskRunJson> {
  const row = await findArmedRun(actor, runId);
  authorize(actor, "risk.manage", { ownerId: row.ownerId, what: "Risk rules of this run" });
  const fired = () =>
    new ConflictError("A risk rule already fired on this run: its rules can no longer change", { rules: ["fired"] });
  if (row.firedRule) throw fired();
  const current = riskRulesSchema.parse(row.rules);
  const view = riskRunJson(row);
  if (body.rules) {
    if (body.rules.legStopMode !== current.legStopMode)
      throw new ValidationError("Where leg stops live is set on the strategy, not on a live run", {
        "rules.legStopMode": [`This run's leg stops are ${current.legStopMode}`],
      });
    const bad = body.rules.legs.find((l) => !view.legs.some((x) => x.legIndex === l.legIndex));
    if (bad)
      throw new ValidationError(`This run has no leg ${bad.legIndex + 1}`, { "rules.legs": ["Unknown leg index"] });
  }
  const changes = body.rules ? ruleChanges(current, body.rules) : [];
  const pause = body.paused !== undefined && body.paused !== row.paused ? body.paused : null;
  if (changes.length === 0 && pause === null) return view;
  const rules = body.rules ?? current;
  const events: NewRiskEvent[] = changes.map((c) => ({
    ownerId: row.ownerId,
    runId,
    legIndex: c.legIndex,
    rule: c.rule,
    action: "CHANGED",
    actorId: actor.id,
    message: `Changed ${c.message}`,
  }));
  if (pause !== null) {
    const action: RiskEventAction = pause ? "PAUSED" : "RESUMED";
    for (const r of armedRules(rules))
      events.push({
        ownerId: row.ownerId,
        runId,
        ...r,
        action,
        actorId: actor.id,
        message: pause ? "Paused" : "Resumed",
      });
  }
  await inTransaction(async (tx) => {
    const ok = await updateLiveRules(tx, runId, {
      ...(changes.length ? { rules: jsonify(rules) } : {}),
      ...(pause !== null ? { paused: pause } : {}),
    });
    if (!ok) throw fired();
    await insertRiskEvents(tx, events);
    if (changes.length)
      await insertAudit(
        {
          actorId: actor.id,
          action: "risk.change",
          entity: "run",
          entityId: runId,
          details: { changed: changes.map((c) => c.field) },
          ip,
        },
        tx,
      );
    if (pause !== null)
      await insertAudit(
        { actorId: actor.id, action: pause ? "risk.pause" : "risk.resume", entity: "run", entityId: runId, ip },
        tx,
      );
  });
  publishRiskChange(row.ownerId, runId, "rules");
  return riskRunJson((await findRiskRun(scopeOf(actor), runId))!);
}

const AMOUNT = /^\d{1,12}(\.\d{1,2})?$/;

export const dailyLossLimitSchema = z.strictObject({
  dailyLossLimit: z.union([
    z
      .string()
      .trim()
      .regex(AMOUNT, "an amount in ₹ with at most 2 decimals")
      // Zod runs a refinement even after the pattern failed: only a well-formed amount is read as a decimal.
      .refine((v) => !AMOUNT.test(v) || new Decimal(v).gt(0), "must be greater than zero"),
    z.null(),
  ]),
});

export interface AccountRiskJson {
  accountId: string;
  /** ₹, or null for none. */
  dailyLossLimit: string | null;
  /** Today's (IST) block once the limit was hit: entries are refused until tomorrow. */
  blockedToday: { tradingDate: string; reason: string; observed: string; exitId: string | null; at: string } | null;
}

/** GET /api/accounts/:id/risk: the account's daily loss limit and today's block, if any. */
export async function getAccountRisk(actor: Actor, accountId: string, now = new Date()): Promise<AccountRiskJson> {
  authorize(actor, "risk.read");
  const account = await findAccount(scopeOf(actor), accountId);
  if (!account) throw new NotFoundError("Account");
  const day = istDateOf(now.getTime());
  const [limit, block] = await Promise.all([findAccountLimit(accountId), findDayBlock(accountId, day)]);
  return {
    accountId,
    dailyLossLimit: limit?.toString() ?? null,
    blockedToday: block && {
      tradingDate: block.tradingDate,
      reason: block.reason,
      observed: block.observed.toString(),
      exitId: block.exitId,
      at: block.createdAt.toISOString(),
    },
  };
}

/** PUT /api/accounts/:id/risk: sets or clears the account's daily loss limit (audited). */
export async function setAccountRisk(
  actor: Actor,
  accountId: string,
  body: z.infer<typeof dailyLossLimitSchema>,
  ip: string,
): Promise<AccountRiskJson> {
  const account = await findAccount(scopeOf(actor), accountId);
  if (!account) throw new NotFoundError("Account");
  authorize(actor, "risk.manage", { ownerId: account.ownerId, what: "Account" });
  const before = await findAccountLimit(accountId);
  const after = body.dailyLossLimit === null ? null : new Decimal(body.dailyLossLimit).toString();
  await inTransaction(async (tx) => {
    await setDailyLossLimit(tx, accountId, after);
    await insertAudit(
      {
        actorId: actor.id,
        action: "account.daily_loss_limit",
        entity: "account",
        entityId: accountId,
        details: { from: before?.toString() ?? null, to: after },
        ip,
      },
      tx,
    );
  });
  publishRiskChange(account.ownerId, null, "rules");
  return getAccountRisk(actor, accountId);
}
