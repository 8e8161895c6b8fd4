/**
 * One simulated OpenAlgo instance (one trading account): identity, mode, faults, session and its Account.
 * The broker session is revoked when the simulated clock passes 03:00 IST (OpenAlgo's SESSION_EXPIRY_TIME) and, on
 * instances with an `autoLoginAt`, restored at that IST time each day (the trader's morning login). Both are checked
 * lazily whenever `sessionActive` is read, so no timer is needed per instance.
 */
import { createHash } from "node:crypto";
import Decimal from "decimal.js";
import { base32Seed, normaliseTotpSeed } from "@/lib/crypto/totp";
import type { FaultConfig, InstanceConfig, InstanceMode, InstanceState, SimClock } from "@/lib/simulator/types";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { hashString, mixHash, mulberry32 } from "@/lib/simulator/market/prng";
import { HHMM } from "@/lib/simulator/session-schema";
import { Account } from "./account";
import type { MarginTable } from "./margin";

export const DEFAULT_FAULTS: FaultConfig = {
  latencyMs: 0,
  jitterMs: 0,
  http500Rate: 0,
  lostResponseRate: 0,
  burst429Remaining: 0,
  http429Rate: 0,
  holdCancelReplies: false,
  lateRejectMs: 0,
  lateRejectRate: 0,
  flapRate: 0,
  flapMs: 0,
  partialFillRate: 0,
  partialFillMs: 0,
  holdPartialFills: false,
  holdTransitions: false,
  holdRestingOrders: false,
  wsStall: false,
  lostResponseMode: "reset",
  wsDropAfterMs: 0,
  bookLagging: false,
  clockSkewMs: 0,
};

/** OpenAlgo's default SESSION_EXPIRY_TIME (IST). */
export const SESSION_EXPIRY_IST = "03:00";

/** The first `hhmm` IST strictly after `nowMs`. */
export function nextIstTime(nowMs: number, hhmm: string): number {
  const today = istDateOf(nowMs);
  const t = istInstant(today, hhmm);
  return t > nowMs ? t : istInstant(addDays(today, 1), hhmm);
}

/** The last `hhmm` IST at or before `nowMs`. */
export function lastIstTime(nowMs: number, hhmm: string): number {
  const today = istDateOf(nowMs);
  const t = istInstant(today, hhmm);
  return t <= nowMs ? t : istInstant(addDays(today, -1), hhmm);
}

/** The first 03:00 IST strictly after `nowMs`. */
/** The default PIN of an instance: 4 digits derived from its id, so each simulated trader has its own. */
export function defaultPin(id: string): string {
  return String(createHash("sha256").update(`sim-pin:${id}`).digest().readUInt32BE(0) % 10_000).padStart(4, "0");
}

/** The default TOTP seed of an instance: base32 of 20 bytes derived from its id (32 characters). */
export function defaultTotpSecret(id: string): string {
  return base32Seed(createHash("sha256").update(`sim-totp:${id}`).digest().subarray(0, 20));
}

export function nextSessionExpiry(nowMs: number): number {
  return nextIstTime(nowMs, SESSION_EXPIRY_IST);
}

export class SimInstance implements InstanceState {
  readonly id: string;
  readonly apiKey: string;
  mode: InstanceMode;
  numbers: "string" | "number";
  showStrategy: boolean;
  brokerName: string;
  faults: FaultConfig;
  /** Seeded PRNG; an arrow so callers may pass it around unbound. */
  readonly random: () => number;
  readonly capital: Decimal;
  account: Account;
  /** Fault timers of this instance, cleared by reset/remove. */
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Rests of partial fills kept back by `holdPartialFills`, filled by `releasePartialFills`; cleared by reset/remove. */
  readonly heldPartialFills: (() => void)[] = [];
  /** Late rejections and flap flips kept back by `holdTransitions`, applied by `releaseTransitions`; cleared by reset. */
  readonly heldTransitions: (() => void)[] = [];
  /** Replies kept back by `holdCancelReplies`, sent by `releaseReplies` (and by a reset: no client is left hanging). */
  private readonly heldReplies: (() => void)[] = [];
  /** Semi-auto queue counter (`pending_order_id`). */
  pendingSeq = 0;
  /** Requests the analyzer would have logged (`total_logs`). */
  analyzerLogs = 0;
  readonly autoLoginAt: string | null;
  readonly appSecret: string;
  readonly redirectUrl: string | null;
  readonly pin: string;
  readonly totpSecret: string;
  private active = true;
  private expiresAt: number;
  /** Next auto-login instant (epoch ms), when `autoLoginAt` is set. */
  private loginAt: number | undefined;

  constructor(
    cfg: InstanceConfig,
    private readonly clock: SimClock,
    seed: number,
    private readonly table: MarginTable,
    /** Called when the session rolls, before books are read: the engine cancels day orders and settles. */
    private readonly onRoll: (inst: SimInstance) => void,
  ) {
    this.id = cfg.id;
    this.apiKey = cfg.apiKey;
    this.mode = cfg.mode ?? "live";
    this.numbers = cfg.numbers ?? "string";
    this.showStrategy = cfg.showStrategy ?? false;
    this.brokerName = cfg.brokerName ?? "simulator";
    this.faults = { ...DEFAULT_FAULTS, ...cfg.faults };
    const capital = new Decimal(cfg.capital);
    if (!capital.isFinite() || capital.isNegative()) throw new RangeError(`Invalid capital for instance ${cfg.id}`);
    this.capital = capital;
    this.account = new Account(capital, table);
    this.random = mulberry32(mixHash(seed, hashString(cfg.id)));
    this.expiresAt = nextSessionExpiry(clock.now());
    if (cfg.autoLoginAt !== undefined && !HHMM.test(cfg.autoLoginAt))
      throw new RangeError(`autoLoginAt of ${cfg.id} must be HH:MM, got ${cfg.autoLoginAt}`);
    this.autoLoginAt = cfg.autoLoginAt ?? null;
    this.appSecret = cfg.appSecret ?? `sim-secret-${cfg.id}`;
    this.redirectUrl = cfg.redirectUrl ?? null;
    this.pin = cfg.pin ?? defaultPin(cfg.id);
    const totp = cfg.totpSecret === undefined ? defaultTotpSecret(cfg.id) : normaliseTotpSeed(cfg.totpSecret);
    if (totp === undefined) throw new RangeError(`totpSecret of ${cfg.id} is not a base32 seed of 16-64 bytes`);
    this.totpSecret = totp;
    this.loginAt = this.autoLoginAt === null ? undefined : nextIstTime(clock.now(), this.autoLoginAt);
  }

  get sessionActive(): boolean {
    this.checkRoll();
    return this.active;
  }

  set sessionActive(value: boolean) {
    if (value) this.login();
    else this.active = false;
  }

  /**
   * Rolls the session if the simulated clock passed 03:00 IST, then applies a due morning login. Returns true when
   * it rolled. A clock that jumps several days rolls once; the login counts only if it came after the last 03:00.
   */
  checkRoll(): boolean {
    const now = this.clock.now();
    let rolled = false;
    if (now >= this.expiresAt) {
      this.active = false;
      this.expiresAt = nextSessionExpiry(now);
      this.onRoll(this);
      rolled = true;
    }
    if (this.loginAt !== undefined && this.autoLoginAt !== null && now >= this.loginAt) {
      if (lastIstTime(now, this.autoLoginAt) >= lastIstTime(now, SESSION_EXPIRY_IST)) this.active = true;
      this.loginAt = nextIstTime(now, this.autoLoginAt);
    }
    return rolled;
  }

  login(): void {
    this.checkRoll();
    this.active = true;
  }

  revoke(): void {
    // Due events first: a revoke after this morning's login must not be undone by that login.
    this.checkRoll();
    this.active = false;
  }

  /** Clears every book and restores the starting capital (control-API reset). */
  resetBooks(): void {
    this.releaseReplies();
    this.clearTimers();
    this.account = new Account(this.capital, this.table);
    this.pendingSeq = 0;
    this.analyzerLogs = 0;
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.heldPartialFills.length = 0;
    this.heldTransitions.length = 0;
  }

  holdReply(send: () => void): void {
    this.heldReplies.push(send);
  }

  /** Sends every reply that `holdCancelReplies` kept back, in the order they were held. */
  releaseReplies(): void {
    for (const send of this.heldReplies.splice(0)) send();
  }

  /** Applies every transition that `holdTransitions` kept back, in the order they came due. */
  releaseTransitions(): void {
    for (const apply of this.heldTransitions.splice(0)) apply();
  }

  /** Like `later`, but while the fault `holdTransitions` is set when the timer fires, `fn` waits for the release. */
  laterUnlessHeld(ms: number, fn: () => void): void {
    this.later(ms, () => (this.faults.holdTransitions ? void this.heldTransitions.push(fn) : fn()));
  }

  /** Fills every rest of a partial fill that `holdPartialFills` kept back, in the order they came due. */
  releasePartialFills(): void {
    for (const fill of this.heldPartialFills.splice(0)) fill();
  }

  /** Schedules an unref'd fault timer owned by this instance. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    t.unref?.();
    this.timers.add(t);
  }
}
