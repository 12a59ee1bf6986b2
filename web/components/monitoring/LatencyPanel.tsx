"use client";
// Publish → screen latency of quotes (the quote store's samples), p50/p95/p99 of the last
// thousand, recomputed every second.
import { Card } from "@/components/overview/ui";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";
import { latencies } from "@/lib/stores/quotes";
import { summarize } from "./stats";
import { fmtAge, useNow } from "./useNow";

const WINDOW = 1_000;

export function LatencyPanel() {
  const t = useT();
  useNow(1_000);
  const summary = summarize(latencies.slice(-WINDOW));
  const cells: [string, number | null][] = [
    ["p50", summary.p50],
    ["p95", summary.p95],
    ["p99", summary.p99],
    ["max", summary.max],
  ];
  return (
    <Card
      title={t("mon.latency")}
      testId="latency"
      action={summary.count > 0 && <span className="text-xs text-neutral-500">{t("mon.latencySamples", { n: summary.count })}</span>}
    >
      {summary.count === 0 ? (
        <p className="text-sm text-neutral-500 dark:text-slate-400">{t("mon.noLatency")}</p>
      ) : (
        <dl className="grid grid-cols-4 gap-2">
          {cells.map(([label, value]) => (
            <div key={label} data-testid={`latency-${label}`}>
              <dt className="text-xs text-neutral-500">{label}</dt>
              <dd className={`text-lg font-bold tabular-nums ${value !== null && value > 100 ? "text-red-500" : ""}`}>
                {value === null ? "—" : fmtAge(value)}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}
