import { describe, expect, it } from "vitest";
import { latest } from "@/components/strategies/BacktestJob";
import { backtestRequest, backtestSchema, DEFAULT_FORM, parseCodes } from "@/components/strategies/backtestForm";
import { seriesPoints } from "@/components/strategies/EquityChart";
import { formatMetric } from "@/components/strategies/metrics";

const issues = (values: unknown) => {
  const result = backtestSchema.safeParse(values);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("the backtest launch form", () => {
  it("asks for a small synthetic market as docs/jobs.md spells it", () => {
    const form = backtestSchema.parse({ ...DEFAULT_FORM, start: "2025-11-03", params: { fast: 8 } });
    expect(backtestRequest(form, "strategy ...")).toEqual({
      strategy: "strategy ...",
      cash: 100_000_000,
      params: { fast: 8 },
      data: { source: "synth", symbols: 5, days: 5, seed: 1, start: "2025-11-03" },
    });
  });

  it("runs on the store between dates, on the codes given", () => {
    const form = backtestSchema.parse({ ...DEFAULT_FORM, source: "store", start: "2025-11-03", end: "2025-11-28", codes: "a005930, 0037t0 000660" });
    expect(backtestRequest(form, "s")).toMatchObject({ data: "store", start: "2025-11-03", end: "2025-11-28", symbols: ["005930", "0037T0", "000660"] });
    expect(parseCodes("")).toEqual([]);
  });

  it("refuses what the job would refuse", () => {
    expect(issues({ ...DEFAULT_FORM, symbols: 51, days: 61 })).toEqual({ symbols: "bt.err.symbols", days: "bt.err.days" });
    expect(issues({ ...DEFAULT_FORM, cash: 0 })).toEqual({ cash: "bt.err.cash" });
    expect(issues({ ...DEFAULT_FORM, codes: "5930" })).toEqual({ codes: "bt.err.codes" });
    expect(issues({ ...DEFAULT_FORM, source: "store", start: "2025-12-01", end: "2025-11-01" })).toEqual({ end: "bt.err.order" });
    expect(issues({ ...DEFAULT_FORM, params: { fast: NaN } })).toEqual({ "params.fast": "bt.err.number" });
  });
});

describe("following a job", () => {
  const at = (status: string, progress: number) => ({ status, progress, message: "", error: null });
  it("shows whichever of the live and the polled view is further along", () => {
    expect(latest(at("running", 0.2), at("running", 0.8))?.progress).toBe(0.8);
    expect(latest(at("running", 0.9), at("running", 0.2))?.progress).toBe(0.9);
    expect(latest(at("running", 0.9), at("succeeded", 1))?.status).toBe("succeeded");
    expect(latest(at("failed", 0.2), at("running", 0.5))?.status).toBe("failed");
    expect(latest(undefined, at("queued", 0))?.status).toBe("queued");
  });
});

describe("reading results", () => {
  it("formats fractions as percentages and leaves undefined statistics blank", () => {
    expect(formatMetric(-0.0127, "return")).toBe("-1.27%");
    expect(formatMetric(0.031, "return")).toBe("+3.10%");
    expect(formatMetric(0.1776, "pct")).toBe("17.76%");
    expect(formatMetric(98_729_446, "won")).toBe("98,729,446");
    expect(formatMetric(3421.8, "duration")).toBe("57m");
    expect(formatMetric(null, "ratio")).toBe("—");
  });

  it("turns result series into chart points in KST, skipping undefined values", () => {
    const ts = [1_762_128_000_000_000_000, 1_762_128_060_000_000_000, 1_762_128_120_000_000_000];
    const points = seriesPoints({ ts_ns: ts, equity: [100, NaN, 102] }, [100, NaN, 102]);
    expect(points).toEqual([
      { time: 1_762_128_000 + 9 * 3600, value: 100 },
      { time: 1_762_128_120 + 9 * 3600, value: 102 },
    ]);
  });
});
