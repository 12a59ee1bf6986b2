"use client";
// The pre-trade risk limits: everyone sees them, an admin changes them (PUT /risk/limits,
// every field at once, as the route replaces the whole set).
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useForm } from "react-hook-form";
import { RISK_KEY, useRisk, type RiskLimits, type RiskState } from "@/components/overview/risk";
import { Button, Card, ErrorLine, inputClass } from "@/components/overview/ui";
import { put } from "@/lib/api";
import { can, useAuth } from "@/lib/auth";
import { useT } from "@/lib/i18n";
import "@/lib/messages/settings";
import { limitsSchema, NUMERIC, SWITCHES, toForm } from "./limitsSchema";

export function RiskLimitsForm() {
  const t = useT();
  const admin = can(useAuth((s) => s.user), "admin");
  const risk = useRisk(false);
  const queries = useQueryClient();
  const form = useForm({ resolver: zodResolver(limitsSchema) });
  const save = useMutation({
    mutationFn: (limits: RiskLimits) => put<RiskState>("/risk/limits", limits),
    onSuccess: (state) => {
      queries.setQueryData(RISK_KEY, state);
      form.reset(toForm(state.limits));
    },
  });
  const { reset } = form;
  useEffect(() => {
    if (risk.data) reset(toForm(risk.data.limits));
  }, [risk.data, reset]);

  const errors = form.formState.errors;
  return (
    <Card title={t("set.limits")} testId="risk-limits">
      <form noValidate onSubmit={form.handleSubmit((limits) => save.mutate(limits))} className="space-y-3">
        <p className="text-xs text-neutral-500 dark:text-slate-400">{admin ? t("set.limitsHint") : t("set.adminOnly")}</p>
        <ErrorLine error={risk.error} />
        <fieldset disabled={!admin || !risk.data} className="grid gap-3 sm:grid-cols-2">
          {NUMERIC.map(([name, unit]) => (
            <label key={name} className="block text-sm">
              <span className="text-neutral-700 dark:text-slate-300">{t(`set.limits.${name}`)}</span>
              <span className="flex items-center gap-2">
                <input
                  inputMode={name === "fat_finger_pct" ? "decimal" : "numeric"}
                  className={`${inputClass} text-right tabular-nums`}
                  aria-invalid={errors[name] ? true : undefined}
                  placeholder={t("set.noLimit")}
                  data-testid={`limit-${name}`}
                  {...form.register(name)}
                />
                <span className="w-10 shrink-0 text-xs text-neutral-500">{t(`set.unit.${unit}`)}</span>
              </span>
              {errors[name]?.message && <span className="text-xs text-red-500">{t(String(errors[name]?.message))}</span>}
            </label>
          ))}
          {SWITCHES.map((name) => (
            <label key={name} className="flex items-center gap-2 text-sm">
              <input type="checkbox" className="h-4 w-4" data-testid={`limit-${name}`} {...form.register(name)} />
              {t(`set.limits.${name}`)}
            </label>
          ))}
        </fieldset>
        <ErrorLine error={save.error} />
        {admin && (
          <div className="flex items-center justify-end gap-2">
            {save.isSuccess && !form.formState.isDirty && <span className="text-sm text-emerald-600">{t("set.saved")}</span>}
            <Button onClick={() => risk.data && reset(toForm(risk.data.limits))} disabled={!form.formState.isDirty}>
              {t("set.reset")}
            </Button>
            <Button type="submit" variant="primary" data-testid="limits-save" disabled={save.isPending || !risk.data}>
              {t("set.limitsSave")}
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
