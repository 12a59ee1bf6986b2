// The equity curve as lightweight-charts wants it: one point per second (the newest value of
// that second), times shifted to KST because the chart draws UTC.
import type { UTCTimestamp } from "lightweight-charts";

const KST_OFFSET_S = 9 * 3600;

export function curvePoints(curve: { t: number; equity: number }[]): { time: UTCTimestamp; value: number }[] {
  const out: { time: UTCTimestamp; value: number }[] = [];
  for (const { t, equity } of curve) {
    const time = (Math.floor(t / 1000) + KST_OFFSET_S) as UTCTimestamp;
    const last = out[out.length - 1];
    if (last && last.time === time) last.value = equity;
    else if (!last || last.time < time) out.push({ time, value: equity });
  }
  return out;
}

export type EquityMark = { ts_ns: number; equity: number; daily_pnl: number };

/** The session's stored marks up to the first live point, then the live points: one curve. */
export function withHistory(history: EquityMark[], live: { t: number; equity: number }[]): { t: number; equity: number }[] {
  const first = live.length ? live[0].t : Infinity;
  const before = history.map((m) => ({ t: m.ts_ns / 1e6, equity: m.equity })).filter((p) => p.t < first);
  return before.length ? [...before, ...live] : live;
}
