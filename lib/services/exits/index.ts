/**
 * The exit service: a click (run, strategy, account, a leg's excess), the kill switch (lib/services/kill-switch), the
 * auto square-off (runSquareOff below) and risk triggers (startSystemExit, lib/services/risk) all create an exit here;
 * the exit worker drives it (driveExit below: one loop per account, ./account-loop.ts). At most one active exit per
 * target: a second request for the same target joins the first. Every exit's reason is in the audit log.
 *
 * This entry is the only file of the exit path that calls other subsystems; it hands what the files below need down
 * as ExitPorts (./ports.ts), so the path reads top-down: entry → exit plan (lib/trading) → queries → broker.
 */
import type { ExitReason, ExitStatus } from "@/lib/generated/prisma/client";
import { authorize } from "@/lib/auth/authorize";
import { readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";
import { inTransaction } from "@/lib/db/transaction";
import { insertSquareOff, squareOffDone } from "@/lib/db/queries/square-offs";
import { listStrategyDefinitions } from "@/lib/db/queries/strategies";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  findExit,
  findExitRunIds,
  insertOrJoinExit,
  listExitRows,
  listUndrivenExits,
  refreshExitStatus,
  type NewExit,
} from "@/lib/db/queries/exits";
import { scopeAccountIds, scopeHasWork } from "@/lib/db/queries/exit-scope";
import { visibleRunIds } from "@/lib/db/queries/runs";
import { ConflictError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { Jsonified } from "@/lib/util/jsonify";
import { enqueueExit } from "@/lib/queues/exits";
import { expiryHolidaySet, sessionOf } from "@/lib/services/calendar";
import { istDateOf } from "@/lib/trading/calendar";
import { derivativeExchanges } from "@/lib/trading/instruments";
import { squareOffDue } from "@/lib/trading/square-off";
import { strategyDefinitionSchema } from "@/lib/trading/strategy";
import type { DispatchOptions } from "@/lib/services/dispatch";
import { syncAccountFills } from "@/lib/services/fills";
import { ledgerInputs, ledgerPositions } from "@/lib/services/positions";
import { createRun } from "@/lib/services/runs";
import { tradingSettings } from "@/lib/services/settings";
import { findStrategyRow } from "@/lib/services/strategies";
import { driveAccount, FAIL_AFTER, type Ctx } from "./account-loop";
import { takeLease } from "./exit-lease";
import { reusedAnswers } from "@/lib/util/reused";
import { BrokerFreezes } from "./freeze";
import { PlanBatcher } from "./plan-batcher";
import type { ExitPorts } from "./ports";
import { SettlePoller } from "./settle-poller";
import { resolveTarget, somethingOpen, systemTarget, type ExitRequest, type SystemExitTarget } from "./target";

export { exitListQuerySchema, exitRequestSchema, type ExitRequest, type SystemExitTarget } from "./target";
export { FAIL_AFTER, failureBackoffMs } from "./account-loop";
// Copy groups size their child orders with the same contract sizes an exit slices with.
export { instrumentsFor } from "./instruments";

const ports: ExitPorts = {
  createRun,
  expiryHolidaySet,
  findStrategyRow,
  ledgerInputs,
  ledgerPositions,
  syncAccountFills,
  tradingSettings,
};

/** Stores an exit (or joins the active one of the same target), audits its reason, and hands it to the worker. */
export async function startExit(
  exit: Omit<NewExit, "reason" | "requestedBy">,
  accountIds: readonly string[],
  reason: ExitReason,
  requestedBy: string | null,
  ip: string | null = null,
) {
  const result = await inTransaction(async (tx) => {
    const r = await insertOrJoinExit(tx, { ...exit, reason, requestedBy }, accountIds);
    await insertAudit(
      {
        actorId: requestedBy,
        action: r.joined ? "exit.join" : "exit.request",
        entity: "exit",
        entityId: r.id,
        details: {
          reason: reason.toLowerCase(),
          scope: exit.scope.toLowerCase(),
          target: exit.targetKey,
          accounts: accountIds.length,
        },
        ip,
      },
      tx,
    );
    return r;
  });
  await enqueueExit(result.id, result.joined ? `join_${Math.floor(Date.now() / 1000)}` : undefined);
  const runIds = await findExitRunIds(result.id);
  return { exitId: result.id, runIds, joined: result.joined };
}

/**
 * An exit the system starts (a risk rule, docs/risk.md): a run with its adjustments, one leg of a run in every account
 * of the run, or an account. Started or joined like any other exit; null when the run or account no longer exists.
 */
export async function startSystemExit(target: SystemExitTarget, reason: ExitReason, note: string) {
  const t = await systemTarget(target);
  return t ? startExit({ ...t.exit, note }, t.accountIds, reason, null) : null;
}

/** POST /api/exits: a person's exit of a run, a strategy, an account or a leg's excess. */
export async function requestExit(actor: Actor, req: ExitRequest, ip: string | null, reason: ExitReason = "MANUAL") {
  authorize(actor, "exit.request");
  const t = await resolveTarget(actor, req, ports);
  if (!(await somethingOpen(actor, t, ports))) {
    throw new ConflictError(
      t.exit.scope === "EXCESS"
        ? `Nothing to exit: ${t.label} is not over-filled`
        : `Nothing is open to exit in ${t.label}: no filled position and no working order`,
    );
  }
  return startExit(t.exit, t.accountIds, reason, actor.id, ip);
}

/** One exit of GET /api/exits, as the browser receives it. */
export type ExitJson = Jsonified<Awaited<ReturnType<typeof listExits>>[number]>;

/** GET /api/exits: newest first; a trader sees their own exits and their accounts' part of global ones. */
export async function listExits(actor: Actor, status?: ExitStatus) {
  const scope = scopeOf(actor);
  const rows = await listExitRows(scope, status, 100);
  // A global exit's EXIT runs belong to every owner: a trader sees only the ids of their own.
  const visible = await visibleRunIds(
    scope,
    rows.flatMap((r) => r.runIds),
  );
  const readable = readableOwnerIds(scope);
  return rows
    .map((e) => ({
      id: e.id,
      scope: e.scope.toLowerCase(),
      reason: e.reason.toLowerCase(),
      status: e.status,
      createdAt: e.createdAt.toISOString(),
      finishedAt: e.finishedAt?.toISOString() ?? null,
      runIds: e.runIds.filter((id) => visible.has(id)),
      accounts: e.accounts
        .filter((a) => !readable || readable.includes(a.account.ownerId))
        .sort((x, y) => x.account.name.localeCompare(y.account.name))
        .map((a) => ({ accountId: a.accountId, accountName: a.account.name, status: a.status, message: a.message })),
    }))
    .filter(
      (e) => !readable || e.accounts.length > 0 || readable.includes(rows.find((r) => r.id === e.id)?.ownerId ?? ""),
    );
}

/**
 * Exit orders: a 600 ms reconcile window, the order book read every 150 ms meanwhile (a lost answer's order shows
 * there at once; 150 ms leaves part of the account's 10 reads/s for the exit's own reads and fill tracking), and ONE
 * send per slice — a slice that cannot be confirmed is never resent by dispatch: the exit's next attempt reads the
 * broker's open orders and then its positions first, so it can neither double nor flip a position.
 */
export const EXIT_DISPATCH: Partial<DispatchOptions> = {
  reconcileWindowMs: 600,
  pollIntervalMs: 150,
  maxAttempts: 1,
  refusedBackoffMs: 50,
};
export interface DriveOptions {
  /** How long one job drives before handing over to the sweep, ms. */
  budgetMs?: number;
  dispatch?: Partial<DispatchOptions>;
  /** Consecutive failures before an account shows FAILED (default FAIL_AFTER). */
  failAfter?: number;
}

/** How long one drive reuses the trading settings it read (instrument settings for slicing), ms. */
const SETTINGS_REUSE_MS = 5_000;

/** Drives an exit for up to `budgetMs` while holding its lease; the sweep hands it to a worker again afterwards. */
export async function driveExit(
  exitId: string,
  workerId: string,
  opts: DriveOptions = {},
): Promise<{ status: ExitStatus | "LEASED" }> {
  const lease = await takeLease(exitId, workerId);
  if (!lease) return { status: "LEASED" };
  try {
    const exit = await findExit(exitId);
    if (!exit || exit.status === "DONE") return { status: "DONE" };
    // One read of the trading settings serves every account of the drive for a few seconds.
    const settings = reusedAnswers<Awaited<ReturnType<ExitPorts["tradingSettings"]>>>(SETTINGS_REUSE_MS);
    const drivePorts: ExitPorts = { ...ports, tradingSettings: () => settings("settings", ports.tradingSettings) };
    const ctx: Ctx = {
      exit,
      until: Date.now() + (opts.budgetMs ?? 120_000),
      failAfter: opts.failAfter ?? FAIL_AFTER,
      poller: new SettlePoller(),
      freezes: new BrokerFreezes(),
      batcher: new PlanBatcher(exit, opts.dispatch ?? EXIT_DISPATCH, lease.renew, drivePorts.createRun),
      ports: drivePorts,
    };
    const loops = exit.accounts
      .filter((a) => a.status !== "DONE")
      .map((a) =>
        driveAccount(ctx, a).catch((err) =>
          log().error({ err, exitId, accountId: a.accountId }, "exit account loop failed"),
        ),
      );
    await Promise.all(loops);
    const status = await refreshExitStatus(exitId);
    if (status === "DONE") {
      const runIds = (await findExit(exitId))?.runIds ?? [];
      await insertAudit({
        actorId: null,
        action: "exit.done",
        entity: "exit",
        entityId: exitId,
        details: { reason: exit.reason.toLowerCase(), scope: exit.scope.toLowerCase(), runIds },
      });
    }
    return { status };
  } finally {
    await lease.release();
  }
}

/** Hands every active exit that no worker drives to the queue again (periodic). */
export async function sweepExits(now: Date): Promise<{ enqueued: number }> {
  const ids = await listUndrivenExits();
  for (const id of ids) await enqueueExit(id, `sweep_${Math.floor(now.getTime() / 5_000)}`);
  return { enqueued: ids.length };
}

export interface SquareOffResult {
  /** Strategies whose square-off exit was started now: `strategyId → exitId`. */
  fired: Record<string, string>;
}

/**
 * Auto square-off: every strategy whose square-off time (lib/trading/square-off.ts: its own, else 15:15 for MIS; in a
 * special session 15 minutes before its close) has passed in today's IST session is exited, reason square_off, at most
 * once per strategy per day (square_offs row); never on a closed day. A strategy with nothing open is not marked, so a
 * position opened later that day is still caught. `now` is a parameter so tests (and a simulated clock) drive it.
 */
export async function runSquareOff(now: Date): Promise<SquareOffResult> {
  const strategies = await listStrategyDefinitions();
  const { instruments } = await tradingSettings();
  const today = istDateOf(now.getTime());
  const fired: Record<string, string> = {};
  for (const s of strategies) {
    const def = strategyDefinitionSchema.safeParse(s.definition);
    if (!def.success) continue;
    // The day's sessions of the strategy's exchanges (docs/calendar.md): none on a closed day, a special session's
    // square-off before its own close.
    const exchanges = derivativeExchanges(def.data.legs, instruments);
    const sessions = await Promise.all(exchanges.map((e) => sessionOf(e, today)));
    const { due, date, time } = squareOffDue(def.data, now.getTime(), sessions);
    if (!due) continue;
    if (await squareOffDone(s.id, date)) continue;
    const accountIds = await scopeAccountIds({ strategyId: s.id });
    if (accountIds.length === 0) continue;
    const held = (await ledgerPositions({ accountIds }, "strategy")).some(
      (p) => p.scope.strategyId === s.id && p.netQty !== 0,
    );
    if (!held && !(await scopeHasWork({ strategyId: s.id }))) continue;
    const exit = await startExit(
      {
        ownerId: s.ownerId,
        scope: "STRATEGY",
        targetKey: `strategy:${s.id}`,
        strategyId: s.id,
        note: `auto square-off at ${time} IST`,
      },
      accountIds,
      "SQUARE_OFF",
      null,
    );
    await insertSquareOff({ strategyId: s.id, tradingDate: date, exitId: exit.exitId, firedAt: now });
    log().info({ strategyId: s.id, exitId: exit.exitId, date, time }, "auto square-off");
    fired[s.id] = exit.exitId;
  }
  return { fired };
}
