// Bars and fills as lightweight-charts wants them. The chart's axis shows UTC, so times are
// shifted by +9 h to read as KST; a fill is marked on the bar it happened in.
import type { CandlestickData, HistogramData, SeriesMarker, UTCTimestamp } from "lightweight-charts";

export type Bar = { symbol: string; ts_ns: number; interval_s: number; open: number; high: number; low: number; close: number; volume: number };
export type FillLike = { fill_id: string; side: "buy" | "sell" | string; qty: number; price: number; ts_ns: number };

export const TIMEFRAMES = ["1m", "5m", "15m", "30m", "60m"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

export const UP = "#ef4444"; // red: up (Korean convention)
export const DOWN = "#3b82f6"; // blue: down
const KST_S = 9 * 3600;

/** Chart time (seconds, shifted to KST) of a UTC ns timestamp. */
export const chartTime = (ns: number) => (Math.floor(ns / 1e9) + KST_S) as UTCTimestamp;

export const toCandle = (b: Bar): CandlestickData<UTCTimestamp> => ({ time: chartTime(b.ts_ns), open: b.open, high: b.high, low: b.low, close: b.close });

export const toVolume = (b: Bar): HistogramData<UTCTimestamp> => ({
  time: chartTime(b.ts_ns),
  value: b.volume,
  color: b.close >= b.open ? "rgba(239,68,68,0.45)" : "rgba(59,130,246,0.45)",
});

/** Merge `incoming` into bars kept sorted by start: replace a bar of the same start, else insert. */
export function mergeBar(bars: Bar[], incoming: Bar): Bar[] {
  const last = bars[bars.length - 1];
  if (!last || incoming.ts_ns > last.ts_ns) return [...bars, incoming];
  if (incoming.ts_ns === last.ts_ns) return [...bars.slice(0, -1), incoming];
  const i = bars.findIndex((b) => b.ts_ns >= incoming.ts_ns);
  return bars[i].ts_ns === incoming.ts_ns ? bars.map((b, j) => (j === i ? incoming : b)) : [...bars.slice(0, i), incoming, ...bars.slice(i)];
}

/** Buy (red, below) and sell (blue, above) markers with the quantity, on the bar each fill fell in, sorted by time. */
export function fillMarkers(fills: readonly FillLike[], bars: readonly Bar[], labels: { buy: string; sell: string }): SeriesMarker<UTCTimestamp>[] {
  if (!bars.length) return [];
  const markers: SeriesMarker<UTCTimestamp>[] = [];
  for (const f of fills) {
    const bar = barOf(bars, f.ts_ns);
    if (!bar) continue;
    const buy = f.side === "buy";
    markers.push({
      time: chartTime(bar.ts_ns),
      position: buy ? "belowBar" : "aboveBar",
      shape: buy ? "arrowUp" : "arrowDown",
      color: buy ? UP : DOWN,
      text: `${buy ? labels.buy : labels.sell} ${f.qty}`,
    });
  }
  return markers.sort((a, b) => a.time - b.time);
}

/** The bar whose interval holds `ns` (bars sorted by start), or undefined. */
export function barOf(bars: readonly Bar[], ns: number): Bar | undefined {
  let lo = 0;
  let hi = bars.length - 1;
  let found: Bar | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid].ts_ns <= ns) {
      found = bars[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!found || ns >= found.ts_ns + found.interval_s * 1e9) return undefined;
  return found;
}
