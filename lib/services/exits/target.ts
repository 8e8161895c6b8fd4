import { z } from "zod";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { accountOwnerIds, findAccount } from "@/lib/db/queries/accounts";
import type { NewExit } from "@/lib/db/queries/exits";
import { scopeAccountIds, scopeHasWork } from "@/lib/db/queries/exit-scope";
import { legTotals } from "@/lib/db/queries/ledger";
import { findRun } from "@/lib/db/queries/runs";
import { findRunRow } from "@/lib/db/queries/intents";
import { coveredRunIds } from "@/lib/db/queries/run-scope";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { adapterForScoped } from "@/lib/services/broker-access";
import { holdingsFor } from "./holdings";
import type { ExitPorts } from "./ports";

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
export interface Target {
  exit: Omit<NewExit, "reason" | "requestedBy" | "note">;
  accountIds: string[];
  label: string;
}

export async function resolveTarget(actor: Actor, req: ExitRequest, ports: ExitPorts): Promise<Target> {
  const scope = scopeOf(actor);
  switch (req.scope) {
    case "run": {
      const run = await findRun(scope, req.runId);
      if (!run) throw new NotFoundError("Run");
      if (run.kind === "EXIT") throw new ConflictError("This is an exit run: exit its strategy or account instead");
      return runTarget(run, "this run");
    }
    case "strategy": {
      const s = await ports.findStrategyRow(actor, req.strategyId);
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
export async function somethingOpen(actor: Actor, t: Target, ports: ExitPorts): Promise<boolean> {
  const e = t.exit;
  if (t.accountIds.length === 0) return false;
  if (e.scope === "EXCESS")
    return (
      (
        await holdingsFor(
          { scope: "EXCESS", runId: e.runId!, strategyId: null, legIndex: e.legIndex! },
          e.accountId!,
          ports,
        )
      ).length > 0
    );
  const covered = e.scope === "RUN" ? await coveredRunIds(e.runId!) : [];
  const positions = await ports.ledgerPositions({ accountIds: t.accountIds }, "run");
  const held = positions.some(
    (p) =>
      p.netQty !== 0 &&
      (e.scope === "ACCOUNT" ||
        (e.scope === "RUN" ? covered.includes(p.scope.runId!) : p.scope.strategyId === e.strategyId)),
  );
  if (held) return true;
  if (
    await scopeHasWork(
      e.scope === "RUN"
        ? { runIds: covered }
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

/** A whole run's exit: the run with its adjustments (part of its position), in every account they reached. */
async function runTarget(run: { id: string; ownerId: string; strategyId: string | null }, label: string) {
  return {
    exit: { ownerId: run.ownerId, scope: "RUN", targetKey: `run:${run.id}`, runId: run.id, strategyId: run.strategyId },
    accountIds: await scopeAccountIds({ runIds: await coveredRunIds(run.id) }),
    label,
  } satisfies Target;
}

/** An exit the system asks for (a risk rule): a run, one leg of a run in every account of the run, or an account. */
export type SystemExitTarget =
  | { scope: "RUN"; runId: string }
  | { scope: "LEG"; runId: string; legIndex: number }
  | { scope: "ACCOUNT"; accountId: string };

/** Resolves a system exit's target without a person (the caller already decided it may act); null when it is gone. */
export async function systemTarget(t: SystemExitTarget): Promise<Target | null> {
  if (t.scope === "ACCOUNT") {
    const ownerId = (await accountOwnerIds([t.accountId])).get(t.accountId);
    if (!ownerId) return null;
    return {
      exit: { ownerId, scope: "ACCOUNT", targetKey: `account:${t.accountId}`, accountId: t.accountId },
      accountIds: [t.accountId],
      label: "the account",
    };
  }
  const run = await findRunRow(t.runId);
  if (!run) return null;
  if (t.scope === "RUN") return runTarget(run, "the run");
  const runIds = await coveredRunIds(t.runId);
  return {
    exit: {
      ownerId: run.ownerId,
      scope: "LEG",
      targetKey: `leg:${run.id}:${t.legIndex}`,
      runId: run.id,
      strategyId: run.strategyId,
      legIndex: t.legIndex,
    },
    accountIds: await scopeAccountIds({ runIds, legIndex: t.legIndex }),
    label: `leg ${t.legIndex + 1} of the run`,
  };
}
