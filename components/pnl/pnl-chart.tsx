"use client";

import { useEffect, useRef } from "react";
import type {
  BaselineData,
  IChartApi,
  ISeriesApi,
  Time,
  TickMarkType as TickMarkTypeEnum,
  UTCTimestamp,
  WhitespaceData,
} from "lightweight-charts";
import type { CurveJson } from "@/lib/services/pnl-history";

type Point = CurveJson["points"][number];

const istClock = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Asia/Kolkata",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const istClockWithSeconds = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Asia/Kolkata",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});
const istDay = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Kolkata", day: "2-digit", month: "short" });
const istClockSeconds = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Asia/Kolkata",
  day: "2-digit",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});
const rupees = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", maximumFractionDigits: 0 });
const rupeesPaise = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR", minimumFractionDigits: 2 });
/** Axis and crosshair prices: paise while small (a flat run reads ₹-0.60, not ₹-1), whole rupees beyond. */
const priceLabel = (v: number) => (Math.abs(v) < 1_000 ? rupeesPaise : rupees).format(v);

const secondsOf = (t: Time) => (typeof t === "number" ? t : 0);

/**
 * Chart points: one per second (the chart's resolution; the last of a second wins), a gap where the total was
 * unknown (a missing price is never drawn as a value).
 */
export function chartData(points: readonly Point[]): (BaselineData<Time> | WhitespaceData<Time>)[] {
  const bySecond = new Map<number, BaselineData<Time> | WhitespaceData<Time>>();
  for (const p of points) {
    const time = Math.floor(Date.parse(p.at) / 1000) as UTCTimestamp;
    bySecond.set(time, p.total === null ? { time } : { time, value: Number(p.total) });
  }
  return [...bySecond.values()].sort((a, b) => secondsOf(a.time) - secondsOf(b.time));
}

/**
 * A P&L curve drawn with TradingView's lightweight-charts (client-only, loaded on demand): green above zero, red
 * below, times in IST. The library reads timestamps as UTC; the formatters print them on the Asia/Kolkata clock.
 */
export function PnlChart({ points, height = 220 }: { points: readonly Point[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<{ chart: IChartApi; series: ISeriesApi<"Baseline"> } | null>(null);
  const latest = useRef(points);
  latest.current = points;

  useEffect(() => {
    let disposed = false;
    let made: IChartApi | null = null;
    void import("lightweight-charts").then(({ createChart, BaselineSeries, ColorType, TickMarkType }) => {
      if (disposed || !box.current) return;
      made = createChart(box.current, {
        height,
        autoSize: true,
        layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: "#64748b", fontSize: 11 },
        grid: { vertLines: { color: "rgba(148,163,184,0.15)" }, horzLines: { color: "rgba(148,163,184,0.15)" } },
        rightPriceScale: { borderVisible: false },
        timeScale: {
          borderVisible: false,
          timeVisible: true,
          secondsVisible: false,
          // Marks of a day or longer read as the IST date; whole minutes as HH:MM; anything finer as HH:MM:SS.
          tickMarkFormatter: (t: Time, type: TickMarkTypeEnum) => {
            const ms = secondsOf(t) * 1000;
            if (type !== TickMarkType.Time && type !== TickMarkType.TimeWithSeconds) return istDay.format(ms);
            return ms % 60_000 === 0 ? istClock.format(ms) : istClockWithSeconds.format(ms);
          },
        },
        localization: {
          timeFormatter: (t: Time) => `${istClockSeconds.format(secondsOf(t) * 1000)} IST`,
          priceFormatter: priceLabel,
        },
      });
      const series = made.addSeries(BaselineSeries, {
        baseValue: { type: "price", price: 0 },
        topLineColor: "#059669",
        topFillColor1: "rgba(16,185,129,0.25)",
        topFillColor2: "rgba(16,185,129,0.02)",
        bottomLineColor: "#e11d48",
        bottomFillColor1: "rgba(244,63,94,0.02)",
        bottomFillColor2: "rgba(244,63,94,0.25)",
        lineWidth: 2,
      });
      series.setData(chartData(latest.current));
      made.timeScale().fitContent();
      chart.current = { chart: made, series };
    });
    return () => {
      disposed = true;
      chart.current = null;
      made?.remove();
    };
  }, [height]);

  useEffect(() => {
    chart.current?.series.setData(chartData(points));
  }, [points]);

  return <div ref={box} style={{ height }} className="w-full min-w-0 overflow-hidden" data-testid="pnl-chart" />;
}
