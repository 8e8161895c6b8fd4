import { describe, expect, it } from "vitest";
import { defaultSession, istInstant, type ExchangeSession } from "./calendar";
import { DEFAULT_INSTRUMENT_SETTINGS } from "./instruments";
import {
  calendarVerdict,
  clockVerdict,
  contractsVerdict,
  feedVerdict,
  sessionVerdict,
  type ContractFacts,
  type FeedFacts,
} from "./readiness-verdicts";

const HOST = "http://127.0.0.1:5000";
const MON = "2026-12-07";

describe("session", () => {
  it("green when the ping succeeds, naming the broker and the mode", () => {
    expect(sessionVerdict({ ok: true, broker: "zerodha", mode: "live" }, HOST)).toEqual({
      check: "session",
      status: "GREEN",
      detail: "Broker session valid: zerodha, live mode",
      fix: null,
    });
  });

  it("red on a refused key with the 03:00 IST logout explained and the login fix naming the host", () => {
    const v = sessionVerdict({ ok: false, reason: "auth", message: "Invalid openalgo apikey" }, HOST);
    expect(v.status).toBe("RED");
    expect(v.detail).toContain("03:00 IST");
    expect(v.fix).toContain(`Log in to the broker in OpenAlgo at ${HOST}`);
  });

  it("red when OpenAlgo does not answer, amber when it is only busy", () => {
    expect(sessionVerdict({ ok: false, reason: "unavailable", message: "ECONNREFUSED" }, HOST)).toMatchObject({
      status: "RED",
      detail: `OpenAlgo at ${HOST} did not answer: ECONNREFUSED`,
    });
    expect(sessionVerdict({ ok: false, reason: "rate_limited", message: "50 per 1 second" }, HOST).status).toBe(
      "AMBER",
    );
  });
});

describe("feed", () => {
  const live: FeedFacts = {
    kind: "simulated",
    status: { state: "live", reason: null, subscribed: 12 },
    staleIndices: [],
    inSession: true,
  };

  it("green when live with no stale index", () => {
    expect(feedVerdict(live)).toMatchObject({
      status: "GREEN",
      detail: "The simulated live-price feed is live (12 contracts subscribed)",
    });
  });

  it("red when connected but an index is silent, naming it and since when", () => {
    const v = feedVerdict({ ...live, staleIndices: [{ key: "NSE_INDEX:NIFTY", since: istInstant(MON, "10:15:03") }] });
    expect(v.status).toBe("RED");
    expect(v.detail).toContain("NSE_INDEX:NIFTY since 10:15:03 IST");
  });

  it("red when not live in session, amber before the session (saying it is expected by the open)", () => {
    const down: FeedFacts = { ...live, status: { state: "reconnecting", reason: "no pong", subscribed: 0 } };
    expect(feedVerdict(down)).toMatchObject({
      status: "RED",
      detail: "The simulated live-price feed is reconnecting (no pong) while the market is open",
    });
    const early = feedVerdict({ ...down, inSession: false });
    expect(early.status).toBe("AMBER");
    expect(early.detail).toContain("before the session");
    expect(feedVerdict({ ...live, status: null }).detail).toContain("not running (no worker holds it)");
  });
});

describe("contracts", () => {
  const nifty = DEFAULT_INSTRUMENT_SETTINGS.NIFTY;
  // On Monday 7 Dec 2026 the current series runs to the monthly expiry of Tuesday 29 Dec.
  const weekly: ContractFacts = {
    symbol: "NIFTY08DEC2626000CE",
    exchange: "NFO",
    expiry: "2026-12-08",
    settings: nifty,
    broker: { lotSize: 65, freezeQty: 1800 },
  };
  const verdict = (cs: ContractFacts[]) => contractsVerdict(cs, MON, new Set(), HOST);

  it("green when the broker's sizes match the settings (a freeze of 1 counts as unknown)", () => {
    expect(verdict([weekly]).status).toBe("GREEN");
    expect(verdict([{ ...weekly, broker: { lotSize: 65, freezeQty: 1 } }]).status).toBe("GREEN");
    expect(verdict([]).detail).toContain("No armed strategy");
  });

  it("red on a lot-size mismatch with both numbers and the settings field to change", () => {
    const v = verdict([{ ...weekly, broker: { lotSize: 75, freezeQty: 1800 } }]);
    expect(v.status).toBe("RED");
    expect(v.detail).toBe("NIFTY08DEC2626000CE: lot size 75 at the broker, 65 in the settings");
    expect(v.fix).toBe("In Admin → Trading settings, set NIFTY's lot size to 75.");
  });

  it("compares a next-series contract with the next-month lot size", () => {
    const next: ContractFacts = {
      ...weekly,
      symbol: "NIFTY05JAN2726000CE",
      expiry: "2027-01-05",
      settings: { ...nifty, nextMonthLotSize: 75 },
      broker: { lotSize: 75, freezeQty: 1800 },
    };
    expect(verdict([next]).status).toBe("GREEN");
    expect(verdict([{ ...next, broker: { lotSize: 65, freezeQty: 1800 } }]).fix).toContain("next-month lot size to 65");
  });

  it("amber when a strategy's contracts could not be resolved today (not compared is not a match)", () => {
    const v = contractsVerdict([weekly], MON, new Set(), HOST, ["Condor: no quote for NIFTY"]);
    expect(v.status).toBe("AMBER");
    expect(v.detail).toContain("not resolved today: Condor: no quote for NIFTY");
    expect(contractsVerdict([], MON, new Set(), HOST, ["Condor: no expiry"]).status).toBe("AMBER");
  });

  it("red on a freeze mismatch, and on a contract the broker does not know (master contract not downloaded)", () => {
    expect(verdict([{ ...weekly, broker: { lotSize: 65, freezeQty: 1755 } }]).detail).toContain(
      "freeze quantity 1,755 at the broker, 1,800 in the settings",
    );
    const unknown = verdict([{ ...weekly, broker: null }]);
    expect(unknown.status).toBe("RED");
    expect(unknown.detail).toContain("unknown at the broker: NFO:NIFTY08DEC2626000CE");
    expect(unknown.fix).toContain("download today's master contract");
  });
});

describe("calendar", () => {
  const fromOpenAlgo: ExchangeSession = { ...defaultSession("NFO", MON), source: "OPENALGO" };

  it("green when today's session came from OpenAlgo or an admin", () => {
    expect(calendarVerdict([fromOpenAlgo])).toMatchObject({
      status: "GREEN",
      detail: "Session known: NFO 09:15–15:30 IST, from OpenAlgo",
    });
    expect(calendarVerdict([{ ...fromOpenAlgo, source: "ADMIN" }]).status).toBe("GREEN");
  });

  it("amber on the built-in defaults, green on a holiday with its name", () => {
    expect(calendarVerdict([defaultSession("NFO", MON)])).toMatchObject({
      status: "AMBER",
      detail: "Today's session was not read from OpenAlgo: NFO 09:15–15:30 IST, from the built-in defaults",
    });
    expect(calendarVerdict([defaultSession("NFO", "2026-12-25")])).toMatchObject({
      status: "GREEN",
      detail: "Market closed today (Christmas); NFO from the built-in defaults",
    });
  });
});

describe("clock", () => {
  it("green within 0.5 s, amber beyond, red beyond 2 s, either way round", () => {
    expect(clockVerdict({ lo: 100, hi: 200 }, HOST)).toMatchObject({ status: "GREEN", fix: null });
    expect(clockVerdict({ lo: 660, hi: 740 }, HOST)).toMatchObject({
      status: "AMBER",
      detail: "The broker's clock is 0.70 s ahead of this server's (± 40 ms)",
    });
    const behind = clockVerdict({ lo: -3_100, hi: -3_000 }, HOST);
    expect(behind.status).toBe("RED");
    expect(behind.detail).toContain("3.05 s behind");
    expect(behind.fix).toContain(HOST);
  });

  it("amber when the answers carried no readable Date header", () => {
    expect(clockVerdict(null, HOST).status).toBe("AMBER");
  });
});
