import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { redis } from "@/lib/redis";
import { closeConnections, resetState } from "@/lib/testing/fixtures";
import { LIVE, type LiveQuote } from "./contract";
import { registerInterest, releaseInterest, wantedContracts } from "./interest";
import { readQuotes, readStaleFlags, setStale, writeQuote } from "./quote-store";
import { liveQuote } from "@/lib/testing/live-quote";

beforeEach(resetState);
afterAll(closeConnections);

const quote = (symbol: string, ltp: string): LiveQuote => liveQuote({ exchange: "NFO", symbol, ltp, accountId: "acc" });

describe("live quote store", () => {
  it("keeps quotes per feed kind: a simulated price never answers for a real contract", async () => {
    await writeQuote("simulated", quote("NIFTY08DEC2624500CE", "101.5"));
    const sim = await readQuotes("simulated", ["NFO:NIFTY08DEC2624500CE", "NFO:MISSING"]);
    expect(sim.get("NFO:NIFTY08DEC2624500CE")?.ltp).toBe("101.5");
    expect(sim.has("NFO:MISSING")).toBe(false);
    expect((await readQuotes("real", ["NFO:NIFTY08DEC2624500CE"])).size).toBe(0);
  });

  it("raises a stale flag once and clears it once, publishing each change", async () => {
    const flag = {
      exchange: "NSE_INDEX",
      symbol: "NIFTY",
      since: new Date().toISOString(),
      lastTickAt: null,
      reason: "silent",
    };
    expect(await setStale("real", "NSE_INDEX:NIFTY", flag)).toBe(true);
    expect(await setStale("real", "NSE_INDEX:NIFTY", flag)).toBe(false);
    expect([...(await readStaleFlags("real")).keys()]).toEqual(["NSE_INDEX:NIFTY"]);
    expect(await setStale("real", "NSE_INDEX:NIFTY", null)).toBe(true);
    expect((await readStaleFlags("real")).size).toBe(0);
  });

  it("counts holders per contract, takes the highest mode, and forgets released and expired holders", async () => {
    await registerInterest("chain:1", "real", [{ exchange: "NFO", symbol: "X", mode: 3 }], 60_000);
    await registerInterest(
      "positions:real",
      "real",
      [
        { exchange: "NFO", symbol: "X", mode: 1 },
        { exchange: "NFO", symbol: "Y", mode: 2 },
      ],
      60_000,
    );
    let wanted = await wantedContracts("real");
    expect(wanted.get("NFO:X")).toMatchObject({ mode: 3, holders: ["chain:1", "positions:real"].sort() });
    expect(wanted.get("NFO:Y")?.holders).toEqual(["positions:real"]);
    expect((await wantedContracts("simulated")).size).toBe(0);

    await releaseInterest("chain:1");
    wanted = await wantedContracts("real");
    expect(wanted.get("NFO:X")).toMatchObject({ mode: 1, holders: ["positions:real"] });

    // A holder that died: its lease is gone, so it no longer counts and is dropped from the holder set.
    await redis().del(LIVE.lease("positions:real"));
    expect((await wantedContracts("real")).size).toBe(0);
    expect(await redis().smembers(LIVE.holders)).toEqual([]);
  });
});
