"use client";
// The job queue: workers, queued and running (system.jobs), and the latest jobs (GET /jobs)
// with live progress from the `jobs` channel.
import { useQuery } from "@tanstack/react-query";
import { Card, Empty, ErrorLine, Table, Td, Th } from "@/components/overview/ui";
import { get } from "@/lib/api";
import { fmtClock } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import "@/lib/messages/monitoring";
import { useAccount, type Job } from "@/lib/stores/account";

type JobAnswer = Job & { owner: string; created_ns: number; started_ns: number | null; finished_ns: number | null };
type Row = Job & Partial<Pick<JobAnswer, "owner" | "created_ns">>;

const TONE: Record<string, string> = {
  queued: "text-neutral-500",
  running: "text-sky-600 dark:text-sky-400",
  succeeded: "text-emerald-600 dark:text-emerald-400",
  failed: "text-red-600 dark:text-red-400",
  cancelled: "text-neutral-500 line-through",
};

/** REST rows updated by the live ones; jobs only the channel has seen come first. */
export function mergeJobs(fetched: JobAnswer[], live: Record<string, Job>): Row[] {
  const known = new Set(fetched.map((j) => j.job_id));
  const fresh = Object.values(live).filter((j) => !known.has(j.job_id));
  return [...fresh, ...fetched.map((j) => ({ ...j, ...live[j.job_id] }))];
}

export function JobQueue({ queue }: { queue: { workers?: number; queued?: number; running?: number } | undefined }) {
  const t = useT();
  const server = useServerText();
  const jobs = useQuery({ queryKey: ["jobs", "recent"], queryFn: () => get<JobAnswer[]>("/jobs?limit=20"), refetchInterval: 30_000 });
  const live = useAccount((s) => s.jobs);
  const rows = mergeJobs(jobs.data ?? [], live).slice(0, 20);
  return (
    <Card
      title={t("mon.jobs")}
      testId="jobs"
      action={
        queue && (
          <span data-testid="job-counts" className="flex gap-3 text-xs text-neutral-500 tabular-nums dark:text-slate-400">
            <span>{t("mon.workers", { n: queue.workers ?? 0 })}</span>
            <span>{t("mon.queued", { n: queue.queued ?? 0 })}</span>
            <span>{t("mon.running", { n: queue.running ?? 0 })}</span>
          </span>
        )
      }
    >
      <ErrorLine error={jobs.error} />
      {rows.length === 0 ? (
        <Empty>{jobs.isPending ? t("common.loading") : t("mon.noJobs")}</Empty>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>{t("mon.created")}</Th>
              <Th>{t("mon.kind")}</Th>
              <Th>{t("mon.owner")}</Th>
              <Th>{t("mon.state")}</Th>
              <Th num>{t("mon.progress")}</Th>
              <Th>{t("mon.message")}</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((j) => (
              <tr key={j.job_id} data-testid="job-row">
                <Td className="tabular-nums">{j.created_ns ? fmtClock(j.created_ns) : "—"}</Td>
                <Td>{j.kind}</Td>
                <Td>{j.owner ?? "—"}</Td>
                <Td className={TONE[j.status] ?? ""}>{j.status}</Td>
                <Td num>{Math.round(j.progress * 100)}%</Td>
                <Td className="max-w-xs truncate text-neutral-500" >{server.job(j.error ?? j.message)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
