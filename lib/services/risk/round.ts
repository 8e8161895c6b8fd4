/**
 * Acting on a round of evaluations (./evaluate.ts): fire what was confirmed (./fire.ts), keep the trails' new peaks
 * and stops, and — for a full sweep — store every run's snapshot for the Risk page. The book in memory is updated as
 * it goes (a fired run, a fired leg, a blocked account, a raised trail), so the next tick round does not redo it.
 */
import { raiseTrails, saveSnapshots } from "@/lib/db/queries/run-risks";
import { log } from "@/lib/log";
import type { RiskBook } from "./book";
import type { RoundOutcome } from "./evaluate";
import { fireDailyLimit, fireLeg, fireRun } from "./fire";
import type { RiskClock } from "./prices";

export interface RoundActions {
  runsFired: number;
  legsFired: number;
  accountsBlocked: number;
}

export async function actOnRound(
  round: RoundOutcome,
  book: RiskBook,
  clock: RiskClock,
  opts: { snapshots: boolean },
): Promise<RoundActions> {
  const at = clock.now;
  const done = { runsFired: 0, legsFired: 0, accountsBlocked: 0 };
  const trails: { runId: string; peak: string; stop: string }[] = [];
  await Promise.all(
    round.runs.map(async (o) => {
      const { run, result } = o;
      try {
        if (o.fire.length > 0) {
          run.done = true;
          if (await fireRun(run, o.fire, result, at)) done.runsFired += 1;
          return;
        }
        for (const b of o.fireLegs) {
          run.firedLegs = [...run.firedLegs, b.legIndex!];
          if (await fireLeg(run, b, result, at)) done.legsFired += 1;
        }
      } catch (err) {
        // Left for the next round (the compare-and-set decides again); a half-done trigger is recovered by the sweep.
        run.done = false;
        log().error({ err, runId: run.runId }, "risk trigger failed");
      }
      const t = result.trail;
      // The trail is kept once the entry has settled: while its orders still fill, the premium (and a % distance) grows.
      if (!t || run.runStatus === "RUNNING") return;
      const { peak, stop } = run.trail;
      if (peak !== null && stop !== null && t.peak.lte(peak) && t.stop.lte(stop)) return;
      run.trail = { peak: t.peak, stop: t.stop };
      trails.push({ runId: run.runId, peak: t.peak.toString(), stop: t.stop.toString() });
    }),
  );
  await raiseTrails(trails);
  if (opts.snapshots)
    await saveSnapshots(
      round.runs.filter((o) => !o.run.done).map((o) => ({ runId: o.run.runId, snapshot: o.result.snapshot, at })),
    );
  for (const o of round.accounts) {
    if (!o.fire || o.pnl === null) continue;
    o.account.blocked = true;
    try {
      if (await fireDailyLimit(o.account, book.day, o.pnl, o.fire.message, o.prices, at)) done.accountsBlocked += 1;
    } catch (err) {
      o.account.blocked = false;
      log().error({ err, accountId: o.account.accountId }, "daily loss limit trigger failed");
    }
  }
  return done;
}
