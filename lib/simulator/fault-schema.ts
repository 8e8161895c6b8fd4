import { z } from "zod";

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0);

/** A partial FaultConfig (lib/simulator/types.ts), as the control API and the SIM_FAULTS variable accept it. */
export const faultsSchema = z
  .strictObject({
    latencyMs: ms,
    jitterMs: ms,
    http500Rate: rate,
    lostResponseRate: rate,
    burst429Remaining: ms,
    http429Rate: rate,
    lateRejectMs: ms,
    lateRejectRate: rate,
    flapRate: rate,
    flapMs: ms,
    partialFillRate: rate,
    partialFillMs: ms,
    wsStall: z.boolean(),
  })
  .partial();
