import { describe, expect, it } from "vitest";
import type { FaultConfig } from "@/lib/simulator/types";
import { losesResponse, preRouteFault, replyDelayMs } from "./faults";

const none: FaultConfig = {
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
const never = () => {
  throw new Error("PRNG drawn although the knob is off");
};

describe("server-level faults", () => {
  it("draws nothing and does nothing when every knob is off", () => {
    expect(preRouteFault({ ...none }, never)).toBeUndefined();
    expect(replyDelayMs(none, never)).toBe(0);
    expect(losesResponse(none, true, never)).toBe(false);
  });

  it("answers exactly burst429Remaining requests with 429, then resumes", () => {
    const f = { ...none, burst429Remaining: 2 };
    expect([preRouteFault(f, never), preRouteFault(f, never), preRouteFault(f, never)]).toEqual([
      "429",
      "429",
      undefined,
    ]);
    expect(f.burst429Remaining).toBe(0);
  });

  it("compares draws against the rates", () => {
    expect(preRouteFault({ ...none, http429Rate: 0.5 }, () => 0.49)).toBe("429");
    expect(preRouteFault({ ...none, http500Rate: 0.5 }, () => 0.49)).toBe("500");
    expect(preRouteFault({ ...none, http500Rate: 0.5 }, () => 0.5)).toBeUndefined();
  });

  it("adds jitter in [0, jitterMs) to the latency", () => {
    expect(replyDelayMs({ ...none, latencyMs: 100, jitterMs: 50 }, () => 0.5)).toBe(125);
  });

  it("loses responses only on order-placing routes", () => {
    const f = { ...none, lostResponseRate: 1 };
    expect(losesResponse(f, true, () => 0.3)).toBe(true);
    expect(losesResponse(f, false, never)).toBe(false);
  });
});
