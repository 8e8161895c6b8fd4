/**
 * The upstream feed of one feed kind (real or simulated): one WebSocket to the best account of that kind, kept
 * subscribed to exactly the contracts live interest names, reconnected with backoff, ticks into Redis
 * (docs/market-data.md "The upstream feed"). All work runs in one serialized loop, `poke()`d by interest changes,
 * connection losses, retry timers and the periodic re-read.
 */
import type { FeedTick, MarketFeed, MarketFeedTimings } from "@/lib/brokers/market-types";
import { log } from "@/lib/log";
import { Coalescer } from "@/lib/realtime/coalesce";
import { backoffDelay, planSubscriptions, type Backoff, type FeedEntry } from "@/lib/trading/feed-plan";
import { feedLabel, type FeedKind } from "../source";
import { liveKey, UI_MAX_PER_SECOND, type FeedStatus, type LiveQuote } from "./contract";
import type { FeedStats } from "./feed-metrics";
import { feedCandidates, openConnection, type Connection, type SourceAccount } from "./feed-source";
import { StatusWriter } from "./feed-status";
import { wantedContracts } from "./interest";
import { publishUi, writeQuote } from "./quote-store";

export interface KindFeedConfig {
  kind: FeedKind;
  timings: MarketFeedTimings;
  backoff: Backoff;
  /** The status key expires this long after the last write, ms. */
  statusTtlMs: number;
  random: () => number;
  stats: FeedStats;
  /** Told of every connection lost (tests and logs observe reconnects through it). */
  onLost?(kind: FeedKind, reason: string): void;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class KindFeed {
  private conn: Connection | null = null;
  /** A better source opened in the background, swapped in by the loop. */
  private upgrade: Connection | null = null;
  private upgrading = false;
  private upgradeRetryAt = 0;
  /** What the current connection is subscribed to (keys `EXCHANGE:SYMBOL`). */
  private subscribed = new Map<string, FeedEntry>();
  /** Contracts the broker refused on this connection, with its reason (not asked again until a reconnect). */
  private refused = new Map<string, string>();
  private attempt = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The last connection was lost (not closed on purpose): the next one is a reconnect. */
  private lost = false;
  private running: Promise<void> | null = null;
  private again = false;
  private againFull = false;
  private stopped = false;
  private readonly status: StatusWriter;
  private readonly ui: Coalescer<LiveQuote>;

  constructor(private readonly cfg: KindFeedConfig) {
    this.status = new StatusWriter(cfg.kind, cfg.statusTtlMs);
    this.ui = new Coalescer<LiveQuote>(UI_MAX_PER_SECOND, 1_000, (_key, quote) => {
      publishUi(cfg.kind, quote).catch((err) => log().warn({ err, kind: cfg.kind }, "live quote not published"));
    });
  }

  get kind(): FeedKind {
    return this.cfg.kind;
  }

  /** Runs the loop (again, if it is running): `full` also re-checks the source account and refreshes the status. */
  poke(full = false): void {
    if (this.stopped) return;
    this.againFull ||= full;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Closes the connection and stops every timer (the loop finishes its current step first). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.running;
    this.ui.clear();
    const open = [this.conn, this.upgrade];
    this.conn = null;
    this.upgrade = null;
    for (const c of open) await c?.feed.close();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const full = this.againFull;
      this.againFull = false;
      try {
        await this.sync(full);
      } catch (err) {
        log().warn({ err, kind: this.kind }, "market-data feed step failed; retried on the next change or re-read");
      }
    } while (this.again && !this.stopped);
    this.running = null;
  }

  private async sync(full: boolean): Promise<void> {
    const wanted = await wantedContracts(this.kind);
    if (this.stopped) return;
    for (const key of this.refused.keys()) if (!wanted.has(key)) this.refused.delete(key);
    if (wanted.size === 0) {
      // Nothing to stream: no socket at all.
      if (this.conn) await this.drop("no contract is wanted");
      const upgrade = this.upgrade;
      this.upgrade = null;
      await upgrade?.feed.close();
      this.attempt = 0;
      this.retryAt = 0;
      return this.setStatus("down", "idle: no contract is wanted");
    }
    if (this.upgrade) await this.swapToUpgrade();
    if (!this.conn) {
      if (Date.now() < this.retryAt) return this.armRetry();
      await this.connect();
      if (!this.conn) return;
    } else if (full) {
      await this.checkSource();
      if (!this.conn) return;
    }
    const want = new Map<string, FeedEntry>();
    for (const [key, w] of wanted)
      if (!this.refused.has(key)) want.set(key, { exchange: w.exchange, symbol: w.symbol, mode: w.mode });
    await this.reconcile(want);
    if (this.conn) this.setStatus("live", this.refusedNote());
  }

  private open(account: SourceAccount): Promise<Connection> {
    return openConnection(account, this.cfg.timings, {
      onTick: (feed, tick) => this.onTick(feed, tick),
      onClose: (feed, error) => this.onClose(feed, error),
    });
  }

  /** Opens the best candidate that answers; none → retry after the backoff. */
  private async connect(): Promise<void> {
    const candidates = await feedCandidates(this.kind);
    if (candidates.length === 0) {
      this.scheduleRetry();
      return this.setStatus("down", `no active ${feedLabel(this.kind)} account can serve live prices`);
    }
    if (this.lost) this.setStatus("reconnecting", this.status.current.reason);
    else this.setStatus("connecting", null);
    const reasons: string[] = [];
    for (const account of candidates) {
      try {
        const conn = await this.open(account);
        if (this.stopped) return void (await conn.feed.close());
        this.install(conn);
        if (account.id !== candidates[0].id) {
          log().warn(
            { kind: this.kind, accountId: account.id, reasons },
            "live prices come from a fallback account: the better ones did not connect",
          );
        }
        return;
      } catch (err) {
        reasons.push(`${account.name}: ${errorText(err)}`);
      }
      if (this.stopped) return;
    }
    this.scheduleRetry();
    this.setStatus("reconnecting", `no account's market-data stream connected (${reasons.join("; ")})`);
  }

  /** Makes `conn` the stream. */
  private install(conn: Connection): void {
    if (this.lost) this.cfg.stats.reconnects += 1;
    this.lost = false;
    this.conn = conn;
    this.subscribed = new Map();
    this.refused.clear();
    this.upgradeRetryAt = Date.now() + this.cfg.backoff.maxMs;
    log().info({ kind: this.kind, accountId: conn.account.id, ws: conn.feed.host }, "market-data stream connected");
  }

  /** Closes the current connection on purpose (no backoff). */
  private async drop(reason: string): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    this.subscribed = new Map();
    this.ui.clear();
    log().info({ kind: this.kind, accountId: conn?.account.id, reason }, "market-data stream closed");
    await conn?.feed.close();
  }

  private scheduleRetry(): void {
    this.attempt += 1;
    this.retryAt = Date.now() + backoffDelay(this.attempt, this.cfg.backoff, this.cfg.random());
    this.armRetry();
  }

  private armRetry(): void {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => this.poke(), Math.max(0, this.retryAt - Date.now()));
    this.retryTimer.unref();
  }

  /** The source still fits (active, healthy, same kind)? Is a better one back? */
  private async checkSource(): Promise<void> {
    const conn = this.conn!;
    const candidates = await feedCandidates(this.kind);
    if (this.conn !== conn) return;
    if (!candidates.some((c) => c.id === conn.account.id)) {
      await this.drop(`${conn.account.name} can no longer serve ${feedLabel(this.kind)} prices`);
      return this.connect();
    }
    const best = candidates[0];
    if (best.id !== conn.account.id && !this.upgrading && Date.now() >= this.upgradeRetryAt) {
      this.upgrading = true;
      // Opening may take up to the setup timeout: do it beside the loop, which swaps once it is open.
      this.open(best)
        .then((next) => {
          if (this.stopped) return void next.feed.close();
          this.upgrade = next;
          this.poke();
        })
        .catch((err) => {
          this.upgradeRetryAt = Date.now() + this.cfg.backoff.maxMs;
          log().info({ kind: this.kind, accountId: best.id, err: errorText(err) }, "better feed source still down");
        })
        .finally(() => (this.upgrading = false));
    }
  }

  private async swapToUpgrade(): Promise<void> {
    const next = this.upgrade!;
    this.upgrade = null;
    const old = this.conn;
    this.install(next);
    log().info(
      { kind: this.kind, from: old?.account.id, to: next.account.id },
      "live prices back on the better source",
    );
    await old?.feed.close();
  }

  private async reconcile(want: Map<string, FeedEntry>): Promise<void> {
    const conn = this.conn!;
    const subs = this.subscribed;
    const plan = planSubscriptions(want, subs);
    if (plan.subscribe.length > 0) {
      for (const e of plan.subscribe) subs.set(liveKey(e.exchange, e.symbol), e);
      let refused: { exchange: string; symbol: string; reason: string }[];
      try {
        refused = (await conn.feed.subscribe(plan.subscribe)).refused;
      } catch (err) {
        if (this.conn !== conn) return;
        refused = plan.subscribe.map((e) => ({ ...e, reason: errorText(err) }));
      }
      for (const r of refused) {
        const key = liveKey(r.exchange, r.symbol);
        subs.delete(key);
        this.refused.set(key, r.reason);
      }
      if (refused.length > 0) log().warn({ kind: this.kind, refused }, "the broker refused live subscriptions");
    }
    if (this.conn !== conn) return;
    if (plan.unsubscribe.length > 0) {
      for (const e of plan.unsubscribe) {
        const key = liveKey(e.exchange, e.symbol);
        if (want.has(key)) continue;
        subs.delete(key);
        this.ui.forget(key);
      }
      await conn.feed.unsubscribe(plan.unsubscribe);
    }
  }

  private onTick(feed: MarketFeed, tick: FeedTick): void {
    const conn = this.conn;
    if (!conn || conn.feed !== feed) return;
    const key = liveKey(tick.exchange, tick.symbol);
    // A tick of a contract just unsubscribed (or never asked for) is not served.
    if (!this.subscribed.has(key)) return;
    const quote: LiveQuote = { ...tick, source: "feed", accountId: conn.account.id };
    this.cfg.stats.ticks += 1;
    writeQuote(this.kind, quote).catch((err) => log().warn({ err, kind: this.kind }, "live quote not stored"));
    this.ui.push(key, quote);
  }

  private onClose(feed: MarketFeed, error: Error): void {
    if (this.upgrade?.feed === feed) this.upgrade = null;
    const conn = this.conn;
    if (!conn || conn.feed !== feed || this.stopped) return;
    this.conn = null;
    this.subscribed = new Map();
    this.ui.clear();
    // A connection that held for a while starts the backoff over; one that keeps dropping backs off further.
    if (Date.now() - conn.since >= this.cfg.backoff.maxMs) this.attempt = 0;
    this.lost = true;
    this.scheduleRetry();
    this.setStatus("reconnecting", error.message);
    this.cfg.onLost?.(this.kind, error.message);
  }

  private refusedNote(): string | null {
    if (this.refused.size === 0) return null;
    const [key, reason] = this.refused.entries().next().value!;
    return `${this.refused.size} contract(s) refused by the broker, e.g. ${key}: ${reason}`;
  }

  private setStatus(state: FeedStatus["state"], reason: string | null): void {
    const conn = this.conn;
    this.status.set(
      state,
      reason,
      conn ? { accountId: conn.account.id, host: conn.feed.host, subscribed: this.subscribed.size } : null,
    );
  }

  /** The last status this feed wrote. */
  currentStatus(): FeedStatus {
    return this.status.current;
  }
}
