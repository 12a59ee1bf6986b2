"use client";
// Create or edit one alert rule: the kind decides which fields show and count; zod checks
// them as the server would before anything is sent. Give it a `key` per rule edited.
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm, type Resolver } from "react-hook-form";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import "@/lib/messages/alerts";
import { alertSchema, defaultCooldown, KINDS, needsSymbol, type AlertFormValues, type AlertSpec, type Kind } from "./schema";

type Props = {
  initial: AlertFormValues;
  editing: boolean;
  onSubmit: (spec: AlertSpec) => Promise<void>;
  onCancel?: () => void;
};

const INPUT = "w-full rounded border border-neutral-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";
const LABEL = "block text-xs text-neutral-600 dark:text-slate-400";
const resolver = zodResolver(alertSchema) as unknown as Resolver<AlertFormValues, unknown, AlertSpec>;

export function AlertForm({ initial, editing, onSubmit, onCancel }: Props) {
  const t = useT();
  const server = useServerText();
  const [failure, setFailure] = useState<string | null>(null);
  const { register, handleSubmit, watch, setValue, getFieldState, formState, reset } = useForm<AlertFormValues, unknown, AlertSpec>({
    resolver,
    defaultValues: initial,
  });
  const errors = formState.errors;
  const kind = watch("kind");

  // A new kind brings its own default cooldown, unless the user already chose one.
  const kindField = register("kind", {
    onChange: (e: { target: { value: Kind } }) => {
      if (!getFieldState("cooldown_s").isDirty) setValue("cooldown_s", defaultCooldown(e.target.value));
    },
  });

  const submit = handleSubmit(async (spec) => {
    setFailure(null);
    try {
      await onSubmit(spec);
      if (!editing) reset(initial);
    } catch (e) {
      setFailure(server.error(e));
    }
  });

  const error = (message: string | undefined) =>
    message ? (
      <span className="text-xs text-red-600 dark:text-red-400" data-testid="alert-field-error">
        {t(message)}
      </span>
    ) : null;
  const num = { valueAsNumber: true } as const;

  return (
    <form onSubmit={submit} noValidate className="space-y-3" data-testid="alert-form">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <label className={`${LABEL} col-span-2`}>
          {t("alerts.kind")}
          <select className={INPUT} disabled={editing} data-testid="alert-kind" {...kindField}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`alerts.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        {kind !== "risk_halt" && (
          <label className={`${LABEL} col-span-2`}>
            {needsSymbol(kind) ? t("alerts.symbol") : t("alerts.symbolOptional")}
            <input className={`${INPUT} font-mono`} placeholder="005930" autoCapitalize="characters" data-testid="alert-symbol" {...register("symbol")} />
            {error(errors.symbol?.message)}
          </label>
        )}
        {(kind === "price_above" || kind === "price_below") && (
          <label className={`${LABEL} col-span-2`}>
            {t("alerts.price")}
            <input type="number" inputMode="numeric" className={INPUT} data-testid="alert-price" {...register("params.price", num)} />
            {error(errors.params?.price?.message)}
          </label>
        )}
        {kind === "pct_move" && (
          <>
            <label className={LABEL}>
              {t("alerts.pct")}
              <input type="number" inputMode="decimal" step="any" className={INPUT} data-testid="alert-pct" {...register("params.pct", num)} />
              {error(errors.params?.pct?.message)}
            </label>
            <label className={LABEL}>
              {t("alerts.base")}
              <select className={INPUT} {...register("params.base")}>
                <option value="prev_close">{t("alerts.base.prev_close")}</option>
                <option value="open">{t("alerts.base.open")}</option>
              </select>
            </label>
          </>
        )}
        {kind === "volume_spike" && (
          <>
            <label className={LABEL}>
              {t("alerts.multiple")}
              <input type="number" inputMode="decimal" step="any" className={INPUT} data-testid="alert-multiple" {...register("params.multiple", num)} />
              {error(errors.params?.multiple?.message)}
            </label>
            <label className={LABEL}>
              {t("alerts.window")}
              <input type="number" inputMode="numeric" className={INPUT} data-testid="alert-window" {...register("params.window_min", num)} />
              {error(errors.params?.window_min?.message)}
            </label>
          </>
        )}
        <label className={LABEL}>
          {t("alerts.cooldown")}
          <input type="number" inputMode="numeric" className={INPUT} data-testid="alert-cooldown" {...register("cooldown_s", num)} />
          {error(errors.cooldown_s?.message)}
        </label>
        <label className={`${LABEL} col-span-2 sm:col-span-3`}>
          {t("alerts.note")}
          <input className={INPUT} maxLength={200} data-testid="alert-note" {...register("note")} />
          {error(errors.note?.message)}
        </label>
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input type="checkbox" {...register("enabled")} /> {t("alerts.enabled")}
        </label>
      </div>
      <p className="text-xs text-neutral-500">{t(`alerts.help.${kind}`)}</p>
      {failure && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="alert-failure">
          {failure}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" data-testid="alert-submit" disabled={formState.isSubmitting} className="rounded bg-sky-700 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-600 disabled:opacity-40">
          {editing ? t("common.save") : t("alerts.create")}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} className="rounded border border-neutral-300 px-4 py-2 text-sm dark:border-slate-700">
            {t("common.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
