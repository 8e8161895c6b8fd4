import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { demoApiKey, demoInstanceConfigs } from "./demo";

describe("demo instances", () => {
  it("derives keys as hex sha256 of `${adminToken}:demo${n}`", () => {
    expect(demoApiKey("tok", 3)).toBe(createHash("sha256").update("tok:demo3").digest("hex"));
    expect(demoApiKey("tok", 3)).toMatch(/^[0-9a-f]{64}$/);
    expect(demoApiKey("tok", 3)).not.toBe(demoApiKey("tok", 4));
  });

  it("spreads capital from 5 lakh to 50 lakh over demo1..demoN", () => {
    const cfgs = demoInstanceConfigs("tok", 5);
    expect(cfgs.map((c) => c.id)).toEqual(["demo1", "demo2", "demo3", "demo4", "demo5"]);
    expect(cfgs.map((c) => c.capital)).toEqual(["500000", "1625000", "2750000", "3875000", "5000000"]);
    expect(cfgs[1].apiKey).toBe(demoApiKey("tok", 2));
    expect(demoInstanceConfigs("tok", 1)[0].capital).toBe("500000");
    expect(demoInstanceConfigs("tok", 0)).toEqual([]);
  });
});
