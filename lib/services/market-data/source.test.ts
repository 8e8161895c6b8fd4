import { describe, expect, it } from "vitest";
import { feedKindOf, sourceCandidates, targetKind } from "./source";

const acct = (name: string, over: Partial<{ isPrimary: boolean; status: string; brokerName: string | null }> = {}) => ({
  id: name,
  name,
  isPrimary: false,
  status: "CONNECTED",
  brokerName: "zerodha",
  ...over,
});

describe("market-data source choice", () => {
  it("an account is simulated only when its broker reports itself as the simulator; analyzer mode is still real", () => {
    expect(feedKindOf({ brokerName: "simulator" })).toBe("simulated");
    expect(feedKindOf({ brokerName: " Simulator " })).toBe("simulated");
    expect(feedKindOf({ brokerName: "dhan_sandbox" })).toBe("real");
    expect(feedKindOf({ brokerName: null })).toBe("real");
  });

  it("asks the primary first unless FAILED, then same-kind accounts (CONNECTED before others), never another kind", () => {
    const accounts = [
      acct("A sim", { brokerName: "simulator" }),
      acct("B degraded", { status: "DEGRADED" }),
      acct("C ok"),
      acct("D primary", { isPrimary: true }),
      acct("E failed", { status: "FAILED" }),
    ];
    expect(sourceCandidates(accounts, "real").map((a) => a.name)).toEqual(["D primary", "C ok", "B degraded"]);
    const failedPrimary = accounts.map((a) => (a.isPrimary ? { ...a, status: "FAILED" } : a));
    expect(sourceCandidates(failedPrimary, "real").map((a) => a.name)).toEqual(["C ok", "B degraded"]);
    expect(sourceCandidates(failedPrimary, "simulated").map((a) => a.name)).toEqual(["A sim"]);
  });

  it("targets decide the kind; mixed targets are refused, none fall back to the primary's kind", () => {
    expect(targetKind([{ brokerName: "simulator" }], "real")).toBe("simulated");
    expect(targetKind([], "simulated")).toBe("simulated");
    expect(() => targetKind([{ brokerName: "simulator" }, { brokerName: "zerodha" }], "real")).toThrow(
      /Real and simulated accounts cannot be priced together/,
    );
  });
});
