"use client";
// The user's alert rules: what each watches, pause/resume, edit and delete.
import { useT } from "@/lib/i18n";
import { condition, fmtStamp } from "./format";
import type { AlertRule } from "./schema";

type Props = {
  rules: AlertRule[] | undefined;
  editing: number | null;
  onToggle: (rule: AlertRule) => void;
  onEdit: (rule: AlertRule) => void;
  onDelete: (rule: AlertRule) => void;
};

const SMALL = "rounded border border-neutral-300 px-2 py-0.5 text-xs hover:bg-neutral-100 dark:border-slate-700 dark:hover:bg-slate-800";

export function AlertList({ rules, editing, onToggle, onEdit, onDelete }: Props) {
  const t = useT();
  if (rules && rules.length === 0) return <p className="text-sm text-neutral-500">{t("alerts.none")}</p>;
  return (
    <ul className="divide-y divide-neutral-200 dark:divide-slate-800" data-testid="alert-list">
      {rules?.map((rule) => (
        <li
          key={rule.id}
          data-testid="alert-rule"
          data-id={rule.id}
          data-kind={rule.kind}
          data-enabled={rule.enabled ? "yes" : "no"}
          data-fired={rule.last_fired_ns ? "yes" : "no"}
          className={`flex flex-wrap items-center gap-x-3 gap-y-1 py-2 ${rule.id === editing ? "bg-sky-50 dark:bg-sky-950/40" : ""} ${rule.enabled ? "" : "opacity-60"}`}
        >
          <div className="min-w-0 basis-full sm:basis-0 sm:flex-1">
            <div className="flex flex-wrap items-baseline gap-x-2 text-sm">
              <span className="font-semibold">{t(`alerts.kind.${rule.kind}`)}</span>
              {rule.symbol && <span className="font-mono">{rule.symbol}</span>}
              <span className="text-neutral-700 tabular-nums dark:text-slate-300" data-testid="alert-condition">
                {condition(rule, t)}
              </span>
            </div>
            <div className="text-xs text-neutral-500">
              {t("alerts.cooldownShort", { s: rule.cooldown_s })} · {t("alerts.lastFired")} {fmtStamp(rule.last_fired_ns)}
              {rule.note && <> · “{rule.note}”</>}
            </div>
          </div>
          <div className="ml-auto flex shrink-0 items-center gap-1">
            <label className="mr-1 flex items-center gap-1 text-xs">
              <input type="checkbox" checked={rule.enabled} onChange={() => onToggle(rule)} data-testid="alert-toggle" aria-label={t("alerts.enabled")} />
              {rule.enabled ? t("alerts.on") : t("alerts.paused")}
            </label>
            <button type="button" className={SMALL} onClick={() => onEdit(rule)} data-testid="alert-edit">
              {t("alerts.edit")}
            </button>
            <button type="button" className={`${SMALL} text-red-600 dark:text-red-400`} onClick={() => onDelete(rule)} data-testid="alert-delete">
              {t("common.delete")}
            </button>
          </div>
        </li>
      ))}
    </ul>
  );
}
