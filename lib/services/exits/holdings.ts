import type { Exit } from "@/lib/generated/prisma/client";
import { legTotals } from "@/lib/db/queries/ledger";
import { legContracts } from "@/lib/db/queries/run-scope";
import type { ExitScopeFilter } from "@/lib/db/queries/exit-scope";
import { legExcess, type Holding } from "@/lib/trading/exit-plan";
import { buildLedger, excessExited, ledgerFills } from "@/lib/trading/ledger";
import type { ExitPorts } from "./ports";

/**
 * Which intents an exit covers in one account (its scope's entry runs and their broker-side stops, and the exit's own
 * runs). `covered`: a RUN or LEG exit's run and the adjustment runs it covers (lib/db/queries/run-scope.ts).
 */
export function scopeFilter(
  exit: Pick<Exit, "scope" | "runId" | "strategyId" | "runIds" | "legIndex">,
  accountId: string,
  covered: readonly string[],
): ExitScopeFilter {
  const base = { accountId, exitRunIds: exit.runIds };
  switch (exit.scope) {
    case "RUN":
      return { ...base, runIds: covered, protectedRunIds: covered };
    case "LEG":
      // Stops at the broker are numbered per stop run, not by the protected leg: all of the run's are withdrawn first
      // (a LEG exit comes from a watched leg rule, so a run with broker-side stops rarely has one).
      return { ...base, runIds: covered, legIndex: exit.legIndex, protectedRunIds: covered };
    case "STRATEGY":
      return { ...base, strategyId: exit.strategyId };
    case "EXCESS":
      // An over-filled leg is complete: nothing of the run is stopped, only the excess exited — but the run's stops
      // at the broker are cancelled first (they are re-placed for what is left once the exit is done).
      return { ...base, protectedRunIds: [exit.runId!] };
    default:
      return { ...base, allEntries: true };
  }
}

/** What the scope holds in the account, per entry run, from the ledger (after the fill refresh). */
export async function holdingsFor(
  exit: Pick<Exit, "scope" | "runId" | "strategyId" | "legIndex">,
  accountId: string,
  ports: Pick<ExitPorts, "ledgerInputs">,
  covered: readonly string[] = exit.runId ? [exit.runId] : [],
): Promise<Holding[]> {
  const { fills, allocations } = await ports.ledgerInputs({ accountIds: [accountId] });
  const positions = buildLedger(ledgerFills(fills, allocations, "run")).filter(
    (p) => p.scope.runId !== null && p.netQty !== 0,
  );
  const holding = (p: (typeof positions)[number], netQty = p.netQty, legIndex: number | null = null): Holding => ({
    runId: p.scope.runId!,
    strategyId: p.scope.strategyId,
    legIndex,
    symbol: p.symbol,
    exchange: p.exchange,
    product: p.product,
    netQty,
  });
  if (exit.scope === "RUN") return positions.filter((p) => covered.includes(p.scope.runId!)).map((p) => holding(p));
  if (exit.scope === "LEG") {
    // Every contract the leg traded in this account (an adjustment may have re-placed it on another strike).
    const legs = new Set(
      (await legContracts(covered, accountId, exit.legIndex!)).map((c) => `${c.exchange}|${c.symbol}|${c.product}`),
    );
    return positions
      .filter((p) => covered.includes(p.scope.runId!) && legs.has(`${p.exchange}|${p.symbol}|${p.product}`))
      .map((p) => holding(p));
  }
  if (exit.scope === "STRATEGY")
    return positions.filter((p) => p.scope.strategyId === exit.strategyId).map((p) => holding(p));
  if (exit.scope !== "EXCESS") return positions.map((p) => holding(p));
  const leg = await legTotals(exit.runId!, accountId, exit.legIndex!);
  if (!leg) return [];
  // filled − target − what earlier excess exits of this leg already closed.
  const excess = legExcess(
    leg.target,
    leg.filled,
    excessExited(fills, allocations, { runId: exit.runId!, accountId, legIndex: exit.legIndex! }),
  );
  const dir = leg.action === "BUY" ? 1 : -1;
  const run = positions.find(
    (p) =>
      p.scope.runId === exit.runId &&
      p.symbol === leg.symbol &&
      p.exchange === leg.exchange &&
      p.product === leg.product,
  );
  // Never more than the run itself still holds on that side.
  const units = run && Math.sign(run.netQty) === dir ? Math.min(excess, Math.abs(run.netQty)) : 0;
  return units > 0 ? [holding(run!, dir * units, exit.legIndex)] : [];
}
