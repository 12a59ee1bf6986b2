"use client";
// The account's equity as a line (lightweight-charts): the session's history from
// GET /pnl/history (one mark per 10 s of the venue clock, what the page missed while closed),
// then the account store's equityCurve, one point per live P&L update.
import { ColorType, createChart, LineSeries, type AutoscaleInfo, type IChartApi, type ISeriesApi } from "lightweight-charts";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { get } from "@/lib/api";
import { fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { useAccount } from "@/lib/stores/account";
import { useTheme } from "@/lib/theme";
import { curvePoints, withHistory, type EquityMark } from "./curve";
import { Card } from "./ui";

/** Keep the price scale at least 0.1% of equity tall, so a flat line gets readable labels. */
function readableRange(original: () => AutoscaleInfo | null): AutoscaleInfo | null {
  const info = original();
  if (!info?.priceRange) return info;
  const { minValue, maxValue } = info.priceRange;
  const half = Math.max((maxValue - minValue) / 2, Math.abs(maxValue) * 0.0005);
  const mid = (minValue + maxValue) / 2;
  return { ...info, priceRange: { minValue: mid - half, maxValue: mid + half } };
}

function colours(theme: "dark" | "light") {
  return theme === "dark"
    ? { text: "#94a3b8", grid: "#1e293b", line: "#38bdf8" }
    : { text: "#525252", grid: "#f1f5f9", line: "#0369a1" };
}

export function EquityChart() {
  const t = useT();
  const theme = useTheme((s) => s.theme);
  const live = useAccount((s) => s.equityCurve);
  const history = useQuery({ queryKey: ["pnl", "history"], queryFn: () => get<EquityMark[]>("/pnl/history"), staleTime: Infinity, retry: 1 });
  const curve = useMemo(() => withHistory(history.data ?? [], live), [history.data, live]);
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Line"> | null>(null);

  useEffect(() => {
    if (!box.current) return;
    const made = createChart(box.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, fontSize: 11 },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: true, fixLeftEdge: true, fixRightEdge: true },
      localization: { priceFormatter: (p: number) => fmtWon(Math.round(p)) },
      handleScroll: false,
      handleScale: false,
    });
    chart.current = made;
    series.current = made.addSeries(LineSeries, { lineWidth: 2, priceLineVisible: false, autoscaleInfoProvider: readableRange });
    return () => {
      made.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => {
    const c = colours(theme);
    chart.current?.applyOptions({
      layout: { textColor: c.text },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
    });
    series.current?.applyOptions({ color: c.line });
  }, [theme]);

  useEffect(() => {
    series.current?.setData(curvePoints(curve));
    chart.current?.timeScale().fitContent();
  }, [curve]);

  return (
    <Card title={t("overview.curve")} action={<span className="text-xs text-neutral-500">{t("overview.curveSession")}</span>} className="flex flex-col">
      <div className="relative h-56 w-full sm:h-72" data-testid="equity-chart" data-points={curve.length}>
        <div ref={box} className="absolute inset-0" />
        {curve.length === 0 && (
          <p className="absolute inset-0 flex items-center justify-center text-sm text-neutral-500">{t("overview.curveEmpty")}</p>
        )}
      </div>
    </Card>
  );
}
