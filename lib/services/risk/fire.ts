/**
 * Firing a trigger exactly once (docs/risk.md "Exactly once"): a compare-and-set in the database together with the
 * risk event (the run's `fired_rule`, a leg in `fired_legs`, an account's day block), then the exit through the one
 * exit service with reason RISK, then the exit's id on the event. Two rules in one tick, two workers or a retried sweep
 * make one exit: only the first compare-and-set wins. A worker that stops between the two leaves an EXIT event with no
 * exit, which the sweep starts again (`recoverExits`): starting an exit joins an active one of the same target.
 */
import { randomUUID } from "node:crypto";
import Decimal from "decimal.js";
import type { RiskRule } from "@/lib/generated/prisma/client";
import { insertDayBlock, setBlockExit } from "@/lib/db/queries/account-day-blocks";
import { insertRiskEvent, insertRiskEvents, listEventsAwaitingExit, setEventExit } from "@/lib/db/queries/risk-events";
import { casFireLeg, casFireRuns, setRunExit } from "@/lib/db/queries/run-risks";
import { inTransaction } from "@/lib/db/transaction";
import { log } from "@/lib/log";
import { startSystemExit, type SystemExitTarget } from "@/lib/services/exits";
import type { Breach, RunRiskResult } from "@/lib/trading/risk/evaluate-run";
import type { RiskSnapshot } from "@/lib/trading/risk/snapshot";
import { formatRupees } from "@/lib/trading/rupees";
import { istDateOf } from "@/lib/trading/calendar";
import type { ArmedRun, LimitAccount } from "./book";
import { tellTrigger } from "./tell";

/** When two run-level rules breach in the same evaluation, the first of this order fires (the others are named). */
export const RULE_PRIORITY: readonly RiskRule[] = ["MAX_LOSS", "TRAILING_STOP", "TARGET", "SUPERTREND", "TIME_EXIT"];

const WORDS: Record<RiskRule, string> = {
  MAX_LOSS: "Max loss",
  TARGET: "Target",
  TRAILING_STOP: "Trailing stop",
  LEG_STOP_LOSS: "Leg stop-loss",
  LEG_TAKE_PROFIT: "Leg take-profit",
  SUPERTREND: "Supertrend",
  TIME_EXIT: "Time exit",
  DAILY_LOSS_LIMIT: "Daily loss limit",
};

const str = (d: Decimal | null) => (d === null ? null : d.toDecimalPlaces(2).toString());

/** The snapshot of the firing evaluation with the fired rule(s) marked so. */
function markFired(s: RiskSnapshot, fired: (r: RiskSnapshot["rules"][number]) => boolean): RiskSnapshot {
  return { ...s, rules: s.rules.map((r) => (fired(r) ? { ...r, state: "fired" } : r)) };
}

/** Exits started at once by one round (about the database pool's size). */
const EXIT_STARTS_AT_ONCE = 8;

/** Tries an exit's start again at once over a passing database error; the sweep's recovery is the last resort. */
async function withRetries<T>(start: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= tries) throw err;
      log().warn({ err, attempt: i }, "risk exit not started yet: trying again");
    }
  }
}

/** Starts (or joins) the exit, and records it on the event (and the run or the day block). */
async function exitFor(target: SystemExitTarget, eventId: string, note: string): Promise<string | null> {
  const exit = await startSystemExit(target, "RISK", note);
  if (!exit) return null;
  await setEventExit(eventId, exit.exitId);
  if (target.scope === "RUN") await setRunExit(target.runId, exit.exitId);
  return exit.exitId;
}

/** A run whose run-level breaches were confirmed in a round. */
export interface RunTrigger {
  run: ArmedRun;
  breaches: readonly Breach[];
  result: RunRiskResult;
}

/**
 * Fires the runs of a round, each on its first breach by priority: one compare-and-set statement and the EXIT events in
 * one transaction, then each run's exit. Returns the runs fired here (a run another worker, or an earlier round, fired
 * — or a run paused meanwhile — is left alone).
 */
export async function fireRuns(triggers: readonly RunTrigger[], at: Date): Promise<string[]> {
  const planned = triggers.map((t) => {
    const [first, ...others] = [...t.breaches].sort(
      (a, b) => RULE_PRIORITY.indexOf(a.rule) - RULE_PRIORITY.indexOf(b.rule),
    );
    const also = others.length
      ? `; also breached in the same evaluation: ${others.map((b) => b.message).join("; ")}`
      : "";
    const snapshot = markFired(t.result.snapshot, (r) => r.rule === first.rule && r.legIndex === undefined);
    return { ...t, first, snapshot, eventId: randomUUID(), message: `${WORDS[first.rule]}: ${first.message}${also}` };
  });
  const fired = await inTransaction(async (tx) => {
    const won = await casFireRuns(
      tx,
      planned.map((p) => ({ runId: p.run.runId, rule: p.first.rule, snapshot: p.snapshot })),
      at,
    );
    await insertRiskEvents(
      tx,
      planned
        .filter((p) => won.has(p.run.runId))
        .map((p) => ({
          id: p.eventId,
          ownerId: p.run.ownerId,
          runId: p.run.runId,
          rule: p.first.rule,
          action: "EXIT" as const,
          threshold: str(p.first.threshold),
          observed: str(p.first.observed),
          prices: p.result.prices,
          message: p.message,
        })),
    );
    return planned.filter((p) => won.has(p.run.runId));
  });
  // A few exits at a time, in trigger order: a burst of triggers queues here rather than for the database's
  // connections, where a transaction that cannot start in time fails.
  const queue = [...fired];
  const next = async (): Promise<void> => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const { run, first, eventId, message } = t;
      log().warn({ runId: run.runId, rule: first.rule }, "risk rule fired: exiting the run");
      let exitId: string | null;
      try {
        exitId = await withRetries(() =>
          exitFor({ scope: "RUN", runId: run.runId }, eventId, `risk: ${WORDS[first.rule].toLowerCase()}`),
        );
      } catch (err) {
        // The EXIT event stands without its exit: the sweep starts it (recoverExits). The other runs go on.
        log().error({ err, runId: run.runId }, "risk exit not started: left to the sweep's recovery");
        continue;
      }
      tellTrigger({
        ownerId: run.ownerId,
        runId: run.runId,
        accountId: null,
        batchKey: `risk:${run.runId}`,
        title: `${WORDS[first.rule]} hit: exiting the run`,
        body: `${message}. Exit ${exitId ?? "not started (the run is gone)"}.`,
        at,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(EXIT_STARTS_AT_ONCE, queue.length) }, next));
  return fired.map((f) => f.run.runId);
}

/** Fires one leg's rule (its LEG exit); false when the leg had already fired, or the run fired or was paused. */
export async function fireLeg(run: ArmedRun, breach: Breach, result: RunRiskResult, at: Date) {
  const legIndex = breach.legIndex!;
  const message = `${WORDS[breach.rule]}: ${breach.message}`;
  const event = await inTransaction(async (tx) => {
    if (!(await casFireLeg(tx, run.runId, legIndex))) return null;
    return insertRiskEvent(tx, {
      ownerId: run.ownerId,
      runId: run.runId,
      legIndex,
      rule: breach.rule,
      action: "EXIT",
      threshold: str(breach.threshold),
      observed: str(breach.observed),
      prices: result.prices.filter((p) => breach.message.includes(`${p.exchange}:${p.symbol}`)),
      message,
    });
  });
  if (!event) return false;
  log().warn({ runId: run.runId, legIndex, rule: breach.rule }, "leg risk rule fired: exiting the leg");
  const target = { scope: "LEG" as const, runId: run.runId, legIndex };
  const exitId = await exitFor(target, event.id, `risk: ${WORDS[breach.rule].toLowerCase()} of leg ${legIndex + 1}`);
  tellTrigger({
    ownerId: run.ownerId,
    runId: run.runId,
    accountId: null,
    batchKey: `risk:${run.runId}`,
    title: `${WORDS[breach.rule]} hit: exiting leg ${legIndex + 1}`,
    body: `${message}. Exit ${exitId ?? "not started"}.`,
    at,
  });
  return true;
}

/**
 * The account's daily loss limit: the day block (once per account and IST day), the EXIT and BLOCK_ENTRIES events,
 * then the account's exit. False when the account was already blocked today.
 */
export async function fireDailyLimit(
  account: LimitAccount,
  day: string,
  pnl: Decimal,
  message: string,
  prices: readonly object[],
  at: Date,
) {
  const base = {
    ownerId: account.ownerId,
    accountId: account.accountId,
    rule: "DAILY_LOSS_LIMIT" as const,
    threshold: account.limit.neg().toString(),
    observed: str(pnl),
    prices,
  };
  const event = await inTransaction(async (tx) => {
    const reason = `Daily loss limit of ${formatRupees(account.limit)} reached (P&L today ${formatRupees(pnl)})`;
    if (!(await insertDayBlock(tx, { accountId: account.accountId, tradingDate: day, reason, observed: str(pnl)! })))
      return null;
    await insertRiskEvent(tx, {
      ...base,
      action: "BLOCK_ENTRIES",
      message: `New entries blocked for ${day}: ${message}`,
    });
    return insertRiskEvent(tx, { ...base, action: "EXIT", message: `Daily loss limit: ${message}` });
  });
  if (!event) return false;
  log().warn({ accountId: account.accountId, day }, "daily loss limit reached: exiting and blocking the account");
  const exitId = await exitFor({ scope: "ACCOUNT", accountId: account.accountId }, event.id, "risk: daily loss limit");
  if (exitId) await setBlockExit(account.accountId, day, exitId);
  tellTrigger({
    ownerId: account.ownerId,
    runId: null,
    accountId: account.accountId,
    batchKey: `risk:account:${account.accountId}:${day}`,
    title: `Daily loss limit hit: ${account.name} exited and blocked for today`,
    body: `${message}. Exit ${exitId ?? "not started"}; no new entries in this account until tomorrow.`,
    at,
  });
  return true;
}

/** EXIT events younger than this whose exit is not recorded may still be starting it: left alone. */
const RECOVER_AFTER_MS = 10_000;

/** Starts again the exits of EXIT events a stopped worker left without one (the last day's). */
export async function recoverExits(now: Date): Promise<number> {
  const waiting = (await listEventsAwaitingExit(new Date(now.getTime() - 24 * 3600_000))).filter(
    (e) => now.getTime() - e.createdAt.getTime() >= RECOVER_AFTER_MS,
  );
  let started = 0;
  for (const e of waiting) {
    const target: SystemExitTarget | null =
      e.rule === "DAILY_LOSS_LIMIT"
        ? e.accountId
          ? { scope: "ACCOUNT", accountId: e.accountId }
          : null
        : !e.runId
          ? null
          : e.legIndex !== null
            ? { scope: "LEG", runId: e.runId, legIndex: e.legIndex }
            : { scope: "RUN", runId: e.runId };
    if (!target) continue;
    const exitId = await exitFor(target, e.id, `risk: ${WORDS[e.rule].toLowerCase()} (restarted)`);
    if (exitId && target.scope === "ACCOUNT")
      await setBlockExit(target.accountId, istDateOf(e.createdAt.getTime()), exitId);
    if (exitId) started += 1;
    log().warn({ eventId: e.id, exitId }, "risk exit restarted after an interrupted trigger");
  }
  return started;
}
