import { describe, expect, it } from "vitest";
import { DEFAULT_INSTRUMENT_SETTINGS } from "./instruments";
import { positionInterest } from "./position-interest";

const TODAY = "2026-12-07";

describe("positions interest", () => {
  it("open contracts in quote mode and their underlying's index in LTP mode, per feed kind; flat rows need nothing", () => {
    const wanted = positionInterest(
      [
        { kind: "simulated", exchange: "NFO", symbol: "NIFTY08DEC2624500CE", netQty: -65 },
        { kind: "simulated", exchange: "NFO", symbol: "NIFTY08DEC2624000PE", netQty: 65 },
        { kind: "simulated", exchange: "NFO", symbol: "NIFTY08DEC2625000CE", netQty: 0 },
        { kind: "simulated", exchange: "BFO", symbol: "SENSEX10DEC2680000CE", netQty: 0 },
        { kind: "real", exchange: "BFO", symbol: "SENSEX10DEC2680000CE", netQty: 20 },
        { kind: "real", exchange: "NSE", symbol: "SBIN", netQty: 4 },
      ],
      DEFAULT_INSTRUMENT_SETTINGS,
      TODAY,
    );
    expect(wanted.get("simulated")).toEqual([
      { exchange: "NFO", symbol: "NIFTY08DEC2624000PE", mode: 2 },
      { exchange: "NFO", symbol: "NIFTY08DEC2624500CE", mode: 2 },
      { exchange: "NSE_INDEX", symbol: "NIFTY", mode: 1 },
    ]);
    expect(wanted.get("real")).toEqual([
      { exchange: "BFO", symbol: "SENSEX10DEC2680000CE", mode: 2 },
      { exchange: "BSE_INDEX", symbol: "SENSEX", mode: 1 },
      { exchange: "NSE", symbol: "SBIN", mode: 2 },
    ]);
  });

  it("rows of two strategies that offset in one account are both open; a kind with nothing open is absent", () => {
    const wanted = positionInterest(
      [
        { kind: "real", exchange: "NFO", symbol: "BANKNIFTY29DEC2652000PE", netQty: 30 },
        { kind: "real", exchange: "NFO", symbol: "BANKNIFTY29DEC2652000PE", netQty: -30 },
        { kind: "simulated", exchange: "NFO", symbol: "NIFTY08DEC2624500CE", netQty: 0 },
      ],
      DEFAULT_INSTRUMENT_SETTINGS,
      TODAY,
    );
    expect([...wanted.keys()]).toEqual(["real"]);
    expect(wanted.get("real")).toEqual([
      { exchange: "NFO", symbol: "BANKNIFTY29DEC2652000PE", mode: 2 },
      { exchange: "NSE_INDEX", symbol: "BANKNIFTY", mode: 1 },
    ]);
  });

  it("an underlying missing from the settings adds no index", () => {
    const wanted = positionInterest(
      [{ kind: "real", exchange: "NFO", symbol: "RELIANCE29DEC261500CE", netQty: 500 }],
      DEFAULT_INSTRUMENT_SETTINGS,
      TODAY,
    );
    expect(wanted.get("real")).toEqual([{ exchange: "NFO", symbol: "RELIANCE29DEC261500CE", mode: 2 }]);
  });

  it("a derivative that expired before today needs no price; one expiring today still does", () => {
    const wanted = positionInterest(
      [
        { kind: "real", exchange: "NFO", symbol: "NIFTY01DEC2624500CE", netQty: 65 },
        { kind: "real", exchange: "NFO", symbol: "NIFTY07DEC2624500PE", netQty: -65 },
      ],
      DEFAULT_INSTRUMENT_SETTINGS,
      TODAY,
    );
    expect(wanted.get("real")).toEqual([
      { exchange: "NFO", symbol: "NIFTY07DEC2624500PE", mode: 2 },
      { exchange: "NSE_INDEX", symbol: "NIFTY", mode: 1 },
    ]);
  });
});
