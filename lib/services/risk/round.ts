/**
 * Acting on a round of evaluations (./evaluate.ts): fire what was confirmed (./fire.ts) — every run of the round in one
 * compare-and-set statement, its exits right after — keep the trails' new peaks and stops, and, for a full sweep, store
 * every run's snapshot for the Risk page. A run this process is already firing (the sweep and a tick round can confirm
 * the same breach) is left to that round (./memory.ts `claimFiring`); the database decides between processes.
 */
import { raiseTrails, saveSnapshots, saveSupertrends } from "@/lib/db/queries/run-risks";
import { log } from "@/lib/log";
import type { RiskBook } from "./book";
import type { RoundOutcome } from "./evaluate";
import { fireDailyLimit, fireLeg, fireRuns } from "./fire";
import { claimFiring, releaseFiring } from "./memory";
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
  const triggered = round.runs.filter((o) => o.fire.length > 0);
  for (const o of triggered) o.run.done = true;
  const mine = new Set(claimFiring(triggered.map((o) => o.run.runId)));
  const firing = fireRuns(
    triggered.filter((o) => mine.has(o.run.runId)).map((o) => ({ run: o.run, breaches: o.fire, result: o.result })),
    at,
  ).then(
    (fired) => {
      done.runsFired = fired.length;
      releaseFiring([...mine].filter((id) => !fired.includes(id)));
    },
    (err) => {
      // Left for the next round (the compare-and-set decides again); a half-done trigger is recovered by the sweep.
      releaseFiring(mine);
      log().error({ err }, "risk trigger failed");
    },
  );
  const legs = round.runs
    .filter((o) => o.fire.length === 0 && o.fireLegs.length > 0)
    .map(async ({ run, fireLegs, result }) => {
      for (const b of fireLegs) {
        run.firedLegs = [...run.firedLegs, b.legIndex!];
        try {
          if (await fireLeg(run, b, result, at)) done.legsFired += 1;
        } catch (err) {
          log().error({ err, runId: run.runId, legIndex: b.legIndex }, "leg risk trigger failed");
        }
      }
    });
  await Promise.all([firing, ...legs]);

  // The trail is kept once the entry has settled: while its orders still fill, the premium (and a % distance) grows.
  const trails: { runId: string; peak: string; stop: string }[] = [];
  for (const { run, result } of round.runs) {
    const t = result.trail;
    if (!t || run.done || run.runStatus === "RUNNING") continue;
    const { peak, stop } = run.trail;
    if (peak !== null && stop !== null && t.peak.lte(peak) && t.stop.lte(stop)) continue;
    run.trail = { peak: t.peak, stop: t.stop };
    trails.push({ runId: run.runId, peak: t.peak.toString(), stop: t.stop.toString() });
  }
  await raiseTrails(trails);
  // The Supertrend is kept when a candle closed: a crash loses only the samples taken since (docs/risk.md).
  await saveSupertrends(
    round.runs.flatMap(({ run, supertrendToKeep: state }) =>
      state && !run.done ? [{ runId: run.runId, state, candles: state.core.candles }] : [],
    ),
  );
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
