"use client";
// One backtest job: its progress as the `jobs` channel reports it (the account store), with
// polling of GET /jobs/{id} as the fallback when the socket is down or quiet; then the
// result's statistics, the equity and drawdown chart, the round trips, and the HTML report.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, get, post } from "@/lib/api";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import { useAccount, type Job } from "@/lib/stores/account";
import { useLive } from "@/lib/stores/live";
import { changeColor } from "@/lib/format";
import { formatMetric, METRICS } from "./metrics";
import { fetchReport, openReport } from "./report";
import { TERMINAL, type BacktestResult, type JobInfo } from "./queries";
import { TradesTable } from "./TradesTable";
import dynamic from "next/dynamic";

const EquityChart = dynamic(() => import("./EquityChart").then((m) => m.EquityChart), { ssr: false });

type Progress = Pick<Job, "status" | "progress" | "message" | "error">;

/** The furthest-along of the live and the polled view of a job. */
export function latest(live: Progress | undefined, polled: Progress | undefined): Progress | undefined {
  if (!live || !polled) return live ?? polled;
  if (TERMINAL.has(polled.status) && !TERMINAL.has(live.status)) return polled;
  if (TERMINAL.has(live.status)) return live;
  return live.progress >= polled.progress ? live : polled;
}

export function BacktestJob({ job: started, canCancel }: { job: JobInfo; canCancel: boolean }) {
  const t = useT();
  const server = useServerText();
  const id = started.job_id;
  const live = useAccount((s) => s.jobs[id]);
  const socketOpen = useLive((s) => s.status === "open");
  const polled = useQuery({
    queryKey: ["job", id],
    queryFn: () => get<JobInfo>(`/jobs/${id}`),
    initialData: started,
    refetchInterval: (q) => (TERMINAL.has(q.state.data?.status ?? "") || TERMINAL.has(live?.status ?? "") ? false : socketOpen && live ? 5_000 : 1_000),
  });
  const job = latest(live, polled.data) ?? started;
  const done = job.status === "succeeded";
  const result = useQuery({
    queryKey: ["job", id, "result"],
    queryFn: () => get<{ result: BacktestResult | null }>(`/jobs/${id}/result`),
    enabled: done,
    staleTime: Infinity,
  });
  const pct = Math.round(job.progress * 100);
  const bar = job.status === "failed" ? "bg-red-500" : job.status === "cancelled" ? "bg-neutral-400" : done ? "bg-emerald-500" : "bg-sky-500";

  return (
    <div className="space-y-3" data-testid="backtest-job" data-job={id} data-status={job.status}>
      <div>
        <div className="mb-1 flex items-center justify-between gap-2 text-xs">
          <span>
            <span className="font-semibold" data-testid="backtest-status">
              {t(`job.${job.status}`)}
            </span>
            {job.message && !TERMINAL.has(job.status) && <span className="ml-2 text-neutral-500">{server.job(job.message)}</span>}
          </span>
          <span className="tabular-nums">{pct}%</span>
        </div>
        <div
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-label={t("bt.progress")}
          data-testid="backtest-progress"
          className="h-2 overflow-hidden rounded bg-neutral-200 dark:bg-slate-800"
        >
          <div className={`h-full transition-[width] duration-300 ${bar}`} style={{ width: `${pct}%` }} />
        </div>
        {job.error && <p className="mt-1 text-sm text-red-600 dark:text-red-400">{job.error}</p>}
        {canCancel && !TERMINAL.has(job.status) && (
          <button type="button" onClick={() => void post(`/jobs/${id}/cancel`)} className="mt-2 rounded border border-neutral-300 px-2 py-0.5 text-xs dark:border-slate-700">
            {t("common.cancel")}
          </button>
        )}
      </div>
      {done && result.data?.result && <Results jobId={id} result={result.data.result} />}
      {result.error instanceof ApiError && <p className="text-sm text-red-600">{server.error(result.error)}</p>}
    </div>
  );
}

function Results({ jobId, result }: { jobId: string; result: BacktestResult }) {
  const t = useT();
  const [report, setReport] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const s = result.summary;
  const warnings = Array.isArray(s.warnings) ? (s.warnings as string[]) : [];
  const params = s.params && typeof s.params === "object" ? Object.entries(s.params as Record<string, unknown>) : [];
  const server = useServerText();
  const fail = (e: unknown) => setFailure(server.error(e));

  return (
    <div className="space-y-3" data-testid="backtest-results">
      <p className="text-xs text-neutral-500">
        <span className="font-semibold text-neutral-800 dark:text-slate-200">{String(s.strategy ?? "")}</span> · {String(s.start ?? "")} – {String(s.end ?? "")} ·{" "}
        {String(s.timeframe ?? "")} · {t("bt.symbolsRun", { n: Number(s.symbols ?? 0) })} · {String(s.engine ?? "")}
        {params.length > 0 && <> · {params.map(([k, v]) => `${k}=${String(v)}`).join(", ")}</>}
      </p>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-6" data-testid="backtest-metrics">
        {METRICS.filter(([key]) => key in s).map(([key, format]) => (
          <div key={key} data-metric={key} className="rounded border border-neutral-200 px-2 py-1.5 dark:border-slate-800">
            <dt className="truncate text-[11px] text-neutral-500">{t(`bt.m.${key}`)}</dt>
            <dd className={`font-mono text-sm tabular-nums ${format === "return" && typeof s[key] === "number" ? changeColor(s[key] as number) : ""}`}>{formatMetric(s[key], format)}</dd>
          </div>
        ))}
      </dl>
      {warnings.length > 0 && (
        <ul className="list-disc pl-5 text-xs text-amber-700 dark:text-amber-300">
          {warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {result.series?.ts_ns?.length ? <EquityChart series={result.series} /> : <p className="text-xs text-neutral-500">{t("bt.noSeries")}</p>}
      {result.trades && <TradesTable trades={result.trades} total={result.trades_total ?? result.trades.length} />}
      {result.report && (
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            data-testid="backtest-report"
            onClick={() => openReport(jobId).catch(fail)}
            className="rounded bg-slate-800 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 dark:bg-slate-200 dark:text-slate-900"
          >
            {t("bt.openReport")}
          </button>
          <button
            type="button"
            data-testid="backtest-report-inline"
            onClick={() => (report ? setReport(null) : fetchReport(jobId).then(setReport, fail))}
            className="rounded border border-neutral-300 px-3 py-1.5 text-sm dark:border-slate-700"
          >
            {report ? t("bt.hideReport") : t("bt.showReport")}
          </button>
        </div>
      )}
      {failure && <p className="text-sm text-red-600 dark:text-red-400">{failure}</p>}
      {report && <iframe title={t("bt.report")} sandbox="allow-scripts" srcDoc={report} data-testid="backtest-report-frame" className="h-[80vh] w-full rounded border border-neutral-200 bg-white dark:border-slate-800" />}
    </div>
  );
}
