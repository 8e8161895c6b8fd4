import { describe, expect, it } from "vitest";
import { feedKindOf, sourceCandidates, targetKind } from "./source";

type Over = Partial<{ isPrimary: boolean; status: string; kind: string; hostUrl: string; brokerName: string | null }>;
const acct = (name: string, over: Over = {}) => ({
  id: name,
  name,
  isPrimary: false,
  status: "CONNECTED",
  kind: "OPENALGO",
  hostUrl: "http://127.0.0.1:5000",
  brokerName: "zerodha",
  ...over,
});
const openalgo = (brokerName: string | null) => ({ kind: "OPENALGO", hostUrl: "http://127.0.0.1:5000", brokerName });
const direct = (kind: string, hostUrl: string, brokerName: string | null = null) => ({ kind, hostUrl, brokerName });

describe("market-data source choice", () => {
  it("an OpenAlgo account is simulated only when its broker reports itself as the simulator; analyzer mode is real", () => {
    expect(feedKindOf(openalgo("simulator"))).toBe("simulated");
    expect(feedKindOf(openalgo(" Simulator "))).toBe("simulated");
    expect(feedKindOf(openalgo("dhan_sandbox"))).toBe("real");
    expect(feedKindOf(openalgo(null))).toBe("real");
  });

  it("a direct account is real only on its broker's real API host, whatever its ping reports", () => {
    expect(feedKindOf(direct("ZERODHA", "https://api.kite.trade", "zerodha"))).toBe("real");
    expect(feedKindOf(direct("UPSTOX", "https://api.upstox.com"))).toBe("real");
    expect(feedKindOf(direct("FYERS", "https://api-t1.fyers.in"))).toBe("real");
    expect(feedKindOf(direct("DHAN", "https://api.dhan.co/v2"))).toBe("real");
    expect(feedKindOf(direct("ANGEL", "https://apiconnect.angelone.in"))).toBe("real");
    expect(feedKindOf(direct("ANGEL", "https://APICONNECT.angelbroking.com/"))).toBe("real");
    // The simulator's native front-ends report the broker's own name.
    expect(feedKindOf(direct("ZERODHA", "http://127.0.0.1:5055/kite", "zerodha"))).toBe("simulated");
    expect(feedKindOf(direct("DHAN", "http://127.0.0.1:5055/dhan/v2", "dhan"))).toBe("simulated");
    // A proxy, plain http to the real host, another broker's host: not the real broker of this kind.
    expect(feedKindOf(direct("ZERODHA", "https://kite-proxy.example.com", "zerodha"))).toBe("simulated");
    expect(feedKindOf(direct("ZERODHA", "http://api.kite.trade", "zerodha"))).toBe("simulated");
    expect(feedKindOf(direct("UPSTOX", "https://api.kite.trade"))).toBe("simulated");
    expect(feedKindOf(direct("FYERS", "not a url"))).toBe("simulated");
  });

  it("asks the primary first unless FAILED, then same-kind accounts (CONNECTED before others), never another kind", () => {
    const accounts = [
      acct("A sim", { brokerName: "simulator" }),
      acct("B degraded", { status: "DEGRADED" }),
      acct("C ok"),
      acct("D primary", { isPrimary: true }),
      acct("E failed", { status: "FAILED" }),
      acct("F kite sim", { kind: "ZERODHA", hostUrl: "http://127.0.0.1:5055/kite" }),
    ];
    expect(sourceCandidates(accounts, "real").map((a) => a.name)).toEqual(["D primary", "C ok", "B degraded"]);
    const failedPrimary = accounts.map((a) => (a.isPrimary ? { ...a, status: "FAILED" } : a));
    expect(sourceCandidates(failedPrimary, "real").map((a) => a.name)).toEqual(["C ok", "B degraded"]);
    expect(sourceCandidates(failedPrimary, "simulated").map((a) => a.name)).toEqual(["A sim", "F kite sim"]);
  });

  it("targets decide the kind; mixed targets are refused, none fall back to the primary's kind", () => {
    expect(targetKind([openalgo("simulator")], "real")).toBe("simulated");
    expect(targetKind([], "simulated")).toBe("simulated");
    expect(() => targetKind([openalgo("simulator"), openalgo("zerodha")], "real")).toThrow(
      /Real and simulated accounts cannot be priced together/,
    );
  });

  it("a simulated direct account and a simulator OpenAlgo account share one simulated price; a real one does not", () => {
    const kiteSim = direct("ZERODHA", "http://127.0.0.1:5055/kite", "zerodha");
    expect(targetKind([openalgo("simulator"), kiteSim], "real")).toBe("simulated");
    expect(() => targetKind([kiteSim, direct("ZERODHA", "https://api.kite.trade", "zerodha")], "real")).toThrow(
      /Real and simulated accounts cannot be priced together/,
    );
  });
});
