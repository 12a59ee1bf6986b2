"use client";
// The backtest launch form: data (a synthetic market or the store), dates, codes, cash and
// the program's declared params; submits the editor's text as a `backtest` job.
import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useMemo, useState } from "react";
import { useController, useForm } from "react-hook-form";
import { GroupedNumberInput } from "@/components/GroupedNumberInput";
import { post } from "@/lib/api";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import { backtestRequest, backtestSchema, DEFAULT_FORM, type BacktestForm } from "./backtestForm";
import type { JobInfo } from "./queries";

type Props = {
  strategy: string;
  params: Record<string, number>;
  ready: boolean;
  canRun: boolean;
  onStarted: (job: JobInfo) => void;
};

export const INPUT = "w-full rounded border border-neutral-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";
const LABEL = "block text-xs text-neutral-600 dark:text-slate-400";

export function BacktestLauncher({ strategy, params, ready, canRun, onStarted }: Props) {
  const t = useT();
  const server = useServerText();
  const [failure, setFailure] = useState<string | null>(null);
  const { register, handleSubmit, watch, getValues, setValue, formState, control } = useForm({
    resolver: zodResolver(backtestSchema),
    defaultValues: DEFAULT_FORM,
  });
  const cash = useController({ control, name: "cash" }).field;
  const errors = formState.errors;
  const source = watch("source");
  const declared = useMemo(() => Object.entries(params), [params]);
  const declaredKey = JSON.stringify(params);

  // Keep what the user typed for params the program still declares; defaults for new ones.
  useEffect(() => {
    const current = getValues("params") ?? {};
    const next: Record<string, number> = {};
    for (const [name, value] of Object.entries(JSON.parse(declaredKey) as Record<string, number>)) {
      next[name] = Number.isFinite(current[name]) ? current[name] : value;
    }
    setValue("params", next);
  }, [declaredKey, getValues, setValue]);

  const submit = handleSubmit(async (form: BacktestForm) => {
    setFailure(null);
    try {
      onStarted(await post<JobInfo>("/backtests", backtestRequest(form, strategy)));
    } catch (e) {
      setFailure(server.error(e));
    }
  });

  const error = (message: string | undefined) =>
    message ? <span className="text-xs text-red-600 dark:text-red-400">{t(message)}</span> : null;
  const num = { valueAsNumber: true } as const;

  return (
    <form onSubmit={submit} noValidate className="space-y-3" data-testid="backtest-form">
      <fieldset className="flex flex-wrap gap-4 text-sm">
        <legend className="sr-only">{t("bt.data")}</legend>
        <label className="flex items-center gap-1.5">
          <input type="radio" value="synth" {...register("source")} /> {t("bt.synth")}
        </label>
        <label className="flex items-center gap-1.5">
          <input type="radio" value="store" {...register("source")} /> {t("bt.store")}
        </label>
      </fieldset>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {source === "synth" ? (
          <>
            <label className={LABEL}>
              {t("bt.symbols")}
              <input type="number" inputMode="numeric" className={INPUT} {...register("symbols", num)} />
              {error(errors.symbols?.message)}
            </label>
            <label className={LABEL}>
              {t("bt.days")}
              <input type="number" inputMode="numeric" className={INPUT} {...register("days", num)} />
              {error(errors.days?.message)}
            </label>
            <label className={LABEL}>
              {t("bt.seed")}
              <input type="number" inputMode="numeric" className={INPUT} {...register("seed", num)} />
              {error(errors.seed?.message)}
            </label>
            <label className={LABEL}>
              {t("bt.firstDay")}
              <input type="date" className={INPUT} {...register("start")} />
              {error(errors.start?.message)}
            </label>
          </>
        ) : (
          <>
            <label className={LABEL}>
              {t("bt.start")}
              <input type="date" className={INPUT} {...register("start")} />
              {error(errors.start?.message)}
            </label>
            <label className={LABEL}>
              {t("bt.end")}
              <input type="date" className={INPUT} {...register("end")} />
              {error(errors.end?.message)}
            </label>
          </>
        )}
        <label className={`${LABEL} col-span-2`}>
          {t("bt.codes")}
          <input className={INPUT} placeholder="005930, 000660" autoCapitalize="characters" {...register("codes")} />
          {error(errors.codes?.message)}
        </label>
        <label className={`${LABEL} col-span-2 sm:col-span-1`}>
          {t("bt.cash")}
          <GroupedNumberInput
            className={`${INPUT} text-right tabular-nums`}
            name={cash.name}
            ref={cash.ref}
            onBlur={cash.onBlur}
            value={Number(cash.value)}
            onValue={cash.onChange}
            onStep={(steps) => cash.onChange(Math.max(1_000_000, (Number(cash.value) || 0) + steps * 1_000_000))}
          />
          {error(errors.cash?.message)}
        </label>
      </div>
      {declared.length > 0 && (
        <fieldset>
          <legend className="mb-1 text-xs font-semibold text-neutral-600 dark:text-slate-400">{t("bt.params")}</legend>
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            {declared.map(([name]) => (
              <label key={name} className={LABEL}>
                <span className="font-mono">{name}</span>
                <input type="number" step="any" data-param={name} className={INPUT} {...register(`params.${name}`, num)} />
                {error(errors.params?.[name]?.message)}
              </label>
            ))}
          </div>
          <p className="mt-1 text-xs text-neutral-500">{t("bt.paramsHint")}</p>
        </fieldset>
      )}
      {failure && (
        <p role="alert" data-testid="backtest-failure" className="text-sm text-red-600 dark:text-red-400">
          {failure}
        </p>
      )}
      <button
        type="submit"
        data-testid="backtest-submit"
        disabled={!ready || !canRun || formState.isSubmitting}
        className="rounded bg-sky-700 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-600 disabled:opacity-40"
      >
        {t("bt.run")}
      </button>
      {!canRun && <span className="ml-2 text-xs text-neutral-500">{t("strategies.traderOnly")}</span>}
      {canRun && !ready && <span className="ml-2 text-xs text-neutral-500">{t("bt.fixFirst")}</span>}
    </form>
  );
}
