"use client";
// Monitoring: service health, feed staleness by market, publish → screen latency, the push
// hub's counters, rate limits (ours and each broker key's), where each symbol's quotes come
// from on a broker (stream or poll, with staleness) and the job queue. `/system` is polled; services and hub counters
// also arrive on the live `system` channel. The rate-limit budget is the one the REST client
// recorded from the latest answer (lib/stores/rateLimit).
import { useQuery } from "@tanstack/react-query";
import { FeedStaleness } from "@/components/monitoring/FeedStaleness";
import { FeedSources } from "@/components/monitoring/FeedSources";
import { JobQueue } from "@/components/monitoring/JobQueue";
import { LatencyPanel } from "@/components/monitoring/LatencyPanel";
import { RateLimits } from "@/components/monitoring/RateLimits";
import { RealtimeCounters } from "@/components/monitoring/RealtimeCounters";
import { ServiceHealth } from "@/components/monitoring/ServiceHealth";
import { mergeSystem, type SystemInfo } from "@/components/overview/system";
import { ErrorLine } from "@/components/overview/ui";
import { get } from "@/lib/api";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";
import { useAccount } from "@/lib/stores/account";
import { useRateLimit } from "@/lib/stores/rateLimit";

export default function MonitoringPage() {
  const t = useT();
  const polled = useQuery({ queryKey: ["system", "monitoring"], queryFn: () => get<SystemInfo>("/system"), refetchInterval: 5_000 });
  const budget = useRateLimit((s) => s.budget);
  const live = useAccount((s) => s.system);
  const system = mergeSystem(polled.data, live);
  return (
    <div className="mx-auto max-w-7xl space-y-3 sm:space-y-4">
      <h1 className="text-xl font-bold">{t("mon.title")}</h1>
      <ErrorLine error={polled.error} />
      <ServiceHealth services={system?.services ?? []} status={system?.status} />
      <FeedStaleness />
      <div className="grid gap-3 sm:gap-4 lg:grid-cols-2">
        <LatencyPanel />
        <RateLimits budget={budget} refusals={system?.rate_limit?.refusals} checked={polled.isSuccess} keys={(system?.venues ?? []).flatMap((v) => v.broker_keys ?? [])} />
      </div>
      <FeedSources venues={system?.venues ?? []} />
      <RealtimeCounters stats={system?.realtime} />
      <JobQueue queue={system?.jobs} />
    </div>
  );
}
