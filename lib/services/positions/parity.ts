/**
 * Parity boards (docs/architecture.md "Fills and the ledger"): per run, and per strategy across its latest runs, target
 * vs filled quantity for each account and leg (lib/trading/parity.ts). Visible to whoever may see the run or the
 * strategy (404 otherwise).
 */
import { type Actor, scopeOf } from "@/lib/auth/roles";
import type { IntentRow } from "@/lib/db/queries/intents";
import { listStrategyRunsWithIntents } from "@/lib/db/queries/parity";
import { findRun } from "@/lib/db/queries/runs";
import { NotFoundError } from "@/lib/errors";
import { type Parity, type ParityAccountInput, type ParityIntent, parityOf } from "@/lib/trading/parity";
import { findStrategyRow } from "@/lib/services/strategies";

type StoredPlan = {
  accounts?: { accountId: string; accountName: string; status: "planned" | "skipped"; reason?: string }[];
};

function accountsOf(plan: unknown): ParityAccountInput[] {
  return ((plan as StoredPlan).accounts ?? []).map((a) => ({
    accountId: a.accountId,
    accountName: a.accountName,
    skipped: a.status === "skipped" ? (a.reason ?? "skipped") : null,
  }));
}

function intentsOf(rows: readonly IntentRow[]): ParityIntent[] {
  return rows.map((i) => ({
    accountId: i.accountId,
    legIndex: i.legIndex,
    symbol: i.symbol,
    action: i.action,
    quantity: i.quantity,
    state: i.state,
    filledQuantity: i.filledQuantity,
    averagePrice: i.averagePrice?.toString() ?? null,
    reason: i.reason,
  }));
}

export interface RunParity extends Parity {
  runId: string;
  kind: string;
  status: string;
  triggeredAt: string;
}

export async function getRunParity(actor: Actor, runId: string): Promise<RunParity> {
  const run = await findRun(scopeOf(actor), runId);
  if (!run) throw new NotFoundError("Run");
  return {
    runId: run.id,
    kind: run.kind,
    status: run.status,
    triggeredAt: run.triggeredAt.toISOString(),
    ...parityOf(accountsOf(run.plan), intentsOf(run.intents)),
  };
}

export interface StrategyParity extends Parity {
  strategyId: string;
  /** The runs summed up (newest first), each with its own figures: a drifted run is where to act. */
  runs: {
    runId: string;
    kind: string;
    status: string;
    triggeredAt: string;
    target: number;
    filled: number;
    drifted: number;
  }[];
}

/**
 * The strategy's parity over its latest `limit` runs: per account, one cell per leg and contract (runs that traded
 * the same contract for the same leg add up), plus each run's own summary.
 */
export async function getStrategyParity(actor: Actor, strategyId: string, limit: number): Promise<StrategyParity> {
  await findStrategyRow(actor, strategyId);
  const runs = await listStrategyRunsWithIntents(strategyId, limit);
  const accounts = new Map<string, ParityAccountInput>();
  for (const run of [...runs].reverse()) {
    for (const a of accountsOf(run.plan)) {
      const seen = accounts.get(a.accountId);
      // Planned in any run wins over skipped in another; the latest name wins.
      accounts.set(a.accountId, { ...a, skipped: seen && seen.skipped === null ? null : a.skipped });
    }
  }
  const perRun = runs.map((run) => {
    const p = parityOf(accountsOf(run.plan), intentsOf(run.intents));
    return {
      runId: run.id,
      kind: run.kind,
      status: run.status,
      triggeredAt: run.triggeredAt.toISOString(),
      target: p.totals.target,
      filled: p.totals.filled,
      drifted: p.drifted,
    };
  });
  const all = parityOf(
    [...accounts.values()].sort((a, b) => a.accountName.localeCompare(b.accountName)),
    intentsOf(runs.flatMap((r) => r.intents)),
  );
  return { strategyId, ...all, runs: perRun };
}
