/**
 * The OpenAlgo adapter's market calendar (`holidays`, `timings`) against the simulator over real HTTP: holiday rows with
 * the exchanges still open (MCX evenings), a weekend's CRYPTO-only timings, and a holiday and a Muhurat session declared
 * through the simulator's control API (docs/calendar.md "Sources").
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { createAdapter } from "@/lib/brokers/registry";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { BrokerAuthError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { ALPHA, control, startTestSimulator } from "@/lib/testing/simulator-server-kit";
import { istInstant } from "@/lib/trading/calendar";

let sim: RunningSimulator;
let adapter: BrokerAdapter;
const gate = new RateGovernor({ keyPrefix: `md:test-calendar:${randomUUID()}` });
const at = (date: string, time: string) => istInstant(date, time);

beforeAll(async () => {
  sim = await startTestSimulator();
  adapter = createAdapter(
    "openalgo",
    { accountId: "calendar", hostUrl: `${sim.httpUrl}/i/${ALPHA.id}`, apiKey: ALPHA.apiKey },
    { gate },
  );
});
afterEach(() => control(sim.httpUrl, "POST", "/market/calendar/clear", {}));
afterAll(async () => {
  await adapter.close();
  await sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("OpenAlgo market calendar", () => {
  it("holidays: every date of the year asked, closed exchanges, and MCX's evening window on an equity holiday", async () => {
    const list = await adapter.holidays!(2026);
    expect(list.length).toBeGreaterThan(10);
    expect(list.every((h) => h.date.startsWith("2026-"))).toBe(true);
    expect(list.find((h) => h.date === "2026-01-26")).toEqual({
      date: "2026-01-26",
      description: "Republic Day",
      kind: "TRADING_HOLIDAY",
      closedExchanges: ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"],
      openExchanges: [],
    });
    const equityOnly = list.find((h) => h.date === "2026-11-24")!;
    expect(equityOnly.closedExchanges).not.toContain("MCX");
    expect(equityOnly.openExchanges).toEqual([
      { exchange: "MCX", start: at("2026-11-24", "17:00"), end: at("2026-11-24", "23:55") },
    ]);
  });

  it("timings: a trading day's windows per exchange; a Sunday lists CRYPTO alone", async () => {
    const monday = await adapter.timings!("2026-11-23");
    expect(monday.find((t) => t.exchange === "NSE")).toEqual({
      exchange: "NSE",
      start: at("2026-11-23", "09:15"),
      end: at("2026-11-23", "15:30"),
    });
    expect(monday.find((t) => t.exchange === "NFO")?.end).toBe(at("2026-11-23", "15:40"));
    expect((await adapter.timings!("2026-11-22")).map((t) => t.exchange)).toEqual(["CRYPTO"]);
  });

  it("a declared Muhurat session is a SPECIAL_SESSION holiday row with its windows, and that day's timings", async () => {
    const declared = await control(sim.httpUrl, "POST", "/market/special-session", {
      date: "2026-11-08",
      description: "Diwali Laxmi Pujan (Muhurat trading)",
      start: "18:00",
      end: "19:15",
    });
    expect(declared.status).toBe(200);
    const row = (await adapter.holidays!(2026)).find((h) => h.date === "2026-11-08")!;
    const window = { start: at("2026-11-08", "18:00"), end: at("2026-11-08", "19:15") };
    expect(row).toEqual({
      date: "2026-11-08",
      description: "Diwali Laxmi Pujan (Muhurat trading)",
      kind: "SPECIAL_SESSION",
      closedExchanges: [],
      openExchanges: ["NSE", "BSE", "NFO", "BFO"].map((exchange) => ({ exchange, ...window })),
    });
    expect((await adapter.timings!("2026-11-08")).filter((t) => t.exchange !== "CRYPTO")).toHaveLength(4);
  });

  it("a declared holiday closes a trading day; the control refuses a bad window, naming the field", async () => {
    await control(sim.httpUrl, "POST", "/market/holiday", { date: "2026-12-08", description: "Declared closure" });
    const row = (await adapter.holidays!(2026)).find((h) => h.date === "2026-12-08")!;
    expect(row).toMatchObject({ kind: "TRADING_HOLIDAY", closedExchanges: ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD"] });
    expect((await adapter.timings!("2026-12-08")).map((t) => t.exchange)).toEqual(["MCX", "CRYPTO"]);
    const bad = await control(sim.httpUrl, "POST", "/market/special-session", {
      date: "2026-12-13",
      description: "x",
      start: "19:00",
      end: "18:00",
    });
    expect(bad).toMatchObject({ status: 400, json: { error: "invalid end" } });
  });

  it("a wrong key is a typed auth error", async () => {
    const wrong = createAdapter(
      "openalgo",
      { accountId: "calendar-bad", hostUrl: `${sim.httpUrl}/i/${ALPHA.id}`, apiKey: "not-the-key" },
      { gate },
    );
    try {
      await expect(wrong.holidays!(2026)).rejects.toBeInstanceOf(BrokerAuthError);
    } finally {
      await wrong.close();
    }
  });
});
