import { describe, expect, it } from "vitest";
import { BROKER_KIND_LIST, STORED_KIND } from "@/lib/brokers/kinds";
import { ANGEL_API_ROOT } from "@/lib/brokers/angel/wire";
import { DHAN_API_ROOT } from "@/lib/brokers/dhan/hosts";
import { FYERS_API_ROOT } from "@/lib/brokers/fyers/wire";
import { UPSTOX_API_ROOT } from "@/lib/brokers/upstox/account";
import { KITE_API_ROOT } from "@/lib/brokers/zerodha/account";
import { DEMO_DIRECT_BROKERS } from "@/lib/simulator/server/demo";
import { feedKindOf, isRealBrokerRoot, REAL_API_HOSTS } from "@/lib/trading/feed-kind";

// The feed classification keeps its own table of real hosts (the pure core cannot import the connectors): this keeps
// it in step with the root each connector uses when the account's API URL is left blank.
const ROOTS = {
  ZERODHA: KITE_API_ROOT,
  UPSTOX: UPSTOX_API_ROOT,
  FYERS: FYERS_API_ROOT,
  DHAN: DHAN_API_ROOT,
  ANGEL: ANGEL_API_ROOT,
};

describe("real API hosts of the feed classification", () => {
  it("lists exactly the direct kinds, and each connector's default root is real", () => {
    const direct = BROKER_KIND_LIST.filter((k) => k !== "openalgo").map((k) => STORED_KIND[k]);
    expect(Object.keys(REAL_API_HOSTS).sort()).toEqual([...direct].sort());
    expect(Object.keys(ROOTS).sort()).toEqual([...direct].sort());
    for (const [kind, root] of Object.entries(ROOTS)) {
      expect(isRealBrokerRoot(kind, root), kind).toBe(true);
      expect(feedKindOf({ kind, hostUrl: root, brokerName: null }), kind).toBe("real");
    }
  });

  it("the demo's direct accounts, on the simulator's front-ends, are simulated like the demo's OpenAlgo accounts", () => {
    expect(DEMO_DIRECT_BROKERS.length).toBeGreaterThan(0);
    for (const b of DEMO_DIRECT_BROKERS) {
      const account = { kind: STORED_KIND[b.kind], hostUrl: `http://127.0.0.1:5000${b.path}`, brokerName: b.kind };
      expect(feedKindOf(account), b.name).toBe("simulated");
    }
    expect(feedKindOf({ kind: "OPENALGO", hostUrl: "http://127.0.0.1:5000/i/demo1", brokerName: "simulator" })).toBe(
      "simulated",
    );
  });
});
