/**
 * One simulated OpenAlgo instance (one trading account): identity, mode, faults, session and its Account.
 * The broker session is revoked when the simulated clock passes 03:00 IST (OpenAlgo's SESSION_EXPIRY_TIME);
 * that is checked lazily whenever `sessionActive` is read, so no timer is needed per instance.
 */
import Decimal from "decimal.js";
import type { FaultConfig, InstanceConfig, InstanceMode, InstanceState, SimClock } from "@/lib/simulator/types";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { hashString, mixHash, mulberry32 } from "@/lib/simulator/market/prng";
import { Account } from "./account";
import type { MarginTable } from "./margin";

export const DEFAULT_FAULTS: FaultConfig = {
  latencyMs: 0,
  jitterMs: 0,
  http500Rate: 0,
  lostResponseRate: 0,
  burst429Remaining: 0,
  http429Rate: 0,
  lateRejectMs: 0,
  lateRejectRate: 0,
  flapRate: 0,
  flapMs: 0,
  partialFillRate: 0,
  partialFillMs: 0,
  wsStall: false,
};

/** OpenAlgo's default SESSION_EXPIRY_TIME (IST). */
export const SESSION_EXPIRY_IST = "03:00";

/** The first 03:00 IST strictly after `nowMs`. */
export function nextSessionExpiry(nowMs: number): number {
  const today = istDateOf(nowMs);
  const t = istInstant(today, SESSION_EXPIRY_IST);
  return t > nowMs ? t : istInstant(addDays(today, 1), SESSION_EXPIRY_IST);
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
  /** Semi-auto queue counter (`pending_order_id`). */
  pendingSeq = 0;
  /** Requests the analyzer would have logged (`total_logs`). */
  analyzerLogs = 0;
  private active = true;
  private expiresAt: number;

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
  }

  get sessionActive(): boolean {
    this.checkRoll();
    return this.active;
  }

  set sessionActive(value: boolean) {
    if (value) this.login();
    else this.active = false;
  }

  /** Rolls the session if the simulated clock passed 03:00 IST. Returns true when it rolled. */
  checkRoll(): boolean {
    const now = this.clock.now();
    if (now < this.expiresAt) return false;
    this.active = false;
    this.expiresAt = nextSessionExpiry(now);
    this.onRoll(this);
    return true;
  }

  login(): void {
    this.checkRoll();
    this.active = true;
  }

  revoke(): void {
    this.active = false;
  }

  /** Clears every book and restores the starting capital (control-API reset). */
  resetBooks(): void {
    this.clearTimers();
    this.account = new Account(this.capital, this.table);
    this.pendingSeq = 0;
    this.analyzerLogs = 0;
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Schedules an unref'd fault timer owned by this instance. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    t.unref?.();
    this.timers.add(t);
  }
}
