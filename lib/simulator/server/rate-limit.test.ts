import { describe, expect, it } from "vitest";
import { createRateLimiter, describeRateLimit, parseRateLimit } from "./rate-limit";

describe("parseRateLimit / describeRateLimit", () => {
  it("reads Flask-Limiter notation", () => {
    expect(parseRateLimit("50 per second")).toEqual({ count: 50, windowMs: 1000 });
    expect(parseRateLimit("30 per minute")).toEqual({ count: 30, windowMs: 60_000 });
    expect(parseRateLimit("100/5 seconds")).toEqual({ count: 100, windowMs: 5000 });
    expect(parseRateLimit("ten per second")).toBeUndefined();
    expect(parseRateLimit("0 per second")).toBeUndefined();
  });

  it("prints the flask-restx message", () => {
    expect(describeRateLimit({ count: 50, windowMs: 1000 })).toBe("50 per 1 second");
    expect(describeRateLimit({ count: 30, windowMs: 60_000 })).toBe("30 per 1 minute");
  });
});

describe("createRateLimiter (moving window)", () => {
  it("allows `count` hits per window per ip and route, then refuses", () => {
    const rl = createRateLimiter();
    for (let i = 0; i < 10; i++) expect(rl.hit("1.1.1.1", "placeorder", "order", 1000 + i)).toBeUndefined();
    expect(rl.hit("1.1.1.1", "placeorder", "order", 1010)).toEqual({ count: 10, windowMs: 1000 });
    // Other routes and other IPs have their own windows.
    expect(rl.hit("1.1.1.1", "modifyorder", "order", 1010)).toBeUndefined();
    expect(rl.hit("2.2.2.2", "placeorder", "order", 1010)).toBeUndefined();
  });

  it("moves: a slot frees exactly one window after the hit that filled it", () => {
    const rl = createRateLimiter({ order: { count: 2, windowMs: 1000 } });
    expect(rl.hit("ip", "r", "order", 0)).toBeUndefined();
    expect(rl.hit("ip", "r", "order", 600)).toBeUndefined();
    expect(rl.hit("ip", "r", "order", 999)).toBeDefined();
    expect(rl.hit("ip", "r", "order", 1000)).toBeUndefined(); // the hit at 0 left the window
    expect(rl.hit("ip", "r", "order", 1500)).toBeDefined(); // 600 and 1000 still inside
  });

  it("does not record refused hits (a hammering client recovers one window after its last accepted hit)", () => {
    const rl = createRateLimiter({ api: { count: 1, windowMs: 100 } });
    expect(rl.hit("ip", "r", "api", 0)).toBeUndefined();
    for (let t = 10; t < 100; t += 10) expect(rl.hit("ip", "r", "api", t)).toBeDefined();
    expect(rl.hit("ip", "r", "api", 100)).toBeUndefined();
  });

  it("falls back to the api bucket for unknown names and forgets everything on clear()", () => {
    const rl = createRateLimiter({ api: { count: 1, windowMs: 1000 } });
    expect(rl.limitFor("nope")).toEqual({ count: 1, windowMs: 1000 });
    rl.hit("ip", "r", "nope", 0);
    expect(rl.hit("ip", "r", "nope", 1)).toBeDefined();
    rl.clear();
    expect(rl.hit("ip", "r", "nope", 2)).toBeUndefined();
  });

  it("refuses malformed overrides instead of silently disabling the limit", () => {
    expect(() => createRateLimiter({ order: { count: 0, windowMs: 1000 } })).toThrow(/order/);
    expect(() => createRateLimiter({ api: { limit: 5, windowMs: 1000 } as never })).toThrow(/api/);
  });
});
