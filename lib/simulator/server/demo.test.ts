import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { brokerEntry } from "@/lib/brokers/registry";
import { BROKER_KIND_LIST } from "@/lib/brokers/kinds";
import { demoApiKey, demoDirectApp, DEMO_DIRECT_BROKERS, demoDirectInstanceConfigs, demoInstanceConfigs } from "./demo";

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

  it("has one direct instance per direct broker kind, sent back to the app's callback of its kind", () => {
    const cfgs = demoDirectInstanceConfigs("tok", "http://127.0.0.1:3000/");
    expect(new Set(DEMO_DIRECT_BROKERS.map((b) => b.kind)).size).toBe(DEMO_DIRECT_BROKERS.length);
    // Every direct kind the registry has, in its order.
    expect(DEMO_DIRECT_BROKERS.map((b) => b.kind)).toEqual(BROKER_KIND_LIST.filter((k) => k !== "openalgo"));
    expect(cfgs.map((c) => [c.id, c.redirectUrl])).toEqual([
      ["demozerodha", "http://127.0.0.1:3000/api/brokers/zerodha/callback"],
      ["demoupstox", "http://127.0.0.1:3000/api/brokers/upstox/callback"],
      ["demofyers", "http://127.0.0.1:3000/api/brokers/fyers/callback"],
      ["demodhan", "http://127.0.0.1:3000/api/brokers/dhan/callback"],
      ["demoangel", "http://127.0.0.1:3000/api/brokers/angel/callback"],
    ]);
    // No instance id collides with the OpenAlgo demo instances'.
    const openAlgo = demoInstanceConfigs("tok", 9).map((c) => c.id);
    expect(cfgs.filter((c) => openAlgo.includes(c.id))).toEqual([]);
  });

  it("derives each direct app's key and secret from the admin token, in a shape its account form accepts", () => {
    for (const broker of DEMO_DIRECT_BROKERS) {
      const app = demoDirectApp("tok", broker);
      expect(app).toEqual(demoDirectApp("tok", broker));
      expect(app.apiKey).not.toBe(demoDirectApp("other-token", broker).apiKey);
      expect(app.appSecret).not.toBe(app.apiKey);
      const entry = brokerEntry(broker.kind);
      const clientId = entry.form.fields.some((f) => f.name === "clientId") ? { clientId: broker.id } : {};
      const parsed = entry.credentials.safeParse({
        hostUrl: `http://127.0.0.1:5055${broker.path}`,
        apiKey: app.apiKey,
        apiSecret: app.appSecret,
        ...clientId,
      });
      expect(parsed.success, `${broker.kind}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });
});
