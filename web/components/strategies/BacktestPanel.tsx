"use client";
// Backtests of the editor's program: the launch form, the job just started (or one chosen
// from the recent ones) with its progress and results.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useT } from "@/lib/i18n";
import { BacktestJob } from "./BacktestJob";
import { BacktestLauncher } from "./BacktestLauncher";
import { fmtStamp } from "./format";
import { keys, useBacktests, type JobInfo } from "./queries";

type Props = { strategy: string; params: Record<string, number>; ready: boolean; canRun: boolean };

export function BacktestPanel({ strategy, params, ready, canRun }: Props) {
  const t = useT();
  const client = useQueryClient();
  const [job, setJob] = useState<JobInfo | null>(null);
  const recent = useBacktests();

  const started = (info: JobInfo) => {
    setJob(info);
    void client.invalidateQueries({ queryKey: keys.backtests });
  };

  return (
    <section aria-labelledby="bt-title" className="space-y-4 rounded border border-neutral-200 p-3 dark:border-slate-800">
      <h2 id="bt-title" className="text-base font-semibold">
        {t("bt.title")}
      </h2>
      <BacktestLauncher strategy={strategy} params={params} ready={ready} canRun={canRun} onStarted={started} />
      {job && <BacktestJob key={job.job_id} job={job} canCancel={canRun} />}
      {recent.data && recent.data.length > 0 && (
        <details className="text-sm">
          <summary className="cursor-pointer text-xs font-semibold text-neutral-600 dark:text-slate-400">{t("bt.recent", { n: recent.data.length })}</summary>
          <ul className="mt-1 divide-y divide-neutral-200 dark:divide-slate-800">
            {recent.data.map((j) => (
              <li key={j.job_id}>
                <button type="button" onClick={() => setJob(j)} className="flex w-full flex-wrap gap-x-3 px-1 py-1 text-left text-xs hover:bg-neutral-100 dark:hover:bg-slate-900">
                  <span className="font-mono">{fmtStamp(j.created_ns)}</span>
                  <span>{t(`job.${j.status}`)}</span>
                  <span className="text-neutral-500">{describeData(j.params.data)}</span>
                  <span className="ml-auto font-mono text-neutral-400">{j.job_id.slice(0, 8)}</span>
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function describeData(data: unknown): string {
  if (data && typeof data === "object") {
    const d = data as Record<string, unknown>;
    return `synth ${String(d.symbols)}×${String(d.days)}d${d.start ? ` ${String(d.start)}` : ""}`;
  }
  return String(data ?? "");
}
