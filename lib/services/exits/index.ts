/**
 * The exit service: a click (run, strategy, account, a leg's excess), the
 * kill switch (lib/services/kill-switch/index.ts), the auto square-off (lib/services/exits/square-off.ts) and, later, risk
 * triggers all create an exit here; the exit worker drives it (lib/services/exits/runner.ts). At most one active exit
 * per target: a second request for the same target joins the first. Every exit's reason is in the audit log.
 */
import { z } from "zod";
import type { ExitReason, ExitStatus } from "@/lib/generated/prisma/client";
import { canWrite, readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { findAccount } from "@/lib/db/queries/accounts";
import { insertAudit } from "@/lib/db/queries/audit";
import { insertOrJoinExit, listExitRows, type NewExit } from "@/lib/db/queries/exits";
import { scopeAccountIds, scopeHasWork } from "@/lib/db/queries/exit-scope";
import { legTotals } from "@/lib/db/queries/ledger";
import { findRun, visibleRunIds } from "@/lib/db/queries/runs";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { enqueueExit } from "@/lib/queues/exits";
import { adapterForScoped } from "@/lib/services/broker-access";
import { ledgerPositions } from "@/lib/services/positions";
import { findStrategyRow } from "@/lib/services/strategies";
import { holdingsFor } from "./attempt";

const uuid = (what: string) => z.uuid(`Not a ${what} id`);
export const exitRequestSchema = z.discriminatedUnion("scope", [
  z.object({ scope: z.literal("run"), runId: uuid("run") }),
  z.object({ scope: z.literal("strategy"), strategyId: uuid("strategy") }),
  z.object({ scope: z.literal("account"), accountId: uuid("account") }),
  z.object({
    scope: z.literal("excess"),
    runId: uuid("run"),
    accountId: uuid("account"),
    legIndex: z.int().min(0).max(100),
  }),
]);
export type ExitRequest = z.infer<typeof exitRequestSchema>;
export const exitListQuerySchema = z.object({ status: z.enum(["PENDING", "DONE", "FAILED"]).optional() });

/** A resolved exit target: what to store, which accounts it covers, and whether anything there is open. */
interface Target {
  exit: Omit<NewExit, "reason" | "requestedBy" | "note">;
  accountIds: string[];
  label: string;
}

async function resolveTarget(actor: Actor, req: ExitRequest): Promise<Target> {
  const scope = scopeOf(actor);
  switch (req.scope) {
    case "run": {
      const run = await findRun(scope, req.runId);
      if (!run) throw new NotFoundError("Run");
      if (run.kind === "EXIT") throw new ConflictError("This is an exit run: exit its strategy or account instead");
      return {
        exit: {
          ownerId: run.ownerId,
          scope: "RUN",
          targetKey: `run:${run.id}`,
          runId: run.id,
          strategyId: run.strategyId,
        },
        accountIds: await scopeAccountIds({ runIds: [run.id] }),
        label: "this run",
      };
    }
    case "strategy": {
      const s = await findStrategyRow(actor, req.strategyId);
      return {
        exit: { ownerId: s.ownerId, scope: "STRATEGY", targetKey: `strategy:${s.id}`, strategyId: s.id },
        accountIds: await scopeAccountIds({ strategyId: s.id }),
        label: "this strategy",
      };
    }
    case "account": {
      const a = await findAccount(scope, req.accountId);
      if (!a) throw new NotFoundError("Account");
      return {
        exit: { ownerId: a.ownerId, scope: "ACCOUNT", targetKey: `account:${a.id}`, accountId: a.id },
        accountIds: [a.id],
        label: "this account",
      };
    }
    case "excess": {
      const run = await findRun(scope, req.runId);
      if (!run) throw new NotFoundError("Run");
      if (!(await legTotals(run.id, req.accountId, req.legIndex)))
        throw new NotFoundError(`Leg ${req.legIndex + 1} of this run in that account`);
      return {
        exit: {
          ownerId: run.ownerId,
          scope: "EXCESS",
          targetKey: `excess:${run.id}:${req.accountId}:${req.legIndex}`,
          runId: run.id,
          strategyId: run.strategyId,
          accountId: req.accountId,
          legIndex: req.legIndex,
        },
        accountIds: [req.accountId],
        label: `leg ${req.legIndex + 1} in that account`,
      };
    }
  }
}

/** Whether there is anything to exit: a position in the ledger, a working or unsent order, or (an account) at the broker. */
async function somethingOpen(actor: Actor, t: Target): Promise<boolean> {
  const e = t.exit;
  if (t.accountIds.length === 0) return false;
  if (e.scope === "EXCESS")
    return (
      (await holdingsFor({ scope: "EXCESS", runId: e.runId!, strategyId: null, legIndex: e.legIndex! }, e.accountId!))
        .length > 0
    );
  const positions = await ledgerPositions({ accountIds: t.accountIds }, "run");
  const held = positions.some(
    (p) =>
      p.netQty !== 0 &&
      (e.scope === "ACCOUNT" || (e.scope === "RUN" ? p.scope.runId === e.runId : p.scope.strategyId === e.strategyId)),
  );
  if (held) return true;
  if (
    await scopeHasWork(
      e.scope === "RUN"
        ? { runIds: [e.runId!] }
        : e.scope === "STRATEGY"
          ? { strategyId: e.strategyId }
          : { accountId: e.accountId },
    )
  )
    return true;
  if (e.scope !== "ACCOUNT") return false;
  try {
    const { adapter } = await adapterForScoped(scopeOf(actor), e.accountId!);
    const [positionsAtBroker, orders] = await Promise.all([adapter.positions(), adapter.orders()]);
    return (
      positionsAtBroker.some((p) => p.quantity !== 0) ||
      orders.some((o) => o.status === "open" || o.status === "trigger_pending")
    );
  } catch {
    // The broker cannot say: let the exit find out (and retry) rather than refuse it.
    return true;
  }
}

/** Stores an exit (or joins the active one of the same target), audits its reason, and hands it to the worker. */
export async function startExit(
  exit: Omit<NewExit, "reason" | "requestedBy">,
  accountIds: readonly string[],
  reason: ExitReason,
  requestedBy: string | null,
  ip: string | null = null,
) {
  const result = await db().$transaction(async (tx) => {
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
  const row = await db().exit.findUniqueOrThrow({ where: { id: result.id }, select: { runIds: true } });
  return { exitId: result.id, runIds: row.runIds, joined: result.joined };
}

/** POST /api/exits: a person's exit of a run, a strategy, an account or a leg's excess. */
export async function requestExit(actor: Actor, req: ExitRequest, ip: string | null, reason: ExitReason = "MANUAL") {
  if (!canWrite(actor)) throw new ForbiddenError("Viewers cannot exit positions");
  const t = await resolveTarget(actor, req);
  if (!(await somethingOpen(actor, t))) {
    throw new ConflictError(
      t.exit.scope === "EXCESS"
        ? `Nothing to exit: ${t.label} is not over-filled`
        : `Nothing is open to exit in ${t.label}: no filled position and no working order`,
    );
  }
  return startExit(t.exit, t.accountIds, reason, actor.id, ip);
}

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
