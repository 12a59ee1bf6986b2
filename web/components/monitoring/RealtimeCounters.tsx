"use client";
// The push hub's counters (system.realtime), with per-second rates between two readings.
import { useEffect, useRef, useState } from "react";
import type { RealtimeStats } from "@/components/overview/system";
import { Card, Empty } from "@/components/overview/ui";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";
import { rates } from "./stats";

const SHOWN = [
  "clients", "subscriptions", "published", "messages_sent", "frames_sent", "bytes_sent",
  "conflated", "slow_disconnects", "idle_disconnects", "send_errors",
] as const;
const GAUGES = new Set(["clients", "subscriptions"]);
const TROUBLE = new Set(["slow_disconnects", "idle_disconnects", "send_errors"]);
const numbers = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 1 });

function useRates(stats: RealtimeStats | undefined): Record<string, number> {
  const previous = useRef<{ at: number; stats: RealtimeStats } | null>(null);
  const [perSecond, setPerSecond] = useState<Record<string, number>>({});
  useEffect(() => {
    if (!stats) return;
    const at = Date.now();
    const before = previous.current;
    if (before) setPerSecond(rates(before.stats, stats, (at - before.at) / 1_000));
    previous.current = { at, stats };
  }, [stats]);
  return perSecond;
}

export function RealtimeCounters({ stats }: { stats: RealtimeStats | undefined }) {
  const t = useT();
  const perSecond = useRates(stats);
  return (
    <Card title={t("mon.realtime")} testId="realtime" action={stats?.epoch && <span className="text-xs text-neutral-500">epoch {String(stats.epoch)}</span>}>
      {!stats ? (
        <Empty>{t("common.loading")}</Empty>
      ) : (
        <dl className="grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-3 xl:grid-cols-5">
          {SHOWN.filter((key) => key in stats).map((key) => {
            const value = Number(stats[key]);
            const rate = perSecond[key];
            return (
              <div key={key} data-testid={`rt-${key}`}>
                <dt className="text-xs text-neutral-500 dark:text-slate-400">{t(`mon.rt.${key}`)}</dt>
                <dd className={`font-semibold tabular-nums ${TROUBLE.has(key) && value > 0 ? "text-red-500" : ""}`}>
                  {numbers.format(value)}
                  {!GAUGES.has(key) && rate !== undefined && (
                    <span className="ml-1 text-xs font-normal text-neutral-500">{t("mon.perSecond", { v: numbers.format(rate) })}</span>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </Card>
  );
}
