/**
 * The FeedManager: the worker's upstream market-data feed (docs/market-data.md "The upstream feed"). Exactly one
 * worker leads it (a Redis lock, renewed; stepping down closes every socket), and the leader runs one KindFeed per
 * feed kind. Interest changes arrive on `LIVE.interestChanged`; a periodic re-read catches anything missed (and
 * re-checks the source accounts).
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { createBlockingRedis } from "@/lib/redis";
import type { FeedKind } from "../source";
import { LIVE, type FeedStatus } from "./contract";
import { FeedStats } from "./feed-metrics";
import { KindFeed } from "./kind-feed";
import { FEED_LEADER_KEY, LeaderLock } from "./leader";

export interface FeedManagerOptions {
  /** This process's id in the leader lock. */
  owner?: string;
  heartbeatMs: number;
  setupTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Interest and accounts are re-read this often, ms. */
  resyncMs: number;
  /** The leader lock's lifetime; renewed every third of it, ms. */
  leaderTtlMs: number;
  /** Lock key (tests isolate managers with their own). */
  leaderKey?: string;
  random?: () => number;
  /** Told of every upstream connection lost. */
  onLost?(kind: FeedKind, reason: string): void;
}

const KINDS: FeedKind[] = ["real", "simulated"];

export class FeedManager {
  readonly owner: string;
  private readonly lock: LeaderLock;
  private feeds: KindFeed[] | null = null;
  private readonly stats = new Map(KINDS.map((k) => [k, new FeedStats(k)]));
  private subscriber: Redis | null = null;
  private leaderTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** The lock is ours at least until then (ms epoch); a failed renewal steps down once it passes. */
  private heldUntil = 0;
  /** The lock round in progress, if any (rounds never overlap). */
  private ticking: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: FeedManagerOptions) {
    this.owner = opts.owner ?? randomUUID();
    this.lock = new LeaderLock(this.owner, opts.leaderTtlMs, opts.leaderKey ?? FEED_LEADER_KEY);
  }

  /** Starts competing for the lead; resolves after the first attempt (leading or not). */
  async start(): Promise<void> {
    const sub = createBlockingRedis();
    this.subscriber = sub;
    sub.on("error", (err) => log().warn({ err }, "feed interest subscriber error"));
    sub.on("message", () => this.pokeAll(false));
    await sub.subscribe(LIVE.interestChanged());
    await this.leaderTick();
    this.leaderTimer = setInterval(() => void this.leaderTick(), Math.max(100, Math.floor(this.opts.leaderTtlMs / 3)));
    this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
  }

  /** Whether this process runs the feed now. */
  get leading(): boolean {
    return this.feeds !== null;
  }

  /** The last status each kind's feed wrote (empty unless leading). */
  statuses(): FeedStatus[] {
    return (this.feeds ?? []).map((f) => f.currentStatus());
  }

  private pokeAll(full: boolean): void {
    for (const f of this.feeds ?? []) f.poke(full);
  }

  private resync(): void {
    this.pokeAll(true);
    for (const s of this.stats.values()) s.flush().catch((err) => log().warn({ err }, "feed stats not stored"));
  }

  private leaderTick(): Promise<void> {
    if (this.ticking || this.stopped) return this.ticking ?? Promise.resolve();
    this.ticking = this.leaderRound()
      .catch((err) => log().warn({ err }, "feed leader round failed"))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async leaderRound(): Promise<void> {
    let held: boolean;
    try {
      held = await this.lock.hold();
      this.heldUntil = held ? Date.now() + this.opts.leaderTtlMs : 0;
    } catch (err) {
      // Redis unreachable: the lock may still be ours until it would have expired, not after.
      log().warn({ err }, "feed leader lock not renewed");
      held = this.feeds !== null && Date.now() < this.heldUntil;
    }
    if (this.stopped) return;
    if (held && !this.feeds) this.lead();
    else if (!held && this.feeds) await this.stepDown("the leader lock is held by another worker");
  }

  private lead(): void {
    const o = this.opts;
    log().info({ owner: this.owner }, "leading the market-data feed");
    this.feeds = KINDS.map(
      (kind) =>
        new KindFeed({
          kind,
          timings: { heartbeatMs: o.heartbeatMs, setupTimeoutMs: o.setupTimeoutMs },
          backoff: { minMs: o.backoffMinMs, maxMs: o.backoffMaxMs },
          statusTtlMs: 3 * o.resyncMs + o.leaderTtlMs,
          random: o.random ?? Math.random,
          stats: this.stats.get(kind)!,
          onLost: o.onLost,
        }),
    );
    this.pokeAll(true);
  }

  private async stepDown(reason: string): Promise<void> {
    const feeds = this.feeds ?? [];
    this.feeds = null;
    log().info({ owner: this.owner, reason }, "no longer leading the market-data feed");
    await Promise.all(feeds.map((f) => f.stop()));
  }

  /** Closes every socket, gives the lead up (another worker takes over at once) and stops. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.leaderTimer);
    clearInterval(this.resyncTimer);
    // A lock round still running may take the lock: let it finish, then give the lock up if it is ours.
    await this.ticking;
    if (this.feeds) await this.stepDown("stopping");
    await this.lock.release().catch((err) => log().warn({ err }, "feed leader lock not released"));
    await Promise.all([...this.stats.values()].map((s) => s.flush().catch(() => undefined)));
    const sub = this.subscriber;
    this.subscriber = null;
    await sub?.quit().catch(() => sub.disconnect());
  }
}

/** The feed with the operator's settings (lib/env.ts `MARKET_FEED_*`), started; null when switched off. */
export async function startMarketFeed(owner: string): Promise<FeedManager | null> {
  const e = env();
  if (!e.MARKET_FEED_ENABLED) return null;
  const manager = new FeedManager({
    owner,
    heartbeatMs: e.MARKET_FEED_HEARTBEAT_MS,
    setupTimeoutMs: e.MARKET_FEED_SETUP_TIMEOUT_MS,
    backoffMinMs: e.MARKET_FEED_BACKOFF_MIN_MS,
    backoffMaxMs: e.MARKET_FEED_BACKOFF_MAX_MS,
    resyncMs: e.MARKET_FEED_RESYNC_MS,
    leaderTtlMs: e.MARKET_FEED_LEADER_TTL_MS,
  });
  await manager.start();
  return manager;
}
