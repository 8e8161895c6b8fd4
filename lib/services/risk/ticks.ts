/**
 * Evaluation on ticks, in every worker process (docs/risk.md "Evaluation"): the engine listens to the server tick
 * channels of both feed kinds, marks the runs and limit accounts a ticked contract concerns, and evaluates them in
 * rounds at most every `coalesceMs` — a burst of ticks is one round, a run is looked at no more often than that. A
 * breach seen once is looked at again `confirmMs` later (hysteresis) even if no tick comes. Rounds use the process's
 * latest book (./memory.ts) while it is younger than `bookMaxAgeMs`, else read a new one. Every process may fire:
 * exactly once comes from the database.
 */
import type { Redis } from "ioredis";
import { log } from "@/lib/log";
import { createBlockingRedis } from "@/lib/redis";
import { LIVE, tradingClock, type FeedKind } from "@/lib/services/market-data";
import { CONFIRM_MS } from "@/lib/trading/risk/hysteresis";
import { loadRiskBook, type RiskBook } from "./book";
import { evaluateRound } from "./evaluate";
import { keepBook, latestBook, pendingOf } from "./memory";
import type { RiskClock } from "./prices";
import { actOnRound } from "./round";

export interface TickEngineOptions {
  /** Least time between two rounds, ms. */
  coalesceMs: number;
  /** A book older than this is read again before a round, ms. */
  bookMaxAgeMs: number;
  confirmMs: number;
  clock: () => RiskClock;
}

export const TICK_ENGINE_DEFAULTS: TickEngineOptions = {
  coalesceMs: 100,
  bookMaxAgeMs: 1_000,
  confirmMs: CONFIRM_MS,
  clock: tradingClock,
};

const KINDS: readonly FeedKind[] = ["real", "simulated"];

export class RiskTickEngine {
  private sub: Redis | null = null;
  /** `<kind>|EXCHANGE:SYMBOL` ticked since the last round. */
  private ticked = new Set<string>();
  /** Runs (`run:<id>`) and accounts (`account:<id>`) to look at again (a pending breach). */
  private again = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;
  private running: Promise<void> | null = null;
  private loading: Promise<RiskBook> | null = null;
  private lastRound = 0;
  private stopped = false;
  /** Rounds run (for tests and metrics). */
  rounds = 0;

  constructor(private readonly opts: TickEngineOptions = TICK_ENGINE_DEFAULTS) {}

  async start(): Promise<void> {
    const sub = createBlockingRedis({ connectionName: "md-risk-ticks" });
    sub.on("message", (channel: string, text: string) => this.onTick(channel, text));
    sub.on("error", () => undefined); // ioredis reconnects (and resubscribes) on its own
    this.sub = sub;
    await sub.subscribe(...KINDS.map(LIVE.ticks));
  }

  private onTick(channel: string, text: string): void {
    const kind = KINDS.find((k) => channel === LIVE.ticks(k));
    if (!kind) return;
    try {
      const q = JSON.parse(text) as { exchange?: unknown; symbol?: unknown };
      if (typeof q.exchange !== "string" || typeof q.symbol !== "string") return;
      this.ticked.add(`${kind}|${q.exchange}:${q.symbol}`);
    } catch {
      return;
    }
    this.schedule(this.lastRound + this.opts.coalesceMs);
  }

  /** Looks at these runs and accounts again at `at` (epoch ms on the engine's clock), ticks or not. */
  recheck(ids: Iterable<string>, at: number): void {
    for (const id of ids) this.again.add(id);
    const delay = at - this.opts.clock().now.getTime();
    this.schedule(performance.now() + Math.max(0, delay));
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    const when = Math.max(at, performance.now());
    if (this.timer && this.timerAt <= when) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = when;
    this.timer = setTimeout(() => this.fire(), when - performance.now());
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = null;
    if (this.running) return; // the running round schedules the next one when it ends
    this.running = this.round()
      .catch((err) => log().error({ err }, "risk tick round failed"))
      .finally(() => {
        this.running = null;
        if (this.ticked.size || this.again.size) this.schedule(this.lastRound + this.opts.coalesceMs);
      });
  }

  private async round(): Promise<void> {
    this.lastRound = performance.now();
    const ticked = this.ticked;
    const again = this.again;
    this.ticked = new Set();
    this.again = new Set();
    const clock = this.opts.clock();
    const book = await this.book(clock.now);
    const runIds = new Set<string>();
    const accountIds = new Set<string>();
    for (const id of again) (id.startsWith("run:") ? runIds : accountIds).add(id.slice(id.indexOf(":") + 1));
    for (const key of ticked) {
      const hit = book.byContract.get(key);
      for (const r of hit?.runs ?? []) runIds.add(r);
      for (const a of hit?.accounts ?? []) accountIds.add(a);
    }
    if (runIds.size + accountIds.size === 0) return;
    this.rounds += 1;
    const round = await evaluateRound(book, runIds, accountIds, clock, this.opts.confirmMs);
    await actOnRound(round, book, clock, { snapshots: false });
    if (round.recheckAt !== null) {
      const pending = [
        ...round.runs.filter((o) => !o.run.done && pendingOf(o.run.runId).size > 0).map((o) => `run:${o.run.runId}`),
        ...round.accounts
          .filter((o) => pendingOf(`account:${o.account.accountId}`).size > 0)
          .map((o) => `account:${o.account.accountId}`),
      ];
      this.recheck(pending, round.recheckAt);
    }
  }

  /** The process's book if young enough, else a new one (one read at a time). */
  private async book(now: Date): Promise<RiskBook> {
    const kept = latestBook();
    if (kept && now.getTime() - kept.at < this.opts.bookMaxAgeMs) return kept;
    this.loading ??= loadRiskBook(now)
      .then((b) => {
        keepBook(b);
        return b;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    const sub = this.sub;
    this.sub = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}

let engine: RiskTickEngine | null = null;

/** The process's running tick engine, if any (the sweep hands it runs to look at again). */
export function runningTickEngine(): RiskTickEngine | null {
  return engine;
}

/** Starts this process's tick engine (once); stop it with the returned function. */
export async function startTickEngine(opts: TickEngineOptions = TICK_ENGINE_DEFAULTS): Promise<() => Promise<void>> {
  const e = new RiskTickEngine(opts);
  await e.start();
  engine = e;
  return async () => {
    if (engine === e) engine = null;
    await e.stop();
  };
}
