/**
 * One round of evaluations over some armed runs and limit accounts of a book (docs/risk.md "Evaluation"): the pure
 * evaluation of each at the round's prices, then hysteresis against what this process saw before (a breach fires on
 * its second sighting, ./memory.ts). What to do about it is ./round.ts's business.
 */
import Decimal from "decimal.js";
import { sessionOf } from "@/lib/services/calendar";
import type { FeedKind } from "@/lib/services/market-data";
import { accountDayPnl, dailyLimitBreach } from "@/lib/trading/risk/daily-loss";
import {
  breachKey,
  evaluateRun,
  type Breach,
  type PriceInput,
  type RunRiskResult,
  type SupertrendSignal,
} from "@/lib/trading/risk/evaluate-run";
import { confirmBreaches, CONFIRM_MS } from "@/lib/trading/risk/hysteresis";
import { combinedPremium, contractOf, isOpen, premiumSide } from "@/lib/trading/risk/run-book";
import { againstDirection, supertrendStep, supertrendValue, type SupertrendState } from "@/lib/trading/risk/supertrend";
import { lookbackDates, timeExitVerdict, type TimeExitVerdict } from "@/lib/trading/risk/time-exit";
import type { ExchangeSession } from "@/lib/trading/calendar";
import type { ArmedRun, LimitAccount, RiskBook } from "./book";
import { pendingOf, setPending, setSupertrend, supertrendOf } from "./memory";
import { pricesOf, readRiskPrices, type RiskClock } from "./prices";

export interface RunOutcome {
  run: ArmedRun;
  result: RunRiskResult;
  /** Confirmed run-level breaches (the first by priority fires) and leg breaches (each fires its leg). */
  fire: Breach[];
  fireLegs: Breach[];
  /** Flat, nothing working, entry settled: the engine may put the run aside. */
  closed: boolean;
  /** The run's Supertrend state when this evaluation closed a candle (to keep on the run). */
  supertrendToKeep: SupertrendState | null;
}

export interface AccountOutcome {
  account: LimitAccount;
  pnl: Decimal | null;
  /** The limit is confirmed breached: block and exit. */
  fire: { message: string } | null;
  prices: { exchange: string; symbol: string; ltp: string; at: string }[];
  /** Unusable prices while the market is open (a stale episode). */
  stale: string[];
}

export interface RoundOutcome {
  runs: RunOutcome[];
  accounts: AccountOutcome[];
  /** When a pending breach can next be confirmed (epoch ms), so a caller can look again then. */
  recheckAt: number | null;
}

/**
 * Steps the run's Supertrend (docs/risk.md "Supertrend") when its rules have one: on a sample of the open legs'
 * combined premium only when every open contract has a usable price (no stale, zero or REST price ever steps it), and
 * otherwise only reports the state as it is. Null when the rules have no Supertrend or nothing was ever stepped.
 */
function stepSupertrend(
  run: ArmedRun,
  prices: ReadonlyMap<string, PriceInput>,
  now: number,
): { signal: SupertrendSignal; state: SupertrendState; candleClosed: boolean } | null {
  const cfg = run.rules.supertrend;
  if (!cfg) return null;
  const before = supertrendOf(run.runId, run.supertrend);
  const open = run.positions.filter(isOpen);
  const keys = new Set(open.map(contractOf));
  const ltps = new Map<string, Decimal>();
  for (const key of keys) {
    const p = prices.get(key);
    if (p?.check.ok) ltps.set(key, p.check.ltp);
  }
  const side = premiumSide(run.positions);
  const premium = side && ltps.size === keys.size ? combinedPremium(open, ltps, side) : null;
  if (!side || premium === null) {
    if (!before) return null;
    const { core } = before;
    return {
      signal: { direction: core.direction, value: supertrendValue(core), candles: core.candles, against: false },
      state: before,
      candleClosed: false,
    };
  }
  const step = supertrendStep(cfg, before ?? undefined, { at: now, premium }, side, now);
  setSupertrend(run.runId, step.state);
  const { core } = step.state;
  return {
    // Against from the turn on (a trigger that failed, or a restart, fires on the next evaluation; the run's
    // compare-and-set keeps it to one exit), never on the default first direction of the warm-up.
    signal: {
      direction: core.direction,
      value: supertrendValue(core),
      candles: core.candles,
      against: step.state.fired && core.direction === againstDirection(side),
    },
    state: step.state,
    candleClosed: core.candles !== (before?.core.candles ?? 0),
  };
}

async function timeExitOf(run: ArmedRun, clock: RiskClock): Promise<TimeExitVerdict | null> {
  if (!run.rules.timeExit) return null;
  const now = clock.now.getTime();
  const sessions = new Map<string, ExchangeSession>();
  for (const date of lookbackDates(run.triggeredAt, now)) sessions.set(date, await sessionOf(run.exchange, date));
  return timeExitVerdict({
    at: run.rules.timeExit,
    triggeredAt: run.triggeredAt,
    now,
    sessionOn: (date) => sessions.get(date)!,
    alwaysOpen: clock.alwaysOpen,
  });
}

/** Evaluates `runIds` and `accountIds` of `book` at `clock`'s time and the live prices now. */
export async function evaluateRound(
  book: RiskBook,
  runIds: ReadonlySet<string> | null,
  accountIds: ReadonlySet<string> | null,
  clock: RiskClock,
  confirmMs = CONFIRM_MS,
): Promise<RoundOutcome> {
  const runs = book.runs.filter((r) => !r.done && (!runIds || runIds.has(r.runId)));
  const accounts = book.accounts.filter((a) => !a.blocked && (!accountIds || accountIds.has(a.accountId)));
  const wanted = new Map<FeedKind, Set<string>>();
  const want = (kind: FeedKind, keys: Iterable<string>) => {
    const set = wanted.get(kind) ?? new Set<string>();
    wanted.set(kind, set);
    for (const k of keys) set.add(k);
  };
  for (const r of runs) want(r.kind, r.positions.filter(isOpen).map(contractOf));
  for (const a of accounts) want(a.kind, a.all.filter(isOpen).map(contractOf));
  const prices = await readRiskPrices(wanted, clock);
  const now = clock.now.getTime();
  let recheckAt: number | null = null;
  const later = (at: number | null) => {
    if (at !== null) recheckAt = Math.min(recheckAt ?? Infinity, at);
  };

  const runOutcomes = await Promise.all(
    runs.map(async (run): Promise<RunOutcome> => {
      const runPrices = pricesOf(prices, run.kind, run.contracts, now);
      const timeExit = await timeExitOf(run, clock);
      // Stepped with no await before it is stored, so rounds of this process never step one state twice.
      const supertrend = stepSupertrend(run, runPrices, now);
      const result = evaluateRun({
        now,
        rules: run.rules,
        paused: run.paused,
        firedLegs: run.firedLegs,
        positions: run.positions,
        prices: runPrices,
        trail: run.trail,
        timeExit,
        supertrend: supertrend?.signal ?? null,
      });
      const c = confirmBreaches(
        pendingOf(run.runId),
        result.breaches.filter((b) => b.confirm),
        breachKey,
        now,
        confirmMs,
      );
      setPending(run.runId, c.pending);
      later(c.recheckAt);
      const fired = [...c.confirmed, ...result.breaches.filter((b) => !b.confirm)];
      return {
        run,
        result,
        fire: fired.filter((b) => b.legIndex === null),
        fireLegs: fired.filter((b) => b.legIndex !== null),
        closed: !run.working && run.runStatus !== "RUNNING" && !run.positions.some(isOpen) && fired.length === 0,
        supertrendToKeep: supertrend?.candleClosed ? supertrend.state : null,
      };
    }),
  );

  const accountOutcomes = accounts.map((account): AccountOutcome => {
    const mine = pricesOf(prices, account.kind, account.all.filter(isOpen).map(contractOf), now);
    const ltps = new Map<string, Decimal>();
    const used: AccountOutcome["prices"] = [];
    const stale: string[] = [];
    let waiting = false;
    for (const [key, p] of mine) {
      if (p.check.ok) {
        ltps.set(key, p.check.ltp);
        const at = key.indexOf(":");
        used.push({
          exchange: key.slice(0, at),
          symbol: key.slice(at + 1),
          ltp: p.check.ltp.toString(),
          at: p.check.at,
        });
      } else if (p.kind === "stale") stale.push(key);
      else waiting = true;
    }
    const key = `account:${account.accountId}`;
    const { pnl } = accountDayPnl({ all: account.all, beforeToday: account.beforeToday, ltps });
    const usable = pnl !== null && stale.length === 0 && !waiting;
    const breach = usable ? dailyLimitBreach(pnl, account.limit) : null;
    const c = confirmBreaches(pendingOf(key), breach?.breached ? [breach] : [], () => key, now, confirmMs);
    setPending(key, c.pending);
    later(c.recheckAt);
    return { account, pnl: usable ? pnl : null, fire: c.confirmed[0] ?? null, prices: used, stale };
  });
  return { runs: runOutcomes, accounts: accountOutcomes, recheckAt };
}
