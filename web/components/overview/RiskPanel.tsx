"use client";
// The risk engine's trading state (active / reduce-only / halted) and the kill switch.
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { KillSwitch } from "./KillSwitch";
import type { RiskState } from "./risk";
import { Card, ErrorLine } from "./ui";

const TONE = {
  active: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300",
  reduce_only: "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-200",
  halted: "bg-red-600 text-white",
} as const;

export function RiskPanel({ risk, error }: { risk: RiskState | undefined; error: unknown }) {
  const t = useT();
  return (
    <Card title={t("overview.risk")} testId="risk-panel">
      <ErrorLine error={error} />
      {risk ? (
        <div className="space-y-3">
          <div className="flex flex-wrap items-center gap-2">
            <span data-testid="risk-state" data-state={risk.state} className={`rounded px-2 py-0.5 text-sm font-bold ${TONE[risk.state] ?? ""}`}>
              {t(`overview.state.${risk.state}`)}
            </span>
            {(risk.killed || risk.reason) && (
              <span className="min-w-0 break-words text-xs text-neutral-500 dark:text-slate-400">{risk.killed || risk.reason}</span>
            )}
          </div>
          <KillSwitch halted={risk.state === "halted"} />
        </div>
      ) : (
        !error && <p className="text-sm text-neutral-500">{t("common.loading")}</p>
      )}
    </Card>
  );
}
