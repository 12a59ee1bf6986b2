// Pure numbers behind the monitoring page: latency percentiles and feed staleness by group.
import type { Quote } from "@/lib/stores/quotes";

/** Nearest rank: the smallest sample with at least p% of the samples at or below it. */
const nearestRank = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length, Math.max(Math.ceil((p / 100) * sorted.length), 1)) - 1];

/** The p-th percentile (0–100) of `samples`; null when there are none. */
export function percentile(samples: readonly number[], p: number): number | null {
  return samples.length ? nearestRank([...samples].sort((a, b) => a - b), p) : null;
}

export type LatencySummary = { count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null };

/** p50, p95, p99 and the maximum of `samples` (ms), sorting them once. */
export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** Upper bounds (ms of feed time) of the staleness buckets; the last bucket is open-ended. */
export const BUCKETS_MS = [5_000, 30_000, 300_000] as const;

export type StalenessGroup = {
  group: string;
  symbols: number;
  buckets: number[]; // counts per bucket: < 5 s, < 30 s, < 5 min, older
  worst: { symbol: string; name: string; ageMs: number } | null;
};

export function bucketOf(ageMs: number): number {
  const i = BUCKETS_MS.findIndex((bound) => ageMs < bound);
  return i === -1 ? BUCKETS_MS.length : i;
}

/**
 * Each symbol's age (`refNs` − its last quote's ts_ns, in ms), counted per group (the
 * `groupOf` of the symbol, e.g. its market) and per bucket, with the stalest symbol of each
 * group. Groups come back sorted by name; symbols without a group go to `other`.
 */
export function groupStaleness(
  quotes: Iterable<Pick<Quote, "symbol" | "name" | "ts_ns">>,
  groupOf: (symbol: string) => string | undefined,
  refNs: number,
  other = "other",
): StalenessGroup[] {
  const groups = new Map<string, StalenessGroup>();
  for (const q of quotes) {
    const name = groupOf(q.symbol) ?? other;
    const g = groups.get(name) ?? { group: name, symbols: 0, buckets: BUCKETS_MS.map(() => 0).concat(0), worst: null };
    const ageMs = Math.max(0, (refNs - q.ts_ns) / 1e6);
    g.symbols += 1;
    g.buckets[bucketOf(ageMs)] += 1;
    if (!g.worst || ageMs > g.worst.ageMs) g.worst = { symbol: q.symbol, name: q.name, ageMs };
    groups.set(name, g);
  }
  return [...groups.values()].sort((a, b) => a.group.localeCompare(b.group));
}

/** The feed's own clock: the newest quote time seen (immune to browser clock skew and to a
 * simulated market's speed); 0 when there is no quote. */
export function feedClockNs(quotes: Iterable<Pick<Quote, "ts_ns">>): number {
  let newest = 0;
  for (const q of quotes) if (q.ts_ns > newest) newest = q.ts_ns;
  return newest;
}

/** Per-second rates of counters between two samples taken `seconds` apart. */
export function rates(before: Record<string, unknown> | null, after: Record<string, unknown>, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (!before || seconds <= 0) return out;
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (typeof value === "number" && typeof old === "number" && value >= old) out[key] = (value - old) / seconds;
  }
  return out;
}
