import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, simulatorEnvSchema } from "@/lib/env";
import { faultConfigSchema, faultsFor, faultsSchema } from "./fault-schema";
import { autoLoginAtSchema } from "./session-schema";

const simEnv = (extra: Record<string, string>) =>
  parseEnv(simulatorEnvSchema, { SIM_ADMIN_TOKEN: "token-123456", ...extra });

describe("SIM_FAULTS", () => {
  it("keeps the original form: one fault object for every instance", () => {
    const spec = simEnv({ SIM_FAULTS: '{"latencyMs":50,"lostResponseMode":"hang"}' }).SIM_FAULTS;
    expect(spec).toEqual({ all: { latencyMs: 50, lostResponseMode: "hang" }, byInstance: {} });
    expect(faultsFor(spec, "demo4")).toEqual({ latencyMs: 50, lostResponseMode: "hang" });
    expect(simEnv({}).SIM_FAULTS).toEqual({ all: {}, byInstance: {} });
  });

  it("accepts an object keyed by instance id, * for all, ids overriding it knob by knob", () => {
    const spec = simEnv({
      SIM_FAULTS: '{"*":{"latencyMs":50,"http500Rate":0.1},"demo2":{"http500Rate":0,"wsDropAfterMs":30000}}',
    }).SIM_FAULTS;
    expect(faultsFor(spec, "demo1")).toEqual({ latencyMs: 50, http500Rate: 0.1 });
    expect(faultsFor(spec, "demo2")).toEqual({ latencyMs: 50, http500Rate: 0, wsDropAfterMs: 30000 });
  });

  it("names the offending knob: a misspelt one, a bad value, a value of the wrong instance", () => {
    const problems = (text: string) => {
      try {
        simEnv({ SIM_FAULTS: text });
        return [];
      } catch (e) {
        return (e as EnvError).problems;
      }
    };
    expect(problems('{"latencyMs":5,"latencyMS":5}')).toEqual([expect.stringMatching(/^SIM_FAULTS /)]);
    expect(problems('{"demo2":{"http500Rate":2}}')).toEqual([
      expect.stringMatching(/^SIM_FAULTS\.demo2\.http500Rate /),
    ]);
    expect(problems('{"demo2":{"lostResponseMode":"slow"}}')).toEqual([
      expect.stringMatching(/^SIM_FAULTS\.demo2\.lostResponseMode /),
    ]);
    expect(problems('{"demo 2":{}}')).toEqual([
      expect.stringMatching(/^SIM_FAULTS\.demo 2 must be a fault knob, an instance id or \*/),
    ]);
    expect(problems("[1]")).toHaveLength(1);
  });

  it("the control API takes exactly one fault object", () => {
    expect(faultConfigSchema.safeParse({ wsDropAfterMs: 100, lostResponseMode: "hang" }).success).toBe(true);
    expect(faultConfigSchema.safeParse({ demo1: { latencyMs: 1 } }).success).toBe(false);
    expect(faultsSchema.safeParse({ demo1: { latencyMs: 1 } }).success).toBe(true);
  });
});

describe("SIM_AUTO_LOGIN_AT", () => {
  it("defaults to 08:45 IST, takes HH:MM or off, and refuses anything else (lib/env.test.ts reads it from the environment)", () => {
    expect(autoLoginAtSchema.parse(undefined)).toBe("08:45");
    expect(autoLoginAtSchema.parse("09:05")).toBe("09:05");
    expect(autoLoginAtSchema.parse("off")).toBe("off");
    expect(autoLoginAtSchema.safeParse("8:45").success).toBe(false);
    expect(autoLoginAtSchema.safeParse("24:00").success).toBe(false);
  });
});
