"use client";
// Equity (top pane) and drawdown (bottom pane) of a backtest, when its result carries the
// series; times shifted to KST so the axis reads market time.
import { AreaSeries, ColorType, createChart, LineSeries, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef } from "react";
import { fmtWon } from "@/lib/format";
import { useTheme } from "@/lib/theme";
import type { ResultSeries } from "./queries";

const KST_S = 9 * 3600;

/** Chart points of one column: seconds (KST wall clock as UTC) and values, NaN/null dropped,
 * one point per second (the chart needs strictly increasing times). */
export function seriesPoints(series: ResultSeries, column: number[] | undefined, scale = 1) {
  const points: { time: UTCTimestamp; value: number }[] = [];
  if (!column) return points;
  series.ts_ns.forEach((ns, i) => {
    const value = column[i];
    const time = (Math.floor(ns / 1e9) + KST_S) as UTCTimestamp;
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    if (points.length && points[points.length - 1].time >= time) points.pop();
    points.push({ time, value: value * scale });
  });
  return points;
}

export function EquityChart({ series }: { series: ResultSeries }) {
  const box = useRef<HTMLDivElement>(null);
  const dark = useTheme((s) => s.theme === "dark");
  useEffect(() => {
    if (!box.current) return;
    const chart = createChart(box.current, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: "transparent" },
        textColor: dark ? "#cbd5e1" : "#404040",
        panes: { separatorColor: dark ? "#334155" : "#e5e5e5" },
      },
      grid: { vertLines: { color: dark ? "#1e293b" : "#f0f0f0" }, horzLines: { color: dark ? "#1e293b" : "#f0f0f0" } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    chart.addSeries(LineSeries, { color: "#0ea5e9", lineWidth: 2, priceFormat: { type: "custom", minMove: 1, formatter: fmtWon } }).setData(seriesPoints(series, series.equity));
    if (series.drawdown) {
      chart
        .addSeries(AreaSeries, { lineColor: "#3b82f6", topColor: "rgba(59,130,246,0.05)", bottomColor: "rgba(59,130,246,0.4)", priceFormat: { type: "custom", minMove: 0.01, formatter: (p: number) => `${p.toFixed(1)}%` } }, 1)
        .setData(seriesPoints(series, series.drawdown.map((d) => -Math.abs(d)), 100));
    }
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [series, dark]);
  return <div ref={box} data-testid="equity-chart" className="h-72 w-full" />;
}
