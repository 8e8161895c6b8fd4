import { describe, expect, it } from "vitest";
import { chainQuerySchema, expiriesQuerySchema } from ".";

const fields = (input: unknown) => {
  const r = chainQuerySchema.safeParse(input);
  return r.success ? [] : [...new Set(r.error.issues.map((i) => String(i.path[0])))];
};

describe("option-chain query", () => {
  it("normalises the underlying and defaults to 20 strikes each side", () => {
    expect(chainQuerySchema.parse({ underlying: " nifty ", expiry: "2026-12-08" })).toEqual({
      underlying: "NIFTY",
      expiry: "2026-12-08",
      strikes: 20,
    });
    expect(chainQuerySchema.parse({ underlying: "BANKNIFTY", expiry: "2026-12-29", strikes: "50" }).strikes).toBe(50);
  });

  it("names the field that is wrong", () => {
    expect(fields({ expiry: "2026-12-08" })).toEqual(["underlying"]);
    expect(fields({ underlying: "NIFTY 50", expiry: "2026-12-08" })).toEqual(["underlying"]);
    expect(fields({ underlying: "NIFTY", expiry: "08DEC26" })).toEqual(["expiry"]);
    expect(fields({ underlying: "NIFTY", expiry: "2026-02-30" })).toEqual(["expiry"]);
    expect(fields({ underlying: "NIFTY", expiry: "2026-12-08", strikes: "51" })).toEqual(["strikes"]);
    expect(fields({ underlying: "NIFTY", expiry: "2026-12-08", strikes: "0" })).toEqual(["strikes"]);
    expect(fields({ underlying: "NIFTY", expiry: "2026-12-08", strikes: "2.5" })).toEqual(["strikes"]);
    expect(fields({ underlying: "NIFTY", expiry: "2026-12-08", strikes: "x" })).toEqual(["strikes"]);
  });

  it("lets the expiries list default its underlying", () => {
    expect(expiriesQuerySchema.parse({})).toEqual({});
    expect(expiriesQuerySchema.parse({ underlying: "sensex" })).toEqual({ underlying: "SENSEX" });
  });
});
