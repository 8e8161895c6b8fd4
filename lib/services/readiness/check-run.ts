/**
 * What one readiness run shares across its accounts, each read once: the armed strategies and the contracts they
 * resolve to today, the live feed of each kind, today's sessions (docs/readiness.md "The checks").
 */
import { randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { accountsToCheck, armedStrategiesOf } from "@/lib/db/queries/readiness";
import { sessionOf, inSession } from "@/lib/services/calendar";
import {
  buildSnapshot,
  feedKindOf,
  marketSource,
  readFeedStatus,
  readStaleFlags,
  registerInterest,
  releaseInterest,
  type FeedKind,
  type FeedStatus,
} from "@/lib/services/market-data";
import type { TradingSettings } from "@/lib/services/settings";
import { istDateOf, tradingHolidaySet, type ExchangeSession } from "@/lib/trading/calendar";
import type { MarketCondition } from "@/lib/trading/margin-model";
import { marketConditionsFor } from "@/lib/trading/plan";
import type { FeedFacts } from "@/lib/trading/readiness-verdicts";
import { resolveLegs, type ResolvedLeg } from "@/lib/trading/resolve-legs";
import { strategyDefinitionSchema, type StrategyDefinition } from "@/lib/trading/strategy";
import { sleep } from "@/lib/util/sleep";

export type CheckedAccount = Awaited<ReturnType<typeof accountsToCheck>>[number];

export interface ArmedStrategy {
  id: string;
  ownerId: string;
  name: string;
  definition: StrategyDefinition;
  accountIds: string[];
  accountTags: string[];
}

/** A strategy's legs as a run would resolve them today, or why they cannot be. */
export type StrategyLegs =
  { ok: true; legs: ResolvedLeg[]; conditions: Record<string, MarketCondition> } | { ok: false; reason: string };

export interface ReadinessOptions {
  /** The check's clock; the wall clock unless a test fixes it. */
  now?: () => Date;
  /** Longest any one check of an account may take before it is reported as not answering, ms. */
  checkTimeoutMs?: number;
  /** How long the feed check waits for the feed to go live after asking for the indices, ms. */
  feedWaitMs?: number;
  /** Most requests one clock measurement sends (each halves what is unknown). */
  clockProbes?: number;
  /** Accounts checked at once. */
  concurrency?: number;
}

const DEFAULTS: Required<Omit<ReadinessOptions, "now">> = {
  checkTimeoutMs: 20_000,
  feedWaitMs: 8_000,
  clockProbes: 5,
  concurrency: 25,
};

/** The feed's interest lease lives this long; the run releases it when done. */
const FEED_LEASE_MS = 120_000;

const memo = <K, V>(map: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> => {
  let hit = map.get(key);
  if (!hit) {
    hit = make();
    map.set(key, hit);
  }
  return hit;
};

export class CheckRun {
  readonly id = randomUUID();
  readonly today: string;
  /** Exchange holidays (IST dates): they place the monthly expiry that picks a contract's lot size. */
  readonly holidays = tradingHolidaySet();
  readonly options: Required<Omit<ReadinessOptions, "now">>;
  private readonly legs = new Map<string, Promise<StrategyLegs>>();
  private readonly feeds = new Map<FeedKind, Promise<FeedFacts>>();
  private readonly sessions = new Map<string, Promise<ExchangeSession>>();
  private readonly holders = new Set<string>();

  constructor(
    readonly now: Date,
    readonly settings: TradingSettings,
    readonly accounts: readonly CheckedAccount[],
    private readonly strategies: readonly ArmedStrategy[],
    options: ReadinessOptions,
  ) {
    this.today = istDateOf(now.getTime());
    this.options = { ...DEFAULTS, ...options };
  }

  static async load(
    filter: { accountIds?: readonly string[]; ownerId?: string },
    now: Date,
    settings: TradingSettings,
    options: ReadinessOptions,
  ): Promise<CheckRun> {
    const accounts = await accountsToCheck(filter);
    const rows = await armedStrategiesOf([...new Set(accounts.map((a) => a.ownerId))]);
    const strategies = rows.flatMap((r) => {
      const parsed = strategyDefinitionSchema.safeParse(r.definition);
      return parsed.success ? [{ ...r, definition: parsed.data }] : [];
    });
    return new CheckRun(now, settings, accounts, strategies, options);
  }

  /** The armed strategies that trade in `account`: its owner's, naming it or one of its tags. */
  strategiesOf(account: CheckedAccount): ArmedStrategy[] {
    return this.strategies.filter(
      (s) =>
        s.ownerId === account.ownerId &&
        (s.accountIds.includes(account.id) || s.accountTags.some((t) => account.tags.includes(t))),
    );
  }

  /** Underlyings the strategies trade, upper-case. */
  underlyingsOf(strategies: readonly ArmedStrategy[]): string[] {
    return [...new Set(strategies.flatMap((s) => s.definition.legs.map((l) => l.underlying.toUpperCase())))];
  }

  /**
   * The strategy's legs resolved today from its owner's market-data source of `account`'s feed kind (prices of one
   * kind never size accounts of the other), once per run and kind.
   */
  legsOf(strategy: ArmedStrategy, account: CheckedAccount): Promise<StrategyLegs> {
    return memo(this.legs, `${strategy.id}|${feedKindOf(account)}`, async () => {
      try {
        const source = await marketSource(strategy.ownerId, [account]);
        const snapshot = await buildSnapshot(source, strategy.definition.legs, this.settings.instruments, this.today);
        const r = resolveLegs(strategy.definition, snapshot, this.today);
        if (!r.ok) return { ok: false, reason: r.errors.map((e) => e.message).join("; ") };
        return {
          ok: true,
          legs: r.legs,
          conditions: marketConditionsFor(strategy.definition.marketCondition, r.legs, this.today),
        };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return { ok: false, reason: `market data unavailable: ${e.message}` };
      }
    });
  }

  /** Today's session of `exchange`, once per run. */
  session(exchange: string): Promise<ExchangeSession> {
    return memo(this.sessions, exchange, () => sessionOf(exchange, this.today));
  }

  /**
   * The live feed of `kind`: the indices of the run's underlyings are asked for (an interest lease, as any consumer of
   * live prices does), so the feed connects if it was idle; then its state is read once it is live or the wait ends.
   */
  feed(kind: FeedKind): Promise<FeedFacts> {
    return memo(this.feeds, kind, async () => {
      const underlyings = this.underlyingsOf(
        this.accounts.filter((a) => feedKindOf(a) === kind).flatMap((a) => this.strategiesOf(a)),
      );
      const indices = (underlyings.length ? underlyings : ["NIFTY"]).flatMap((u) => {
        const s = this.settings.instruments[u];
        return s ? [{ exchange: s.indexExchange, symbol: u, mode: 1 as const }] : [];
      });
      const holder = `readiness:${this.id}:${kind}`;
      this.holders.add(holder);
      await registerInterest(holder, kind, indices, FEED_LEASE_MS);
      const status = await this.liveOrLast(kind);
      const flags = await readStaleFlags(kind);
      const staleIndices = [...flags.values()]
        .filter((f) => f.exchange.endsWith("_INDEX"))
        .map((f) => ({ key: `${f.exchange}:${f.symbol}`, since: Date.parse(f.since) }));
      // As the stale watchdog judges it: the simulator streams at any hour, and the operator may say always open.
      const open = env().MARKET_ALWAYS_OPEN || kind === "simulated" || (await inSession("NFO", this.now));
      return {
        kind,
        status: status && { state: status.state, reason: status.reason, subscribed: status.subscribed },
        staleIndices,
        inSession: open,
      };
    });
  }

  private async liveOrLast(kind: FeedKind): Promise<FeedStatus | null> {
    const until = Date.now() + this.options.feedWaitMs;
    for (;;) {
      const status = await readFeedStatus(kind);
      if (status?.state === "live" || Date.now() >= until) return status;
      await sleep(250);
    }
  }

  /** Lets go of the feed interest this run registered. */
  async release(): Promise<void> {
    await Promise.all([...this.holders].map((h) => releaseInterest(h)));
  }
}
