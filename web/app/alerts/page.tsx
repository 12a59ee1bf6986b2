"use client";
// Alerts: the user's rules (create, edit, pause, delete), notifications on this device
// (Web Push) and the alerts as they fire.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { ApiError, del, get, patch, post } from "@/lib/api";
import { useT } from "@/lib/i18n";
import { useAccount } from "@/lib/stores/account";
import "@/lib/messages/alerts";
import { AlertForm } from "@/components/alerts/AlertForm";
import { AlertList } from "@/components/alerts/AlertList";
import { PushPanel } from "@/components/alerts/PushPanel";
import { RecentAlerts } from "@/components/alerts/RecentAlerts";
import { emptyForm, formOf, patchOf, type AlertRule, type AlertSpec } from "@/components/alerts/schema";

const KEY = ["alerts", "rules"];

export default function AlertsPage() {
  const t = useT();
  const client = useQueryClient();
  const rules = useQuery({ queryKey: KEY, queryFn: () => get<AlertRule[]>("/alerts") });
  const [editing, setEditing] = useState<AlertRule | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const fired = useAccount((s) => s.alerts.length);
  const initial = useMemo(() => (editing ? formOf(editing) : emptyForm()), [editing]);

  const refresh = () => client.invalidateQueries({ queryKey: KEY });
  // A rule that fired has a new "last fired" (stored once its pushes went out).
  useEffect(() => {
    if (!fired) return;
    const timer = setTimeout(() => void client.invalidateQueries({ queryKey: KEY }), 1_500);
    return () => clearTimeout(timer);
  }, [fired, client]);
  const attempt = async (work: () => Promise<unknown>) => {
    setFailure(null);
    try {
      await work();
    } catch (e) {
      setFailure(e instanceof ApiError ? e.message : String(e));
    }
    await refresh();
  };

  const submit = async (spec: AlertSpec) => {
    if (editing) await patch<AlertRule>(`/alerts/${editing.id}`, patchOf(spec));
    else await post<AlertRule>("/alerts", spec);
    setEditing(null);
    await refresh();
  };
  const edit = (rule: AlertRule) => {
    setEditing(rule);
    window.scrollTo({ top: 0, behavior: "smooth" });
  };
  const toggle = (rule: AlertRule) => attempt(() => patch(`/alerts/${rule.id}`, { enabled: !rule.enabled }));
  const remove = (rule: AlertRule) => {
    if (!window.confirm(t("alerts.confirmDelete"))) return;
    if (editing?.id === rule.id) setEditing(null);
    void attempt(() => del(`/alerts/${rule.id}`));
  };

  return (
    <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="min-w-0 space-y-4">
        <section aria-labelledby="form-title" className="space-y-3 rounded border border-neutral-200 p-3 dark:border-slate-800">
          <h1 id="form-title" className="text-lg font-bold">
            {editing ? t("alerts.editTitle", { id: editing.id }) : t("alerts.newTitle")}
          </h1>
          <AlertForm key={editing?.id ?? "new"} initial={initial} editing={editing !== null} onSubmit={submit} onCancel={editing ? () => setEditing(null) : undefined} />
        </section>
        <section aria-labelledby="rules-title" className="space-y-2 rounded border border-neutral-200 p-3 dark:border-slate-800">
          <h2 id="rules-title" className="text-base font-semibold">
            {t("alerts.rules")} {rules.data && <span className="text-sm font-normal text-neutral-500">({rules.data.length})</span>}
          </h2>
          {rules.isLoading && <p className="text-sm text-neutral-500">{t("common.loading")}</p>}
          {failure && (
            <p role="alert" className="text-sm text-red-600 dark:text-red-400">
              {failure}
            </p>
          )}
          <AlertList rules={rules.data} editing={editing?.id ?? null} onToggle={toggle} onEdit={edit} onDelete={remove} />
        </section>
      </div>
      <aside className="space-y-4">
        <PushPanel />
        <RecentAlerts />
      </aside>
    </div>
  );
}
