/**
 * Leg stops resting at the broker (docs/risk.md "Leg stops at the broker"). Pure: what orders should rest for one leg
 * of one run in one account, given what that leg holds there, and whether the orders resting now are those.
 *
 * - A stop-loss is an SL-M order on the other side of the leg (a BUY for a SELL leg), its trigger per unit at the
 *   leg's average entry price moved against the position: + points / × (1 + %) for a short, − for a long, or an
 *   absolute premium. A take-profit is a LIMIT on the other side at the level moved in favour.
 * - Levels are rounded to the tick TOWARDS the entry price: a stop never sits further away than the rule says, and a
 *   take-profit is never asked for more than the rule says.
 * - Quantity: the whole lots the leg holds in the account (never more: a stop larger than the position would flip it
 *   when it fills), sliced below the freeze quantity.
 * - In a STOP_ORDERS run, leg 0 is the stop-loss and leg 1 the take-profit; the run names the protected leg in
 *   `plan.stops`.
 */
import Decimal from "decimal.js";
import { sliceQuantities } from "@/lib/trading/instruments";
import { roundToTick } from "@/lib/trading/order-price";
import { runTotals, type RunPreview } from "@/lib/trading/plan";
import type { AccountPlan, PlannedLeg } from "@/lib/trading/plan-account";
import { legOfSymbol } from "@/lib/trading/resolve-legs";
import type { LegRisk, LevelSpec } from "./rules";

type Side = "BUY" | "SELL";
export type StopKind = "stop_loss" | "take_profit";

/** Leg index of each kind inside a STOP_ORDERS run. */
export const STOP_LEG_INDEX: Readonly<Record<StopKind, number>> = { stop_loss: 0, take_profit: 1 };
export const stopKindOf = (stopLegIndex: number): StopKind => (stopLegIndex === 0 ? "stop_loss" : "take_profit");

/** One protected leg of a run as it stands in one account. */
export interface HeldLeg {
  legIndex: number;
  symbol: string;
  exchange: string;
  product: PlannedLeg["product"];
  /** The leg's own (entry) side. */
  action: Side;
  lotSize: number;
  /** Null = unknown: one slice. */
  freezeQty: number | null;
  tickSize: Decimal.Value;
  /** Units the run holds on the leg's side in this account (0 when flat or crossed). */
  held: number;
  /** Average entry price per unit (the ledger's average cost); null when a fill had no price. */
  average: Decimal | null;
}

export interface StopOrder {
  kind: StopKind;
  /** The side that closes the leg. */
  action: Side;
  priceType: "SL-M" | "LIMIT";
  /** The SL-M trigger or the LIMIT price, ₹ per unit, on the tick. */
  level: Decimal;
  /** Units, whole lots, at most what the leg holds. */
  quantity: number;
  slices: number[];
}

const closing = (action: Side): Side => (action === "SELL" ? "BUY" : "SELL");

/**
 * The level of one rule for a leg entered at `average`: a stop-loss moves against the position (up for a short), a
 * take-profit in its favour. Null (with the reason) when the rule cannot give a usable level.
 */
export function stopLevel(
  spec: LevelSpec,
  kind: StopKind,
  legAction: Side,
  average: Decimal,
  tick: Decimal.Value,
): { level: Decimal } | { level: null; why: string } {
  // +1: the level is above the entry (a short's stop, a long's target); −1: below.
  const dir = (kind === "stop_loss") === (legAction === "SELL") ? 1 : -1;
  let raw: Decimal;
  switch (spec.kind) {
    case "points":
      raw = average.plus(spec.value.mul(dir));
      break;
    case "percent":
      raw = average.mul(new Decimal(100).plus(spec.value.mul(dir))).div(100);
      break;
    case "premium":
      raw = spec.value;
      break;
    case "amount":
      return { level: null, why: "an amount (₹) is a run-level distance, not a leg level" };
  }
  const level = roundToTick(raw, tick, dir > 0 ? "down" : "up");
  if (level.lte(0)) return { level: null, why: `the level ${raw.toFixed(2)} is not a positive price` };
  // An absolute premium on the wrong side of the entry would fire at once: refused, never sent.
  if (spec.kind === "premium" && (dir > 0 ? level.lte(average) : level.gte(average)))
    return {
      level: null,
      why: `${level.toFixed(2)} is on the wrong side of the entry price ${average.toFixed(2)} for a ${kind.replace("_", "-")}`,
    };
  return { level };
}

/** The orders that should rest for `leg` under `rule` (none when flat, unpriced or without a rule). */
export function desiredStops(
  leg: HeldLeg,
  rule: LegRisk | null | undefined,
): { orders: StopOrder[]; warnings: string[] } {
  const warnings: string[] = [];
  const whole = leg.held - (leg.held % leg.lotSize);
  if (!rule || whole <= 0) return { orders: [], warnings };
  if (whole < leg.held)
    warnings.push(`leg ${leg.legIndex + 1}: ${leg.held - whole} unit(s) are not a whole lot; not covered by stops`);
  if (leg.average === null) {
    warnings.push(`leg ${leg.legIndex + 1}: entry price unknown; no stop placed`);
    return { orders: [], warnings };
  }
  const freeze = leg.freezeQty !== null && leg.freezeQty >= leg.lotSize ? leg.freezeQty : 1;
  const orders: StopOrder[] = [];
  for (const kind of ["stop_loss", "take_profit"] as const) {
    const spec = kind === "stop_loss" ? rule.stopLoss : rule.takeProfit;
    if (!spec) continue;
    const r = stopLevel(spec, kind, leg.action, leg.average, leg.tickSize);
    if (r.level === null) {
      warnings.push(`leg ${leg.legIndex + 1} ${kind.replace("_", "-")}: ${r.why}`);
      continue;
    }
    orders.push({
      kind,
      action: closing(leg.action),
      priceType: kind === "stop_loss" ? "SL-M" : "LIMIT",
      level: r.level,
      quantity: whole,
      slices: sliceQuantities(whole, leg.lotSize, freeze),
    });
  }
  return { orders, warnings };
}

/** A stop order of the leg that is resting or on its way (an intent not yet final). */
export interface LiveStop {
  kind: StopKind;
  priceType: string;
  level: Decimal;
  /** Units still to fill. */
  remaining: number;
}

/** Whether the live stops are exactly the desired ones: same kinds, types and levels, same units left to fill. */
export function stopsMatch(desired: readonly StopOrder[], live: readonly LiveStop[]): boolean {
  const kinds = new Set([...desired.map((d) => d.kind), ...live.map((l) => l.kind)]);
  for (const kind of kinds) {
    const want = desired.find((d) => d.kind === kind);
    const have = live.filter((l) => l.kind === kind);
    if (!want || have.length === 0) return false;
    if (have.some((l) => l.priceType !== want.priceType || !l.level.eq(want.level))) return false;
    if (have.reduce((s, l) => s + l.remaining, 0) !== want.quantity) return false;
  }
  return true;
}

/** What a STOP_ORDERS run records about itself besides its preview (`plan.stops`). */
export interface StopRunMeta {
  protectsRunId: string;
  accountId: string;
  /** The protected leg of that run. */
  legIndex: number;
  /** 1 for the first stops of the leg in the account, +1 for every replacement. */
  generation: number;
}

/** The run preview of one account's stops for one leg (leg 0: stop-loss, leg 1: take-profit). */
export function stopRunPreview(
  meta: StopRunMeta,
  accountName: string,
  leg: HeldLeg,
  orders: readonly StopOrder[],
): RunPreview & { stops: StopRunMeta } {
  const legs = orders.map((o) =>
    legOfSymbol({
      legIndex: STOP_LEG_INDEX[o.kind],
      symbol: leg.symbol,
      exchange: leg.exchange,
      action: o.action,
      lotSize: leg.lotSize,
      freezeQty: leg.freezeQty,
      priceType: o.priceType === "LIMIT" ? "LIMIT" : "MARKET",
      price: o.priceType === "LIMIT" ? o.level : null,
    }),
  );
  const planned: PlannedLeg[] = orders.map((o) => ({
    legIndex: STOP_LEG_INDEX[o.kind],
    symbol: leg.symbol,
    exchange: leg.exchange,
    action: o.action,
    product: leg.product,
    priceType: o.priceType,
    price: o.priceType === "LIMIT" ? o.level : null,
    triggerPrice: o.priceType === "SL-M" ? o.level : null,
    // One side only: nothing to hedge first.
    phase: 1,
    lots: o.quantity / leg.lotSize,
    lotSize: leg.lotSize,
    quantity: o.quantity,
    slices: o.slices,
    marginKind: "wing",
    marginNeeded: null,
    marginAvailable: null,
    warnings: [],
  }));
  const account: AccountPlan = {
    status: "planned",
    accountId: meta.accountId,
    accountName,
    legs: planned,
    marginSource: "available",
    marginAvailable: new Decimal(0),
    marginNeeded: new Decimal(0),
    warnings: [],
  };
  return { legs, conditions: {}, accounts: [account], totals: runTotals([account]), stops: meta };
}
