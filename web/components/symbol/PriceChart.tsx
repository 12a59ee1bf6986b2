"use client";
// Candles and volume of the day at a chosen timeframe: GET /bars for the history, the
// `bars:<symbol>:<tf>` channel for the forming bar, and this account's fills as markers.
import { useQuery } from "@tanstack/react-query";
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
} from "lightweight-charts";
import { useEffect, useMemo, useRef, useState } from "react";
import { get } from "@/lib/api";
import { fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/symbol";
import { useAccount, type Fill } from "@/lib/stores/account";
import { useTheme } from "@/lib/theme";
import { realtime } from "@/lib/ws";
import { DOWN, fillMarkers, mergeBar, TIMEFRAMES, toCandle, toVolume, UP, type Bar, type Timeframe } from "./chartData";

type Series = {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
  markers: ISeriesMarkersPluginApi<Time>;
};

function themeOptions(dark: boolean) {
  const line = dark ? "#1e293b" : "#e5e7eb";
  return {
    layout: { background: { color: "transparent" }, textColor: dark ? "#cbd5e1" : "#374151", attributionLogo: false },
    grid: { vertLines: { color: line }, horzLines: { color: line } },
    rightPriceScale: { borderColor: line },
    timeScale: { borderColor: line },
  };
}

/** Show the whole day while it is short, else its last `SHOWN` bars. */
const SHOWN = 120;
function frame(chart: IChartApi, count: number): void {
  if (count <= SHOWN) chart.timeScale().fitContent();
  else chart.timeScale().setVisibleLogicalRange({ from: count - SHOWN, to: count + 2 });
}

/** The chart itself, made once per mount; theme changes restyle it. */
function useChart(box: React.RefObject<HTMLDivElement | null>): Series | null {
  const [series, setSeries] = useState<Series | null>(null);
  const dark = useTheme((s) => s.theme === "dark");
  useEffect(() => {
    if (!box.current) return;
    const chart = createChart(box.current, {
      autoSize: true,
      localization: { locale: "ko-KR", priceFormatter: (p: number) => fmtWon(p) },
      timeScale: { timeVisible: true, secondsVisible: false, maxBarSpacing: 24, rightOffset: 2 },
    });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderUpColor: UP,
      borderDownColor: DOWN,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.28 } });
    const volume = chart.addSeries(HistogramSeries, { priceScaleId: "volume", priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
    setSeries({ chart, candles, volume, markers: createSeriesMarkers(candles, []) });
    return () => {
      setSeries(null);
      chart.remove();
    };
  }, [box]);
  useEffect(() => series?.chart.applyOptions(themeOptions(dark)), [series, dark]);
  return series;
}

/** Today's bars of `code` at `tf`, kept current from the bar channel; drawn into `series`. */
function useBars(code: string, tf: Timeframe, series: Series | null): Bar[] {
  const history = useQuery({ queryKey: ["symbol", "bars", code, tf], queryFn: () => get<Bar[]>(`/bars/${code}?tf=${tf}`) });
  const [bars, setBars] = useState<Bar[]>([]);
  const live = useRef<Bar[]>([]);

  useEffect(() => {
    live.current = [];
    setBars([]);
    const client = realtime();
    const channel = `bars:${code}:${tf}`;
    const off = client.on(channel, (m) => {
      const bar = m.data as Bar;
      live.current.push(bar);
      setBars((held) => mergeBar(held, bar));
    });
    const release = client.subscribe([channel]);
    return () => {
      release();
      off();
    };
  }, [code, tf]);

  useEffect(() => {
    if (!history.data) return;
    setBars(live.current.reduce(mergeBar, history.data));
  }, [history.data]);

  const drawn = useRef<Bar[]>([]);
  useEffect(() => {
    if (!series) return;
    const before = drawn.current;
    const last = bars[bars.length - 1];
    const grew = before.length > 0 && bars.length >= before.length && bars.length - before.length <= 1 && bars[before.length - 1]?.ts_ns === before[before.length - 1].ts_ns;
    if (grew && last) {
      series.candles.update(toCandle(last));
      series.volume.update(toVolume(last));
    } else {
      series.candles.setData(bars.map(toCandle));
      series.volume.setData(bars.map(toVolume));
      frame(series.chart, bars.length);
    }
    drawn.current = bars;
  }, [bars, series]);
  return bars;
}

/** Fills of `code`: today's from GET /fills and those arriving live, once each. */
function useFills(code: string): Fill[] {
  const fetched = useQuery({ queryKey: ["symbol", "fills", code], queryFn: () => get<Fill[]>(`/fills?symbol=${code}&limit=1000`) });
  const liveFills = useAccount((s) => s.fills);
  return useMemo(() => {
    const seen = new Map<string, Fill>();
    for (const f of [...(fetched.data ?? []), ...liveFills]) if (f.symbol === code) seen.set(f.fill_id, f);
    return [...seen.values()];
  }, [fetched.data, liveFills, code]);
}

export function PriceChart({ code }: { code: string }) {
  const t = useT();
  const [tf, setTf] = useState<Timeframe>("1m");
  const box = useRef<HTMLDivElement>(null);
  const series = useChart(box);
  const bars = useBars(code, tf, series);
  const fills = useFills(code);
  const starts = bars.length ? `${bars[0].ts_ns}:${bars.length}` : "";
  const buy = t("symbol.chart.buy");
  const sell = t("symbol.chart.sell");

  useEffect(() => {
    series?.markers.setMarkers(fillMarkers(fills, bars, { buy, sell }));
    // markers move only when a bar starts or a fill arrives, not on every tick of the forming bar
  }, [series, fills, starts, buy, sell]);

  return (
    <section className="rounded border border-neutral-200 p-2 dark:border-slate-800">
      <div className="mb-2 flex items-center gap-1 text-sm">
        <h2 className="mr-auto font-semibold">{t("symbol.chart.title")}</h2>
        <span className="sr-only">{t("symbol.chart.timeframe")}</span>
        {TIMEFRAMES.map((f) => (
          <button
            key={f}
            type="button"
            data-testid={`tf-${f}`}
            aria-pressed={tf === f}
            onClick={() => setTf(f)}
            className={`rounded px-2 py-0.5 text-xs ${tf === f ? "bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900" : "border border-neutral-300 dark:border-slate-700"}`}
          >
            {f}
          </button>
        ))}
      </div>
      <div className="relative h-72 sm:h-96" data-testid="price-chart" data-bars={bars.length}>
        <div ref={box} className="absolute inset-0" />
        {bars.length === 0 && (
          <p className="absolute inset-0 flex items-center justify-center text-sm text-neutral-500">{t("symbol.chart.empty")}</p>
        )}
      </div>
    </section>
  );
}
