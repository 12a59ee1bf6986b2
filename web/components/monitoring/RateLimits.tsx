"use client";
// Rate limits: this user's API budget (the RateLimit headers of the last answer), the server's
// refusals since start, and the per-broker-key budget (no broker adapters yet: said so).
import { Card } from "@/components/overview/ui";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";
import type { RateBudget } from "@/lib/stores/rateLimit";

export function RateLimits({ budget, refusals, checked }: { budget: RateBudget | null; refusals: number | undefined; checked: boolean }) {
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
          <p data-testid="broker-budget" className="rounded border border-dashed border-neutral-300 px-3 py-2 text-neutral-500 dark:border-slate-700 dark:text-slate-400">
            {t("mon.noBroker")}
          </p>
        </div>
      </div>
    </Card>
  );
}
