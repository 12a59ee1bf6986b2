"use client";
// Rate limits: this user's API budget (the RateLimit headers of the last answer), the server's
// refusals since start, and each broker app key's REST budget (KIS; none on the simulator).
import { Card } from "@/components/overview/ui";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";
import type { KeyUsage } from "@/components/overview/system";
import type { RateBudget } from "@/lib/stores/rateLimit";

export function RateLimits({ budget, refusals, checked, keys = [] }: { budget: RateBudget | null; refusals: number | undefined; checked: boolean; keys?: KeyUsage[] }) {
  const t = useT();
  const used = budget ? 1 - budget.remaining / Math.max(budget.limit, 1) : 0;
  return (
    <Card title={t("mon.rateLimits")} testId="rate-limits">
      <div className="space-y-3 text-sm">
        <div>
          <div className="mb-1 text-xs text-neutral-500 dark:text-slate-400">{t("mon.apiBudget")}</div>
          {budget ? (
            <>
              <div className="h-2 overflow-hidden rounded bg-neutral-200 dark:bg-slate-800">
                <div
                  className={`h-full ${used > 0.8 ? "bg-red-500" : used > 0.5 ? "bg-amber-400" : "bg-emerald-500"}`}
                  style={{ width: `${Math.round(used * 100)}%` }}
                />
              </div>
              <div data-testid="api-budget" className="mt-1 flex justify-between tabular-nums">
                <span>{t("mon.budgetLeft", { r: budget.remaining, l: budget.limit })}</span>
                {budget.resetS !== null && <span className="text-xs text-neutral-500">{t("mon.budgetReset", { s: budget.resetS })}</span>}
              </div>
            </>
          ) : (
            checked && <p data-testid="api-budget" className="text-neutral-500">{t("mon.budgetOff")}</p>
          )}
        </div>
        <div className="flex justify-between">
          <span className="text-neutral-500 dark:text-slate-400">{t("mon.refusals")}</span>
          <span data-testid="refusals" className={`font-semibold tabular-nums ${refusals ? "text-red-500" : ""}`}>
            {refusals ?? "—"}
          </span>
        </div>
        <div>
          <div className="mb-1 text-xs text-neutral-500 dark:text-slate-400">{t("mon.brokerBudget")}</div>
          {keys.length ? (
            <ul data-testid="broker-budget" className="space-y-2">
              {keys.map((k) => {
                const used = k.last_second / Math.max(k.limit_per_s, 1);
                const waiting = Object.values(k.waiting).reduce((a, b) => a + b, 0);
                return (
                  <li key={k.key_id} data-key={k.key_id}>
                    <div className="mb-0.5 flex justify-between text-xs">
                      <span className="font-mono">{k.key_id}</span>
                      <span className="tabular-nums">{t("mon.keyRate", { n: k.last_second, l: k.limit_per_s })}</span>
                    </div>
                    <div className="h-2 overflow-hidden rounded bg-neutral-200 dark:bg-slate-800">
                      <div className={`h-full ${used > 0.9 ? "bg-red-500" : used > 0.75 ? "bg-amber-400" : "bg-emerald-500"}`} style={{ width: `${Math.min(100, Math.round(used * 100))}%` }} />
                    </div>
                    <div className="mt-0.5 text-xs tabular-nums text-neutral-500">{t("mon.keyTotals", { g: k.granted, w: waiting })}</div>
                  </li>
                );
              })}
            </ul>
          ) : (
            <p data-testid="broker-budget" className="rounded border border-dashed border-neutral-300 px-3 py-2 text-neutral-500 dark:border-slate-700 dark:text-slate-400">
              {t("mon.noBroker")}
            </p>
          )}
        </div>
      </div>
    </Card>
  );
}
