import { describe, expect, it } from "vitest";
import { mergeJobs } from "@/components/monitoring/JobQueue";
import { detailPairs } from "@/components/monitoring/ServiceHealth";
import { bucketOf, feedClockNs, groupStaleness, percentile, rates, summarize } from "@/components/monitoring/stats";
import { fmtAge } from "@/components/monitoring/useNow";
import { readBudget } from "@/lib/stores/rateLimit";

const S = 1e9; // ns per second

describe("latency percentiles", () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted

  it("uses the nearest rank", () => {
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 95)).toBe(95);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([3, 1, 2], 0)).toBe(1);
  });

  it("has no percentile without samples", () => {
    expect(percentile([], 50)).toBeNull();
    expect(summarize([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });

  it("summarizes p50, p95, p99 and max at once, leaving the samples unsorted", () => {
    expect(summarize(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(samples[0]).toBe(100);
  });
});

describe("feed staleness", () => {
  const now = 1_000 * S;
  const quotes = [
    { symbol: "005930", name: "삼성전자", ts_ns: now },
    { symbol: "000660", name: "SK하이닉스", ts_ns: now - 10 * S },
    { symbol: "035720", name: "카카오", ts_ns: now - 400 * S },
    { symbol: "247540", name: "에코프로비엠", ts_ns: now - 2 * S },
    { symbol: "091990", name: "셀트리온헬스", ts_ns: now - 60 * S },
    { symbol: "999999", name: "?", ts_ns: now - 1 * S },
  ];
  const market: Record<string, string> = { "005930": "KOSPI", "000660": "KOSPI", "035720": "KOSPI", "247540": "KOSDAQ", "091990": "KOSDAQ" };

  it("puts ages into buckets at 5 s, 30 s and 5 min", () => {
    expect([0, 4_999, 5_000, 29_999, 30_000, 299_999, 300_000, 9e9].map(bucketOf)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it("counts symbols per market and bucket and names the stalest", () => {
    const groups = groupStaleness(quotes, (s) => market[s], now, "other");
    expect(groups.map((g) => g.group)).toEqual(["KOSDAQ", "KOSPI", "other"]);
    const [kosdaq, kospi, other] = groups;
    expect(kospi).toMatchObject({ symbols: 3, buckets: [1, 1, 0, 1], worst: { symbol: "035720", ageMs: 400_000 } });
    expect(kosdaq).toMatchObject({ symbols: 2, buckets: [1, 0, 1, 0], worst: { symbol: "091990", ageMs: 60_000 } });
    expect(other).toMatchObject({ symbols: 1, buckets: [1, 0, 0, 0] });
  });

  it("measures against the feed's newest quote, and never below zero", () => {
    expect(feedClockNs(quotes)).toBe(now);
    expect(feedClockNs([])).toBe(0);
    const [only] = groupStaleness([{ symbol: "A", name: "", ts_ns: now + S }], () => "g", now);
    expect(only.worst?.ageMs).toBe(0);
  });

  it("has no groups without quotes", () => {
    expect(groupStaleness([], () => "g", now)).toEqual([]);
  });
});

describe("counters and small readings", () => {
  it("turns two counter readings into per-second rates", () => {
    expect(rates({ sent: 100, clients: 3, epoch: "a" }, { sent: 300, clients: 2, epoch: "a" }, 2)).toEqual({ sent: 100 });
    expect(rates(null, { sent: 1 }, 1)).toEqual({});
  });

  it("reads the RateLimit headers, or nothing when limiting is off", () => {
    const h = new Headers({ "RateLimit-Limit": "100", "RateLimit-Remaining": "97", "RateLimit-Reset": "2" });
    expect(readBudget(h)).toEqual({ limit: 100, remaining: 97, resetS: 2 });
    expect(readBudget(new Headers())).toBeNull();
  });

  it("shows scalar service details and times of *_ns fields", () => {
    const pairs = Object.fromEntries(detailPairs({ orders: 1234, ok: true, list: [1], url: "http://x", clock_ns: Date.UTC(2026, 0, 1, 0, 5, 7) * 1e6 }));
    expect(pairs).toEqual({ orders: "1,234", ok: "true", url: "http://x", clock_ns: "09:05:07" });
  });

  it("formats ages for people", () => {
    expect([12, 1_500, 90_000, 7_200_000].map(fmtAge)).toEqual(["12 ms", "1.5 s", "1.5 min", "2.0 h"]);
  });

  it("lays live job updates over the listed jobs", () => {
    const listed = [{ job_id: "j1", kind: "backtest", status: "queued", progress: 0, message: "", error: null, owner: "a", created_ns: 1, started_ns: null, finished_ns: null }];
    const live = {
      j1: { job_id: "j1", kind: "backtest", status: "running", progress: 0.5, message: "bar 10", error: null },
      j2: { job_id: "j2", kind: "sweep", status: "queued", progress: 0, message: "", error: null },
    };
    const rows = mergeJobs(listed, live);
    expect(rows.map((r) => [r.job_id, r.status, r.owner])).toEqual([["j2", "queued", undefined], ["j1", "running", "a"]]);
  });
});
