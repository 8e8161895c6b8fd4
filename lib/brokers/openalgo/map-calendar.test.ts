import { describe, expect, it } from "vitest";
import { BrokerUnavailableError } from "@/lib/errors";
import { mapHolidays, mapTimings } from "./map-calendar";

describe("market calendar answers", () => {
  it("reads a day's timings, a weekend's CRYPTO row included (as a real instance answers)", () => {
    const body = {
      data: [{ end_time: 1795372199000, exchange: "CRYPTO", start_time: 1795285800000 }],
      status: "success",
    };
    expect(mapTimings(body)).toEqual([{ exchange: "CRYPTO", start: 1795285800000, end: 1795372199000 }]);
    expect(mapTimings({ status: "success", data: [] })).toEqual([]);
  });

  it("reads holidays with their open exchanges and kind; numeric strings and missing fields are tolerated", () => {
    const body = {
      data: [
        {
          closed_exchanges: ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD"],
          date: "2026-01-15",
          description: "Municipal Corporation Election - Maharashtra",
          holiday_type: "TRADING_HOLIDAY",
          open_exchanges: [{ end_time: "1768501500000", exchange: "mcx", start_time: 1768476600000 }],
        },
        { date: "2026-11-08", description: "Muhurat", holiday_type: "SPECIAL_SESSION", open_exchanges: [] },
        { date: "2026-08-27", description: null, holiday_type: null, closed_exchanges: null, open_exchanges: null },
      ],
      status: "success",
      timezone: "Asia/Kolkata",
      year: 2026,
    };
    expect(mapHolidays(body)).toEqual([
      {
        date: "2026-01-15",
        description: "Municipal Corporation Election - Maharashtra",
        kind: "TRADING_HOLIDAY",
        closedExchanges: ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD"],
        openExchanges: [{ exchange: "MCX", start: 1768476600000, end: 1768501500000 }],
      },
      { date: "2026-11-08", description: "Muhurat", kind: "SPECIAL_SESSION", closedExchanges: [], openExchanges: [] },
      { date: "2026-08-27", description: "Holiday", kind: "TRADING_HOLIDAY", closedExchanges: [], openExchanges: [] },
    ]);
  });

  it("refuses an answer it cannot read, naming where", () => {
    const bad = { status: "success", data: [{ date: "26-01-2026", description: "x" }] };
    expect(() => mapHolidays(bad)).toThrow(BrokerUnavailableError);
    expect(() => mapHolidays(bad)).toThrow(/market\/holidays: data\.0\.date/);
    expect(() => mapTimings({ status: "success", data: [{ exchange: "NSE", start_time: 1.5, end_time: 2 }] })).toThrow(
      /market\/timings: data\.0\.start_time/,
    );
  });
});
