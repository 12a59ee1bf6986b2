"use client";
// Where the data and the orders go: the dashboard's own live connection, each venue
// (connected, its trading state and clock), today's KRX phase and the services' health.
import { useT, wordsOr } from "@/lib/i18n";
import "@/lib/messages/overview";
import { useLive } from "@/lib/stores/live";
import { fmtClock } from "@/lib/format";
import type { SystemInfo } from "./system";
import { Card, ErrorLine, StatusDot } from "./ui";

export function VenueStatus({ system, error }: { system: SystemInfo | undefined; error: unknown }) {
  const t = useT();
  const live = useLive((s) => s.status);
  const services = system?.services ?? [];
  const healthy = services.filter((s) => s.healthy).length;
  return (
    <Card title={t("overview.venues")} testId="venue-status">
      <ErrorLine error={error} />
      <ul className="space-y-2 text-sm">
        <li className="flex items-center justify-between gap-2">
          <span>{t("overview.liveLink")}</span>
          <StatusDot tone={live === "open" ? "ok" : live === "connecting" ? "warn" : "bad"}>{t(`live.${live}`)}</StatusDot>
        </li>
        {system?.venues?.length === 0 && <li className="text-neutral-500">{t("overview.noVenue")}</li>}
        {system?.venues?.map((v) => (
          <li key={`${v.name}:${v.account}`} data-testid="venue" className="flex flex-wrap items-center justify-between gap-x-2">
            <span className="font-medium">
              {v.name} <span className="font-normal text-neutral-500">· {v.account}</span>
            </span>
            <StatusDot tone={v.connected ? "ok" : "bad"}>{t(v.connected ? "overview.venueConnected" : "overview.venueDown")}</StatusDot>
            <span className="w-full text-xs text-neutral-500 dark:text-slate-400">
              {t(`overview.state.${v.trading_state}`)} · {t("overview.venueSymbols", { n: v.symbols })} ·{" "}
              {t("overview.venueClock", { t: fmtClock(v.clock_ns) })}
            </span>
          </li>
        ))}
        {system?.market && (
          <li className="flex items-center justify-between gap-2 text-xs text-neutral-500 dark:text-slate-400">
            <span>{t("overview.marketPhase", { phase: wordsOr(t, `overview.phase.${system.market.phase}`, system.market.phase) })}</span>
            <span>{system.market.date}</span>
          </li>
        )}
        {services.length > 0 && (
          <li className="flex items-center justify-between gap-2">
            <span>{t("overview.services", { ok: healthy, n: services.length })}</span>
            <StatusDot tone={healthy === services.length ? "ok" : "warn"}>{wordsOr(t, `overview.health.${system?.status}`, system?.status ?? "")}</StatusDot>
          </li>
        )}
      </ul>
    </Card>
  );
}
