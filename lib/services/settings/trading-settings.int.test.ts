import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis } from "@/lib/redis";
import { jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { GET as readRoute } from "@/app/api/settings/trading/route";
import { PUT as instrumentRoute } from "@/app/api/settings/instruments/[underlying]/route";
import { DELETE as deleteGradeRoute, PUT as gradeRoute } from "@/app/api/settings/grades/[id]/route";
import { PUT as marginsRoute } from "@/app/api/settings/margins/[underlying]/route";
import { POST as createStrategyRoute } from "@/app/api/strategies/route";
import { tradingSettings } from "@/lib/services/settings";
import { readTradingSettings } from "@/lib/db/queries/trading-settings";

beforeEach(async () => {
  await resetState();
  await db().$executeRawUnsafe(`TRUNCATE instrument_settings, quality_grades, underlying_margins`);
});
afterAll(async () => {
  await disconnectRedis();
  await disconnectDb();
});

describe("trading settings", () => {
  it("are read in plain SQL exactly as Prisma's model reads return the rows", async () => {
    await tradingSettings();
    await db().qualityGrade.update({ where: { id: "B" }, data: { marginPercent: "65.25", marginSource: "CASH" } });
    const rows = await readTradingSettings();
    expect(rows.instruments.length).toBeGreaterThan(1);
    expect(rows).toEqual({
      instruments: await db().instrumentSetting.findMany({ orderBy: { underlying: "asc" } }),
      grades: await db().qualityGrade.findMany({ orderBy: { id: "asc" } }),
      margins: await db().underlyingMargin.findMany({ orderBy: { underlying: "asc" } }),
    });
  });

  it("seed from the documented defaults on first read, then the database is the source", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const body = await (await readRoute(jsonRequest("/x", { cookie }))).json();
    const nifty = body.instruments.find((i: { underlying: string }) => i.underlying === "NIFTY");
    expect(nifty).toMatchObject({
      exchange: "NFO",
      indexExchange: "NSE_INDEX",
      strikeStep: 50,
      lotSize: 65,
      freezeQty: 1800,
      expiry: { weekly: true, weekday: 2 },
    });
    expect(body.grades.map((g: { id: string; percent: string }) => [g.id, g.percent])).toEqual(
      expect.arrayContaining([
        ["A", "95"],
        ["B", "65"],
        ["C", "36"],
      ]),
    );
    expect(body.margins.find((m: { underlying: string }) => m.underlying === "SENSEX")).toMatchObject({
      pairSellOtherDays: "290000",
      futures: "185000",
    });
  });

  it("admins edit; the next plan uses the edit; traders get 403 and bad values 400 naming the field", async () => {
    const admin = await sessionCookie(await makeUser("ADMIN"));
    const trader = await sessionCookie(await makeUser("TRADER"));
    await tradingSettings();
    const nifty = {
      underlying: "NIFTY",
      exchange: "NFO",
      indexExchange: "NSE_INDEX",
      strikeStep: 50,
      lotSize: 65,
      nextMonthLotSize: 75,
      freezeQty: 1800,
      tickSize: 0.05,
      expiry: { weekly: true, weekday: 2 },
    };
    expect(
      (
        await instrumentRoute(
          jsonRequest("/x", { method: "PUT", body: nifty, cookie: trader }),
          paramsOf({ underlying: "NIFTY" }),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await instrumentRoute(
          jsonRequest("/x", { method: "PUT", body: nifty, cookie: admin }),
          paramsOf({ underlying: "NIFTY" }),
        )
      ).status,
    ).toBe(200);
    expect((await tradingSettings()).instruments.NIFTY).toMatchObject({ nextMonthLotSize: 75, freezeQty: 1800 });

    const bad = await instrumentRoute(
      jsonRequest("/x", { method: "PUT", body: { ...nifty, freezeQty: 10 }, cookie: admin }),
      paramsOf({ underlying: "NIFTY" }),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields)).toEqual(["freezeQty"]);

    expect(
      (
        await gradeRoute(
          jsonRequest("/x", {
            method: "PUT",
            body: { label: "Scalp", percent: "20", source: "available" },
            cookie: admin,
          }),
          paramsOf({ id: "SCALP" }),
        )
      ).status,
    ).toBe(200);
    const overflow = await gradeRoute(
      jsonRequest("/x", {
        method: "PUT",
        body: { label: "Too much", percent: "120", source: "available" },
        cookie: admin,
      }),
      paramsOf({ id: "X" }),
    );
    expect(Object.keys((await overflow.json()).error.fields)).toEqual(["percent"]);
    expect((await tradingSettings()).marginModel.grades.SCALP.percent.toString()).toBe("20");

    const margins = {
      singleSellExpiryDay: "200000",
      singleSellOtherDays: "240000",
      pairSellExpiryDay: "245000",
      pairSellOtherDays: "310000",
      futures: "210000",
      optionBuyPremiumPerLot: "25000",
    };
    expect(
      (
        await marginsRoute(
          jsonRequest("/x", { method: "PUT", body: margins, cookie: admin }),
          paramsOf({ underlying: "NIFTY" }),
        )
      ).status,
    ).toBe(200);
    expect((await tradingSettings()).marginModel.margins.NIFTY.pairSellOtherDays.toString()).toBe("310000");
    expect(await db().auditLog.count({ where: { action: { startsWith: "settings." } } })).toBe(3);
  });

  it("a grade in use by a strategy cannot be deleted", async () => {
    const adminUser = await makeUser("ADMIN");
    const admin = await sessionCookie(adminUser);
    await tradingSettings();
    const definition = {
      product: "MIS",
      sizing: { kind: "grade", gradeId: "C" },
      marketCondition: "auto",
      legs: [
        {
          underlying: "NIFTY",
          instrument: "futures",
          expiry: "current_month",
          action: "BUY",
          lots: 1,
          orderType: { kind: "MARKET" },
        },
      ],
    };
    expect(
      (
        await createStrategyRoute(
          jsonRequest("/api/strategies", { body: { name: "Uses C", definition }, cookie: admin }),
        )
      ).status,
    ).toBe(201);
    const refused = await deleteGradeRoute(
      jsonRequest("/x", { method: "DELETE", cookie: admin }),
      paramsOf({ id: "C" }),
    );
    expect(refused.status).toBe(409);
    expect(
      (await deleteGradeRoute(jsonRequest("/x", { method: "DELETE", cookie: admin }), paramsOf({ id: "BUYER" })))
        .status,
    ).toBe(200);
    expect(
      (await deleteGradeRoute(jsonRequest("/x", { method: "DELETE", cookie: admin }), paramsOf({ id: "BUYER" })))
        .status,
    ).toBe(404);
  });
});
