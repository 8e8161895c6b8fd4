/**
 * The calendar routes through their route modules (docs/calendar.md "Admin overrides"): every signed-in user reads
 * the sessions; only admins override, remove and refresh, each audited; bad input is a 400 naming the field.
 */
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { jsonRequest, makeUser, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import type { CalendarView } from "@/lib/services/calendar";
import type { Jsonified } from "@/lib/util/jsonify";
import { GET } from "./route";
import { DELETE, PUT } from "./overrides/route";
import { POST as refresh } from "./refresh/route";

const INSTANCES = instanceConfigs(1, "calr");
const world = useIntegrationWorld(INSTANCES);
afterEach(() => world.sim.market.clearCalendar());

const MUHURAT = {
  date: "2026-11-08",
  exchange: "NSE",
  closed: false,
  opensAt: "18:00",
  closesAt: "19:15",
  description: "Muhurat trading",
};
const as = async (role: "ADMIN" | "TRADER" | "VIEWER") => sessionCookie(await makeUser(role));
const put = (cookie: string, body: unknown) =>
  PUT(jsonRequest("/api/calendar/overrides", { method: "PUT", body, cookie }));
const del = (cookie: string, query: string) =>
  DELETE(jsonRequest(`/api/calendar/overrides?${query}`, { method: "DELETE", cookie }));
const view = async (cookie: string, query = "from=2026-11-01&to=2026-11-30") => {
  const res = await GET(jsonRequest(`/api/calendar?${query}`, { cookie }));
  return { status: res.status, body: (await res.json()) as Jsonified<CalendarView> & { error?: { fields?: object } } };
};
const fieldsOf = async (res: Response) =>
  Object.keys(((await res.json()) as { error: { fields: object } }).error.fields);

describe("GET /api/calendar", () => {
  it("every signed-in user reads each exchange's sessions per day, with the source, overrides and expiry days", async () => {
    await linkAccounts(world.sim, await makeUser("TRADER"), INSTANCES);
    const admin = await as("ADMIN");
    expect((await put(admin, MUHURAT)).status).toBe(200);
    const { status, body } = await view(await as("VIEWER"));
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: "2026-11-01", to: "2026-11-30" });
    expect(body.days).toHaveLength(30);
    expect(body.exchanges).toEqual(["NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"]);
    const sunday = body.days.find((d) => d.date === "2026-11-08")!;
    expect(sunday.weekday).toBe(0);
    expect(sunday.sessions.NSE).toEqual({
      closed: false,
      opensAt: "2026-11-08T12:30:00.000Z",
      closesAt: "2026-11-08T13:45:00.000Z",
      window: "18:00–19:15",
      description: "Muhurat trading",
      source: "ADMIN",
      special: true,
    });
    expect(sunday.sessions.NFO).toMatchObject({ closed: true, source: "DEFAULT" });
    expect(body.days.find((d) => d.date === "2026-11-24")!.sessions.NFO).toMatchObject({
      closed: true,
      description: "Prakash Gurpurb Sri Guru Nanak Dev",
    });
    expect(body.overrides).toMatchObject([{ date: "2026-11-08", exchange: "NSE", window: "18:00–19:15" }]);
    // The simulator's NIFTY weeklies are Tuesdays; its expiry list reaches the page.
    const nifty = body.expiries.lists.find((l) => l.underlying === "NIFTY")!;
    expect(nifty.dates.length).toBeGreaterThan(0);
    const listed = body.days.filter((d) => d.expiries.includes("NIFTY")).map((d) => d.date);
    expect(listed).toEqual(nifty.dates.filter((d) => d >= "2026-11-01" && d <= "2026-11-30"));
  });

  it("answers 400 naming the field for a bad date or a range too long, 401 without a session", async () => {
    const viewer = await as("VIEWER");
    expect((await view(viewer, "from=2026-02-30")).body.error?.fields).toHaveProperty("from");
    expect((await view(viewer, "from=2026-01-01&to=2026-12-31")).body.error?.fields).toHaveProperty("to");
    expect((await view(viewer, "from=2026-12-31&to=2026-12-01")).body.error?.fields).toHaveProperty("to");
    expect((await GET(jsonRequest("/api/calendar"))).status).toBe(401);
  });
});

describe("overrides", () => {
  it("an admin sets and removes one, each audited; the second removal is a 404", async () => {
    const admin = await makeUser("ADMIN");
    const cookie = await sessionCookie(admin);
    expect(await (await put(cookie, MUHURAT)).json()).toEqual({ ok: true });
    const changed = { ...MUHURAT, closed: true, opensAt: null, closesAt: null, description: "Called off" };
    expect((await put(cookie, changed)).status).toBe(200);
    expect(await db().marketSession.findMany({ where: { source: "ADMIN" } })).toMatchObject([
      { tradingDate: "2026-11-08", exchange: "NSE", closed: true, description: "Called off", updatedById: admin.id },
    ]);
    expect((await del(cookie, "date=2026-11-08&exchange=NSE")).status).toBe(200);
    expect((await del(cookie, "date=2026-11-08&exchange=NSE")).status).toBe(404);
    const audit = await db().auditLog.findMany({ where: { entity: "market_session" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.entityId, a.actorId])).toEqual([
      ["calendar.override", "2026-11-08:NSE", admin.id],
      ["calendar.override", "2026-11-08:NSE", admin.id],
      ["calendar.override_removed", "2026-11-08:NSE", admin.id],
    ]);
  });

  it("refuses bad input naming the field, other roles, other origins and large bodies, changing nothing", async () => {
    const admin = await as("ADMIN");
    expect(await fieldsOf(await put(admin, { ...MUHURAT, closesAt: "17:00" }))).toEqual(["closesAt"]);
    expect(await fieldsOf(await put(admin, { ...MUHURAT, exchange: "NSE_INDEX" }))).toEqual(["exchange"]);
    expect(await fieldsOf(await put(admin, { ...MUHURAT, date: "08-11-2026" }))).toEqual(["date"]);
    expect(await fieldsOf(await put(admin, { ...MUHURAT, closed: true }))).toEqual(["opensAt", "closesAt"]);
    expect(await fieldsOf(await del(admin, "date=2026-11-08&exchange=XYZ"))).toEqual(["exchange"]);
    for (const role of ["TRADER", "VIEWER"] as const) {
      expect((await put(await as(role), MUHURAT)).status).toBe(403);
      expect((await del(await as(role), "date=2026-11-08&exchange=NSE")).status).toBe(403);
    }
    const foreign = jsonRequest("/api/calendar/overrides", {
      method: "PUT",
      body: MUHURAT,
      cookie: admin,
      origin: "https://evil.example",
    });
    expect((await PUT(foreign)).status).toBe(403);
    const big = { ...MUHURAT, description: "x".repeat(5_000) };
    expect((await put(admin, big)).status).toBe(413);
    expect(await db().marketSession.count()).toBe(0);
  });
});

describe("POST /api/calendar/refresh", () => {
  it("an admin refreshes from the linked accounts' OpenAlgo and hears how it went; others are refused", async () => {
    await linkAccounts(world.sim, await makeUser("TRADER"), INSTANCES);
    const admin = await as("ADMIN");
    const res = await refresh(jsonRequest("/api/calendar/refresh", { method: "POST", cookie: admin }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, accountName: "acct 001 calr1", error: null });
    expect(await db().marketSession.count({ where: { source: "OPENALGO" } })).toBeGreaterThan(50);
    expect(await db().auditLog.count({ where: { action: "calendar.refresh" } })).toBe(1);
    const trader = await as("TRADER");
    expect((await refresh(jsonRequest("/api/calendar/refresh", { method: "POST", cookie: trader }))).status).toBe(403);
  });
});
