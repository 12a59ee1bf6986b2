// The strategy, trading and job routes the strategies page reads (docs/api.md), as typed
// TanStack queries; writes are plain calls followed by an invalidation of what they change.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { get, post } from "@/lib/api";
import type { Problem } from "./editorModel";

export type Validation = { valid: boolean; name: string | null; errors: Problem[]; params: Record<string, number> };

export type StrategySummary = {
  name: string;
  latest_version: number;
  language: "jts" | "python";
  author: string;
  updated_ns: number;
  running: string | null;
};

export type StrategyDocument = {
  name: string;
  version: number;
  language: "jts" | "python";
  source: string;
  author: string;
  created_ns: number;
};

export type RunningStrategy = { name: string; state: string; symbols: number; orders: number };

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export type JobInfo = {
  job_id: string;
  kind: string;
  owner: string;
  status: JobStatus;
  progress: number;
  message: string;
  params: Record<string, unknown>;
  error: string | null;
  created_ns: number;
  started_ns: number | null;
  finished_ns: number | null;
};

/** Columns of a time series, when a result carries them (ts_ns with one value per column). */
export type ResultSeries = { ts_ns: number[]; equity?: number[]; drawdown?: number[] };

/** One round trip of a backtest (jts.backtest.trades.TRADE_SCHEMA). */
export type Trade = {
  symbol: string;
  side: string;
  entry_ts: number;
  exit_ts: number;
  qty: number;
  entry_price: number;
  exit_price: number;
  pnl: number;
  costs: number;
  return_pct: number | null;
  holding_seconds: number;
};

export type BacktestResult = {
  summary: Record<string, unknown>;
  report: string | null;
  run_id: string | null;
  series?: ResultSeries;
  /** The last round trips (at most 500), oldest first; `trades_total` counts them all. */
  trades?: Trade[];
  trades_total?: number;
};

export const TERMINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

export const keys = {
  list: ["strategies"] as const,
  doc: (name: string, version?: number) => ["strategies", name, version ?? "latest"] as const,
  versions: (name: string) => ["strategies", name, "versions"] as const,
  running: ["trading", "strategies"] as const,
  backtests: ["jobs", "backtest"] as const,
};

/** `value` once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The server validator's verdict on `source`, asked 400 ms after typing stops. */
export function useValidation(source: string) {
  const settled = useDebounced(source, 400);
  const query = useQuery({
    queryKey: ["validate", settled],
    queryFn: () => post<Validation>("/strategies/validate", { source: settled, language: "jts" }),
    enabled: settled.trim().length > 0,
    staleTime: Infinity,
    placeholderData: (previous) => previous,
  });
  return { ...query, checking: settled !== source || query.isFetching };
}

export const useStrategies = () => useQuery({ queryKey: keys.list, queryFn: () => get<StrategySummary[]>("/strategies") });

export const useVersions = (name: string | null) =>
  useQuery({
    queryKey: keys.versions(name ?? ""),
    queryFn: () => get<StrategyDocument[]>(`/strategies/${encodeURIComponent(name ?? "")}/versions`),
    enabled: name !== null,
  });

export const useRunning = () =>
  useQuery({ queryKey: keys.running, queryFn: () => get<RunningStrategy[]>("/trading/strategies"), refetchInterval: 5_000 });

export const useBacktests = () =>
  useQuery({ queryKey: keys.backtests, queryFn: () => get<JobInfo[]>("/jobs?kind=backtest&limit=20") });

/** Refresh everything a save, a start or an action may have changed. */
export function useRefresh(): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: ["strategies"] }),
      client.invalidateQueries({ queryKey: keys.running }),
    ]);
  };
}
