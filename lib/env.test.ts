import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { appEnvSchema, EnvError, parseEnv, simulatorEnvSchema } from "@/lib/env";

const valid = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/mirrordesk",
  REDIS_URL: "redis://127.0.0.1:6379/0",
  AUTH_SECRET: "x".repeat(32),
  CREDENTIAL_KEYS: `v1:${Buffer.alloc(32, 1).toString("base64")}`,
};

function problems(source: Record<string, string | undefined>, schema: z.ZodType = appEnvSchema): string[] {
  try {
    parseEnv(schema, source);
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as EnvError).problems;
  }
  throw new Error("expected parseEnv to fail");
}

describe("parseEnv", () => {
  it("applies defaults to a minimal valid environment", () => {
    const env = parseEnv(appEnvSchema, valid);
    expect(env.LOG_LEVEL).toBe("info");
    expect(env.AUTH_TRUST_HOST).toBe(true);
    expect(env.LOGIN_MAX_FAILURES_PER_EMAIL).toBe(5);
    expect(env.METRICS_TOKEN).toBeUndefined();
  });

  it("names every missing variable at once", () => {
    expect(problems({})).toEqual([
      "DATABASE_URL is required",
      "REDIS_URL is required",
      "AUTH_SECRET is required",
      "CREDENTIAL_KEYS is required",
    ]);
  });

  it("treats empty strings as unset", () => {
    expect(problems({ ...valid, AUTH_SECRET: "" })).toEqual(["AUTH_SECRET is required"]);
  });

  it("explains invalid values", () => {
    const p = problems({
      ...valid,
      DATABASE_URL: "mysql://x/y",
      AUTH_SECRET: "short",
      LOG_LEVEL: "loud",
      WORKER_HEARTBEAT_MS: "-5",
    });
    expect(p).toHaveLength(4);
    expect(p[0]).toBe("DATABASE_URL must be a postgresql:// URL");
    expect(p[1]).toMatch(/^AUTH_SECRET .*32/);
    expect(p[2]).toMatch(/^LOG_LEVEL /);
    expect(p[3]).toMatch(/^WORKER_HEARTBEAT_MS /);
  });

  it("parses the credential key ring and explains a bad one without echoing it", () => {
    expect(parseEnv(appEnvSchema, valid).CREDENTIAL_KEYS.current).toBe(1);
    expect(problems({ ...valid, CREDENTIAL_KEYS: "v1:c2hvcnQ=" })).toEqual([
      "CREDENTIAL_KEYS key v1 must be 32 bytes (base64 of 32 random bytes), got 5",
    ]);
  });

  it("parses booleans and numbers from strings", () => {
    const env = parseEnv(appEnvSchema, { ...valid, AUTH_TRUST_HOST: "false", LOGIN_MAX_FAILURES_PER_IP: "7" });
    expect(env.AUTH_TRUST_HOST).toBe(false);
    expect(env.LOGIN_MAX_FAILURES_PER_IP).toBe(7);
  });

  it("requires the simulator admin token for the simulator process", () => {
    expect(problems({}, simulatorEnvSchema)).toEqual(["SIM_ADMIN_TOKEN is required"]);
  });

  it("the message lists each problem on its own line", () => {
    try {
      parseEnv(appEnvSchema, { REDIS_URL: valid.REDIS_URL, CREDENTIAL_KEYS: valid.CREDENTIAL_KEYS });
    } catch (e) {
      expect((e as Error).message).toBe(
        "Invalid environment:\n  - DATABASE_URL is required\n  - AUTH_SECRET is required",
      );
      return;
    }
    throw new Error("expected failure");
  });
});

describe("placeholder secrets", () => {
  const randomKey = `v1:${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString("base64")}`;
  const prod = {
    ...valid,
    AUTH_SECRET: "Zq7t0VbL3mXe9RkP2sYw5HcN8uJd4GfA",
    NODE_ENV: "production",
    CREDENTIAL_KEYS: randomKey,
  };
  const zeroKey = `v1:${Buffer.alloc(32).toString("base64")}`;
  const testKey = "v1:dGVzdC1vbmx5LWNyZWRlbnRpYWwta2V5LTMyYnl0ZXM=";

  it("refuses .env.example's values, public test values and low-variety secrets in production, naming the variable", () => {
    expect(problems({ ...prod, AUTH_SECRET: "change-me-to-a-long-random-string-of-32-chars" })).toEqual([
      "AUTH_SECRET is a placeholder or public example value: set a random secret in production",
    ]);
    expect(problems({ ...prod, AUTH_SECRET: "test-secret-test-secret-test-secret-0123" })[0]).toMatch(
      /^AUTH_SECRET is a placeholder/,
    );
    expect(problems({ ...prod, AUTH_SECRET: "x".repeat(40) })[0]).toMatch(/^AUTH_SECRET is a placeholder/);
    expect(problems({ ...prod, CREDENTIAL_KEYS: zeroKey })).toEqual([
      "CREDENTIAL_KEYS key v1 is a placeholder or public example value: set a random secret in production (npm run keys:new)",
    ]);
    expect(
      problems({ ...prod, CREDENTIAL_KEYS: `${testKey},v2:${Buffer.alloc(32, 7).toString("base64")}` }),
    ).toHaveLength(2);
    const simProd = { NODE_ENV: "production", SIM_ADMIN_TOKEN: "change-me-sim-admin-token" };
    expect(problems(simProd, simulatorEnvSchema)).toEqual([
      "SIM_ADMIN_TOKEN is a placeholder or public example value: set a random secret in production",
    ]);
  });

  it("accepts random secrets in production and example values outside it", () => {
    expect(parseEnv(appEnvSchema, prod).NODE_ENV).toBe("production");
    expect(
      parseEnv(simulatorEnvSchema, { NODE_ENV: "production", SIM_ADMIN_TOKEN: "r4Nd0m-Sim-T0ken-9x2" }).SIM_ADMIN_TOKEN,
    ).toBe("r4Nd0m-Sim-T0ken-9x2");
    expect(parseEnv(appEnvSchema, { ...valid, NODE_ENV: "test", CREDENTIAL_KEYS: zeroKey }).NODE_ENV).toBe("test");
  });

  it("trusts no proxy hop and allows private broker hosts unless configured", () => {
    const env = parseEnv(appEnvSchema, valid);
    expect(env.TRUSTED_PROXY_HOPS).toBe(0);
    expect(env.BROKER_ALLOW_PRIVATE_HOSTS).toBe(true);
    expect(parseEnv(appEnvSchema, { ...valid, BROKER_ALLOW_PRIVATE_HOSTS: "false" }).BROKER_ALLOW_PRIVATE_HOSTS).toBe(
      false,
    );
  });
});

describe("simulator faults from the environment", () => {
  const base = { SIM_ADMIN_TOKEN: "token-123456" };
  it("parses SIM_FAULTS JSON into fault knobs, for every instance or per instance id", () => {
    const env = parseEnv(simulatorEnvSchema, { ...base, SIM_FAULTS: '{"latencyMs":50,"lostResponseRate":0.1}' });
    expect(env.SIM_FAULTS).toEqual({ all: { latencyMs: 50, lostResponseRate: 0.1 }, byInstance: {} });
    expect(parseEnv(simulatorEnvSchema, base).SIM_FAULTS).toEqual({ all: {}, byInstance: {} });
    const per = parseEnv(simulatorEnvSchema, {
      ...base,
      SIM_FAULTS: '{"*":{"latencyMs":20},"demo2":{"lostResponseMode":"hang","lostResponseRate":1}}',
    });
    expect(per.SIM_FAULTS).toEqual({
      all: { latencyMs: 20 },
      byInstance: { demo2: { lostResponseMode: "hang", lostResponseRate: 1 } },
    });
  });
  it("names bad JSON and out-of-range or unknown knobs", () => {
    expect(problems({ ...base, SIM_FAULTS: "{oops" }, simulatorEnvSchema)).toEqual([
      "SIM_FAULTS must be a JSON object",
    ]);
    expect(problems({ ...base, SIM_FAULTS: '{"http500Rate":2}' }, simulatorEnvSchema)[0]).toMatch(
      /^SIM_FAULTS.http500Rate /,
    );
    expect(problems({ ...base, SIM_FAULTS: '{"latencyMs":5,"explode":true}' }, simulatorEnvSchema)[0]).toMatch(
      /^SIM_FAULTS /,
    );
    expect(problems({ ...base, SIM_FAULTS: '{"demo1":{"explode":true}}' }, simulatorEnvSchema)[0]).toMatch(
      /^SIM_FAULTS.demo1 /,
    );
  });
  it("reads the demo instances' morning login time, off, or the 08:45 default", () => {
    expect(parseEnv(simulatorEnvSchema, base).SIM_AUTO_LOGIN_AT).toBe("08:45");
    expect(parseEnv(simulatorEnvSchema, { ...base, SIM_AUTO_LOGIN_AT: "09:05" }).SIM_AUTO_LOGIN_AT).toBe("09:05");
    expect(parseEnv(simulatorEnvSchema, { ...base, SIM_AUTO_LOGIN_AT: "off" }).SIM_AUTO_LOGIN_AT).toBeUndefined();
    expect(problems({ ...base, SIM_AUTO_LOGIN_AT: "8am" }, simulatorEnvSchema)[0]).toMatch(/^SIM_AUTO_LOGIN_AT /);
  });
});

describe("market feed settings", () => {
  it("default to a running feed with sane timings", () => {
    const env = parseEnv(appEnvSchema, valid);
    expect(env.MARKET_FEED_ENABLED).toBe(true);
    expect(env.MARKET_FEED_HEARTBEAT_MS).toBe(10_000);
    expect(env.MARKET_FEED_BACKOFF_MIN_MS).toBeLessThan(env.MARKET_FEED_BACKOFF_MAX_MS);
    expect(parseEnv(appEnvSchema, { ...valid, MARKET_FEED_ENABLED: "false" }).MARKET_FEED_ENABLED).toBe(false);
  });

  it("names a bad value and a backoff whose maximum is below its minimum", () => {
    expect(problems({ ...valid, MARKET_FEED_HEARTBEAT_MS: "5" })[0]).toMatch(/^MARKET_FEED_HEARTBEAT_MS /);
    expect(problems({ ...valid, MARKET_FEED_BACKOFF_MIN_MS: "5000", MARKET_FEED_BACKOFF_MAX_MS: "1000" })).toEqual([
      "MARKET_FEED_BACKOFF_MAX_MS must be at least MARKET_FEED_BACKOFF_MIN_MS",
    ]);
  });
});
