/**
 * The risk sweep, every second (queue `risk`, job `sweep`; docs/risk.md "Evaluation"): reads the whole book, evaluates
 * every armed run and limit account at the latest fresh prices, fires what is confirmed, stores each run's snapshot,
 * starts and ends stale episodes, puts aside runs that are flat with nothing working, restarts the exits of triggers a
 * stopped worker left half done, and renews the engine's live-price interest. Ticks are evaluated between sweeps
 * (./ticks.ts); the sweep catches whatever no tick brought (a quiet contract, a time exit, a run just armed).
 */
import { markClosed } from "@/lib/db/queries/run-risks";
import { loadRiskBook } from "./book";
import { evaluateRound } from "./evaluate";
import { recoverExits } from "./fire";
import { syncRiskInterest } from "./interest";
import { keepBook, pendingOf } from "./memory";
import type { RiskClock } from "./prices";
import { actOnRound } from "./round";
import { syncStaleEpisodes } from "./stale";
import { runningTickEngine } from "./ticks";

export interface RiskSweepSummary {
  runs: number;
  accounts: number;
  runsFired: number;
  legsFired: number;
  accountsBlocked: number;
  closed: number;
  recovered: number;
  /** Contracts the engine's interest names, per feed kind. */
  interest: { real: number; simulated: number };
  /** How long the sweep took, ms. */
  ms: number;
}

export async function sweepRisk(clock: RiskClock): Promise<RiskSweepSummary> {
  const t0 = performance.now();
  const book = await loadRiskBook(clock.now);
  keepBook(book);
  const round = await evaluateRound(book, null, null, clock);
  const acted = await actOnRound(round, book, clock, { snapshots: true });
  await syncStaleEpisodes(round, clock.now);
  const closed = round.runs.filter((o) => o.closed && !o.run.done).map((o) => o.run.runId);
  await markClosed(closed, clock.now);
  const recovered = await recoverExits(clock.now);
  const interest = await syncRiskInterest(book);
  // A breach seen once here is confirmed by this process's tick engine shortly after, not a second later.
  if (round.recheckAt !== null)
    runningTickEngine()?.recheck(
      round.runs.filter((o) => !o.run.done && pendingOf(o.run.runId).size > 0).map((o) => `run:${o.run.runId}`),
      round.recheckAt,
    );
  return {
    runs: book.runs.length,
    accounts: book.accounts.length,
    ...acted,
    closed: closed.length,
    recovered,
    interest,
    ms: Math.round(performance.now() - t0),
  };
}
