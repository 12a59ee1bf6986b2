"use client";
// Monitoring: service health, feed staleness by market, publish → screen latency, the push
// hub's counters, rate limits and the job queue. `/system` is polled (with its rate-limit
// headers); services and hub counters also arrive on the live `system` channel.
import { useQuery } from "@tanstack/react-query";
import { fetchSystem } from "@/components/monitoring/fetchSystem";
import { FeedStaleness } from "@/components/monitoring/FeedStaleness";
import { JobQueue } from "@/components/monitoring/JobQueue";
import { LatencyPanel } from "@/components/monitoring/LatencyPanel";
import { RateLimits } from "@/components/monitoring/RateLimits";
import { RealtimeCounters } from "@/components/monitoring/RealtimeCounters";
import { ServiceHealth } from "@/components/monitoring/ServiceHealth";
import { mergeSystem } from "@/components/overview/system";
import { ErrorLine } from "@/components/overview/ui";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";
import { useAccount } from "@/lib/stores/account";

export default function MonitoringPage() {
  const t = useT();
  const polled = useQuery({ queryKey: ["system", "monitoring"], queryFn: fetchSystem, refetchInterval: 5_000 });
  const live = useAccount((s) => s.system);
  const system = mergeSystem(polled.data?.system, live);
  return (
    <div className="mx-auto max-w-7xl space-y-3 sm:space-y-4">
      <h1 className="text-xl font-bold">{t("mon.title")}</h1>
      <ErrorLine error={polled.error} />
      <ServiceHealth services={system?.services ?? []} status={system?.status} />
      <FeedStaleness />
      <div className="grid gap-3 sm:gap-4 lg:grid-cols-2">
        <LatencyPanel />
        <RateLimits budget={polled.data?.budget ?? null} refusals={system?.rate_limit?.refusals} checked={polled.isSuccess} />
      </div>
      <RealtimeCounters stats={system?.realtime} />
      <JobQueue queue={system?.jobs} />
    </div>
  );
}
