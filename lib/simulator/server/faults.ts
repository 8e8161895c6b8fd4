/**
 * Server-level fault decisions for one request (FaultConfig in lib/simulator/types.ts). Each draw comes from the
 * instance's seeded PRNG and is taken only when its knob is on, so switching a knob off leaves the PRNG stream
 * (which the engine-level faults share) untouched.
 */
import type { FaultConfig } from "@/lib/simulator/types";

/** What happens before the route runs: a refusal without acting, or nothing. */
export type PreRouteFault = "429" | "500" | undefined;

/** Decides a 429 (burst first, then random) or a 500. Consumes one unit of `burst429Remaining` when it fires. */
export function preRouteFault(faults: FaultConfig, random: () => number): PreRouteFault {
  if (faults.burst429Remaining > 0) {
    faults.burst429Remaining -= 1;
    return "429";
  }
  if (faults.http429Rate > 0 && random() < faults.http429Rate) return "429";
  if (faults.http500Rate > 0 && random() < faults.http500Rate) return "500";
  return undefined;
}

/** Milliseconds to hold the reply: `latencyMs` plus uniform jitter in [0, jitterMs). */
export function replyDelayMs(faults: FaultConfig, random: () => number): number {
  const jitter = faults.jitterMs > 0 ? random() * faults.jitterMs : 0;
  return Math.max(0, faults.latencyMs) + jitter;
}

/** True when an order-placing request should execute but never be answered. */
export function losesResponse(faults: FaultConfig, placesOrders: boolean, random: () => number): boolean {
  return placesOrders && faults.lostResponseRate > 0 && random() < faults.lostResponseRate;
}
