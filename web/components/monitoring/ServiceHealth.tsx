"use client";
// Every service's lifecycle state and health, with its own counters (the `details` each
// service reports), live from the `system` channel.
import type { ServiceHealth as Service } from "@/components/overview/system";
import { Card, Empty, StatusDot, Table, Td, Th } from "@/components/overview/ui";
import { fmtClock } from "@/lib/format";
import { useT, wordsOr } from "@/lib/i18n";
import "@/lib/messages/monitoring";

const numbers = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 2 });

/** The scalar details of a service as short "key value" pairs (lists and objects left out). */
export function detailPairs(details: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === "number") out.push([key, key.endsWith("_ns") ? fmtClock(value) : numbers.format(value)]);
    else if (typeof value === "boolean" || (typeof value === "string" && value.length <= 40)) out.push([key, String(value)]);
  }
  return out;
}

export function ServiceHealth({ services, status }: { services: Service[]; status: string | undefined }) {
  const t = useT();
  return (
    <Card
      title={t("mon.services")}
      testId="services"
      action={status && <StatusDot tone={status === "ok" ? "ok" : "warn"}>{t("mon.overall", { s: wordsOr(t, `mon.status.${status}`, status) })}</StatusDot>}
    >
      {services.length === 0 ? (
        <Empty>{t("common.loading")}</Empty>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>{t("mon.service")}</Th>
              <Th>{t("mon.state")}</Th>
              <Th>{t("mon.since")}</Th>
              <Th>{t("mon.details")}</Th>
            </tr>
          </thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.name} data-testid="service-row" data-service={s.name} data-healthy={s.healthy}>
                <Td className="font-medium">{s.name}</Td>
                <Td>
                  <StatusDot tone={s.healthy ? "ok" : "bad"}>
                    {wordsOr(t, `mon.svc.${s.state}`, s.state)} · {t(s.healthy ? "mon.healthy" : "mon.unhealthy")}
                  </StatusDot>
                  {s.error && <div className="max-w-xs whitespace-normal text-xs text-red-500">{s.error}</div>}
                </Td>
                <Td className="tabular-nums text-neutral-500">{fmtClock(s.since_ns)}</Td>
                <Td className="whitespace-normal">
                  <div className="flex w-[36rem] max-w-[60vw] flex-wrap gap-x-3 gap-y-0.5 text-xs text-neutral-500 dark:text-slate-400">
                    {detailPairs(s.details ?? {}).map(([k, v]) => (
                      <span key={k}>
                        {k} <span className="text-neutral-800 tabular-nums dark:text-slate-200">{v}</span>
                      </span>
                    ))}
                  </div>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
