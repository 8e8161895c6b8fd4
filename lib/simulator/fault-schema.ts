import { z } from "zod";
import type { FaultConfig } from "@/lib/simulator/types";

const rate = z.number().min(0).max(1);
const ms = z.number().int().min(0);

/** A partial FaultConfig (lib/simulator/types.ts), as the control API accepts it for one instance. */
export const faultConfigSchema = z
  .strictObject({
    latencyMs: ms,
    jitterMs: ms,
    http500Rate: rate,
    lostResponseRate: rate,
    lostResponseMode: z.enum(["reset", "hang"]),
    burst429Remaining: ms,
    http429Rate: rate,
    holdCancelReplies: z.boolean(),
    lateRejectMs: ms,
    lateRejectRate: rate,
    flapRate: rate,
    flapMs: ms,
    partialFillRate: rate,
    partialFillMs: ms,
    holdPartialFills: z.boolean(),
    holdTransitions: z.boolean(),
    holdRestingOrders: z.boolean(),
    wsStall: z.boolean(),
    wsDropAfterMs: ms,
    bookLagging: z.boolean(),
    clockSkewMs: z.number().int().min(-86_400_000).max(86_400_000),
  })
  .partial();

/** Faults of the instances a simulator starts with: `all` for every instance, overridden per instance id. */
export interface FaultsSpec {
  all: Partial<FaultConfig>;
  byInstance: Record<string, Partial<FaultConfig>>;
}

const KNOBS = new Set(Object.keys(faultConfigSchema.shape));
const INSTANCE_KEY = /^(\*|[A-Za-z0-9_-]{1,64})$/;

/**
 * The `SIM_FAULTS` variable (parsed JSON), in one of two shapes:
 * - one fault object for every instance: `{"latencyMs":50,"http500Rate":0.05}` (the original form);
 * - an object keyed by instance id, `*` for every instance, ids overriding it knob by knob:
 *   `{"*":{"latencyMs":50},"demo2":{"lostResponseRate":0.2,"lostResponseMode":"hang"},"demo3":{"wsDropAfterMs":30000}}`.
 * An object naming any knob at the top level is the first shape (so a misspelt knob is reported, not taken for an id).
 */
export const faultsSchema = z.record(z.string(), z.unknown()).transform((value, ctx): FaultsSpec => {
  const report = (error: z.ZodError, prefix: (string | number)[]) => {
    for (const issue of error.issues)
      ctx.addIssue({ code: "custom", path: [...prefix, ...issue.path], message: issue.message });
  };
  if (Object.keys(value).some((k) => KNOBS.has(k))) {
    const single = faultConfigSchema.safeParse(value);
    if (!single.success) {
      report(single.error, []);
      return z.NEVER;
    }
    return { all: single.data, byInstance: {} };
  }
  const spec: FaultsSpec = { all: {}, byInstance: {} };
  for (const [key, knobs] of Object.entries(value)) {
    if (!INSTANCE_KEY.test(key)) {
      ctx.addIssue({ code: "custom", path: [key], message: "must be a fault knob, an instance id or *" });
      continue;
    }
    const parsed = faultConfigSchema.safeParse(knobs);
    if (!parsed.success) report(parsed.error, [key]);
    else if (key === "*") spec.all = parsed.data;
    else spec.byInstance[key] = parsed.data;
  }
  return ctx.issues.length > 0 ? z.NEVER : spec;
});

/** The faults one instance starts with under `spec`. */
export function faultsFor(spec: FaultsSpec, instanceId: string): Partial<FaultConfig> {
  return { ...spec.all, ...spec.byInstance[instanceId] };
}
