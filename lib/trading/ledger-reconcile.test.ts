import { describe, expect, it } from "vitest";
import { closedOutside, contractKey } from "./ledger-reconcile";

const row = (over: Partial<{ accountId: string; symbol: string; product: string; netQty: number }>) => ({
  accountId: "a1",
  exchange: "NFO",
  symbol: "X",
  product: "NRML",
  netQty: 65,
  ...over,
});
const pos = (quantity: number, over: Partial<{ symbol: string; product: string }> = {}) => ({
  exchange: "NFO",
  symbol: "X",
  product: "NRML",
  quantity,
  ...over,
});

describe("closedOutside", () => {
  it("flags a contract the ledger holds and the broker reports flat (no row or zero quantity)", () => {
    expect([...closedOutside([row({})], new Map([["a1", []]]))]).toEqual([contractKey("a1", pos(0))]);
    expect([...closedOutside([row({})], new Map([["a1", [pos(0)]]]))]).toEqual([contractKey("a1", pos(0))]);
  });

  it("leaves contracts alone when the broker still holds them (even fewer), could not be read, or the ledger is flat", () => {
    expect(closedOutside([row({})], new Map([["a1", [pos(65)]]])).size).toBe(0);
    expect(closedOutside([row({ netQty: 130 })], new Map([["a1", [pos(65)]]])).size).toBe(0);
    expect(closedOutside([row({})], new Map([["a1", null]]))).toEqual(new Set());
    expect(closedOutside([row({})], new Map())).toEqual(new Set());
    expect(closedOutside([row({ netQty: 0 })], new Map([["a1", []]])).size).toBe(0);
  });

  it("nets the ledger across scopes and matches per account, contract and product", () => {
    // Two strategies hold +65 and -65: flat in total, nothing to flag though the broker is flat.
    expect(closedOutside([row({}), row({ netQty: -65 })], new Map([["a1", []]])).size).toBe(0);
    // Same symbol, other product or other account at the broker does not count.
    const flagged = closedOutside(
      [row({}), row({ accountId: "a2" })],
      new Map([
        ["a1", [pos(65, { product: "MIS" })]],
        ["a2", [pos(65)]],
      ]),
    );
    expect([...flagged]).toEqual([contractKey("a1", pos(0))]);
  });
});
