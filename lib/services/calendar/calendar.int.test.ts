/**
 * The trading calendar against real Postgres, Redis and the simulator over HTTP (docs/calendar.md): the refresh from
 * the market-data accounts' OpenAlgo (idempotent, never touching admins' rows, failing over and alerting admins),
 * the precedence admin → OpenAlgo → defaults, and an override reaching another process through the version key.
 */
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { makeUser } from "@/lib/testing/fixtures";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { istInstant } from "@/lib/trading/calendar";
import {
  CALENDAR_ALERT,
  expiryHolidaySet,
  refreshCalendar,
  removeOverride,
  saveOverride,
  sessionOf,
  sessionOverrideSchema,
} from ".";
import { createCalendarReader, VERSION_CHECK_MS } from "./reader";

const INSTANCES = instanceConfigs(2, "cal");
const world = useIntegrationWorld(INSTANCES);
afterEach(() => world.sim.market.clearCalendar());

/** Thursday 2026-11-05, 08:00 IST: the refresh reads timings of the 5th to the 12th. */
const NOW = new Date(istInstant("2026-11-05", "08:00"));
const at = (date: string, time: string) => istInstant(date, time);
const override = (v: Record<string, unknown>) => sessionOverrideSchema.parse(v);

async function openAlgoRows() {
  const rows = await db().marketSession.findMany({
    where: { source: "OPENALGO" },
    orderBy: [{ tradingDate: "asc" }, { exchange: "asc" }],
  });
  return rows.map(({ updatedAt: _, ...r }) => r);
}

async function linked() {
  const admin = await makeUser("ADMIN");
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, INSTANCES);
  return { admin, trader, accounts };
}

describe("refresh from OpenAlgo", () => {
  it("stores holidays, special sessions and the coming days' timings; again changes nothing; admins' rows stay", async () => {
    const { admin } = await linked();
    world.sim.market.declareSpecialSession({
      date: "2026-11-08",
      description: "Muhurat trading",
      windows: (["NSE", "NFO"] as const).map((exchange) => ({ exchange, start: "18:00", end: "19:15" })),
    });
    await saveOverride(admin, override({ date: "2026-11-09", exchange: "NFO", closed: true, description: "Closed" }));

    const first = await refreshCalendar(NOW);
    expect(first).toMatchObject({ ok: true, accountName: "acct 001 cal1", error: null });
    const rows = await openAlgoRows();
    expect(first.rows).toBe(rows.length);
    // The coming days' windows: F&O closes with the cash market, not at OpenAlgo's 15:40.
    expect(rows.find((r) => r.tradingDate === "2026-11-05" && r.exchange === "NFO")).toMatchObject({
      closed: false,
      opensAt: new Date(at("2026-11-05", "09:15")),
      closesAt: new Date(at("2026-11-05", "15:30")),
    });
    // This year's and next year's holiday lists.
    expect(rows.find((r) => r.tradingDate === "2026-12-25" && r.exchange === "MCX")).toMatchObject({
      closed: true,
      description: "Christmas",
    });
    expect(rows.some((r) => r.tradingDate.startsWith("2027-"))).toBe(true);
    // A Sunday's CRYPTO-only timings leave the day to the defaults.
    expect(rows.some((r) => r.tradingDate === "2026-11-07")).toBe(false);

    expect(await sessionOf("NFO", "2026-11-08")).toEqual({
      exchange: "NFO",
      date: "2026-11-08",
      closed: false,
      opensAt: at("2026-11-08", "18:00"),
      closesAt: at("2026-11-08", "19:15"),
      description: "Muhurat trading",
      source: "OPENALGO",
      special: true,
    });
    expect(await sessionOf("NSE_INDEX", "2026-11-08")).toMatchObject({ closed: false, source: "OPENALGO" });
    expect(await sessionOf("BFO", "2026-11-08")).toMatchObject({ closed: true, source: "DEFAULT" });
    // OpenAlgo has NFO open on the 9th, the admin's override wins.
    expect(rows.find((r) => r.tradingDate === "2026-11-09" && r.exchange === "NFO")?.closed).toBe(false);
    expect(await sessionOf("NFO", "2026-11-09")).toMatchObject({
      closed: true,
      source: "ADMIN",
      description: "Closed",
    });

    const second = await refreshCalendar(NOW);
    expect(second.rows).toBe(first.rows);
    expect(await openAlgoRows()).toEqual(rows);
    expect(await db().marketSession.findMany({ where: { source: "ADMIN" } })).toMatchObject([
      { tradingDate: "2026-11-09", exchange: "NFO", closed: true, updatedById: admin.id },
    ]);

    // What the source stops reporting goes; removing the override gives the day back to OpenAlgo.
    world.sim.market.clearCalendar();
    await refreshCalendar(NOW);
    expect(await sessionOf("NFO", "2026-11-08")).toMatchObject({ closed: true, source: "DEFAULT" });
    await removeOverride(admin, { date: "2026-11-09", exchange: "NFO" });
    expect(await sessionOf("NFO", "2026-11-09")).toMatchObject({ closed: false, source: "OPENALGO" });
  });

  it("moves on to the next account when one cannot answer; with none, keeps the last rows and alerts every admin once", async () => {
    const { admin } = await linked();
    const second = await makeUser("ADMIN");
    world.sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 1 });
    const failover = await refreshCalendar(NOW);
    expect(failover).toMatchObject({ ok: true, accountName: "acct 002 cal2" });
    const kept = await openAlgoRows();
    expect(kept.length).toBeGreaterThan(50);

    world.sim.broker.setFaults(INSTANCES[1].id, { http500Rate: 1 });
    const failed = await refreshCalendar(NOW);
    expect(failed).toMatchObject({ ok: false, accountName: null, rows: 0 });
    expect(failed.error).toMatch(/^no account could answer \(acct 001 cal1: .*; acct 002 cal2: .*\)$/);
    expect(await openAlgoRows()).toEqual(kept);
    await refreshCalendar(NOW);
    const alerts = await db().alert.findMany({ where: { kind: CALENDAR_ALERT, resolvedAt: null } });
    expect(alerts.map((a) => a.ownerId).sort()).toEqual([admin.id, second.id].sort());
    expect(alerts[0]).toMatchObject({ severity: "WARNING", accountId: null });
    expect(alerts[0].message).toMatch(/^The trading calendar could not be refreshed from OpenAlgo: no account/);

    world.sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 0 });
    expect((await refreshCalendar(NOW)).ok).toBe(true);
    expect(await db().alert.count({ where: { kind: CALENDAR_ALERT, resolvedAt: null } })).toBe(0);
  });

  it("with no account at all the defaults stand, and admins are told why", async () => {
    const admin = await makeUser("ADMIN");
    expect(await refreshCalendar(NOW)).toMatchObject({ ok: false, error: "no active account to read it from" });
    expect(await db().alert.findMany({ where: { kind: CALENDAR_ALERT } })).toMatchObject([{ ownerId: admin.id }]);
    expect(await sessionOf("NFO", "2026-11-05")).toMatchObject({ closed: false, source: "DEFAULT" });
  });
});

describe("reading the calendar", () => {
  it("an override made in one process reaches another within a second, through the version key", async () => {
    const admin = await makeUser("ADMIN");
    let clock = 1_000_000;
    const other = createCalendarReader(() => clock);
    expect(await other.sessionOf("NSE", "2026-12-07")).toMatchObject({ closed: false, source: "DEFAULT" });

    await saveOverride(admin, override({ date: "2026-12-07", exchange: "NSE", closed: true, description: "Closed" }));
    // This process forgets its cache at once.
    expect(await sessionOf("NSE", "2026-12-07")).toMatchObject({ closed: true, source: "ADMIN" });
    // The other one still serves what it read until its next look at the version key…
    clock += VERSION_CHECK_MS - 1;
    expect((await other.sessionOf("NSE", "2026-12-07")).source).toBe("DEFAULT");
    // …which comes a second after the last.
    clock += 1;
    expect(await other.sessionOf("NSE", "2026-12-07")).toMatchObject({ closed: true, source: "ADMIN" });

    await removeOverride(admin, { date: "2026-12-07", exchange: "NSE" });
    clock += VERSION_CHECK_MS;
    expect((await other.sessionOf("NSE", "2026-12-07")).source).toBe("DEFAULT");
  });

  it("expiry holidays follow the calendar: a closed weekday and a holiday open only for Muhurat count, a reopened one does not", async () => {
    const admin = await makeUser("ADMIN");
    const before = await expiryHolidaySet("2026-12-01");
    expect([before.has("2026-12-25"), before.has("2026-12-29")]).toEqual([true, false]);
    await saveOverride(admin, override({ date: "2026-12-29", exchange: "NFO", closed: true, description: "Closed" }));
    await saveOverride(
      admin,
      override({
        date: "2026-12-25",
        exchange: "NFO",
        closed: false,
        opensAt: "09:15",
        closesAt: "15:30",
        description: "Open",
      }),
    );
    const after = await expiryHolidaySet("2026-12-01");
    expect([after.has("2026-12-25"), after.has("2026-12-29")]).toEqual([false, true]);
    // Another exchange's override is not NFO's.
    expect((await expiryHolidaySet("2026-12-01", "MCX")).has("2026-12-29")).toBe(false);
  });

  it("removing an override that does not exist is a 404, and audits nothing", async () => {
    const admin = await makeUser("ADMIN");
    await expect(removeOverride(admin, { date: "2026-12-07", exchange: "NSE" })).rejects.toMatchObject({ status: 404 });
    expect(await db().auditLog.count({ where: { action: { startsWith: "calendar." } } })).toBe(0);
  });
});
