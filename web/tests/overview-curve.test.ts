import { describe, expect, it } from "vitest";
import { curvePoints, withHistory } from "@/components/overview/curve";

const S = 1e9;

describe("the overview's equity curve", () => {
  it("starts with the session's stored marks and goes on with the live points", () => {
    const history = [
      { ts_ns: 10 * S, equity: 100, daily_pnl: 0 },
      { ts_ns: 20 * S, equity: 110, daily_pnl: 10 },
      { ts_ns: 30 * S, equity: 999, daily_pnl: 0 }, // the live feed already covers this
    ];
    const live = [
      { t: 25_000, equity: 120 },
      { t: 31_000, equity: 130 },
    ];
    expect(withHistory(history, live).map((p) => p.equity)).toEqual([100, 110, 120, 130]);
    expect(withHistory(history, []).map((p) => p.equity)).toEqual([100, 110, 999]);
    expect(withHistory([], live)).toBe(live);
  });

  it("gives the chart strictly increasing seconds in KST", () => {
    const points = curvePoints(withHistory([{ ts_ns: 1 * S, equity: 1, daily_pnl: 0 }], [{ t: 1_500, equity: 2 }, { t: 3_000, equity: 3 }]));
    expect(points.map((p) => p.value)).toEqual([2, 3]); // the same second: the newest value wins
    expect(points[0].time).toBe(1 + 9 * 3600);
  });
});
