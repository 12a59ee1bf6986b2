"use client";
// Broker accounts (admin): which secrets are stored per account — never their values — and a
// form that stores new ones (PUT /brokers/credentials/{broker}/{account}). The secret inputs
// are never prefilled and are cleared after each save.
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button, Card, Dialog, Empty, ErrorLine, inputClass, Table, Td, Th } from "@/components/overview/ui";
import { del, get, put } from "@/lib/api";
import { useLocale, useT } from "@/lib/i18n";
import "@/lib/messages/settings";
import { fmtWhen } from "./when";

type Credential = { broker: "kis" | "creon"; account: string; fields: string[]; updated_ns: number };

export const SECRET_FIELDS = ["app_key", "app_secret", "account_password", "hts_id"] as const;
const KEY = ["brokers"] as const;

export const credentialSchema = z
  .object({
    broker: z.enum(["kis", "creon"]),
    account: z.string().trim().regex(/^[0-9A-Za-z-]{1,64}$/, "set.err.account"),
    app_key: z.string().max(512),
    app_secret: z.string().max(512),
    account_password: z.string().max(128),
    hts_id: z.string().max(64),
  })
  .refine((v) => SECRET_FIELDS.some((f) => v[f] !== ""), { message: "set.err.oneSecret", path: ["app_key"] });

type Form = z.infer<typeof credentialSchema>;
const BLANK: Form = { broker: "kis", account: "", app_key: "", app_secret: "", account_password: "", hts_id: "" };

/** Only the fields given: a blank input sends nothing (the route stores what it receives). */
const secretsOf = (form: Form) => Object.fromEntries(SECRET_FIELDS.filter((f) => form[f] !== "").map((f) => [f, form[f]]));

export function BrokerAccounts() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const queries = useQueryClient();
  const list = useQuery({ queryKey: KEY, queryFn: () => get<Credential[]>("/brokers/credentials") });
  const form = useForm<Form>({ resolver: zodResolver(credentialSchema), defaultValues: BLANK });
  const [doomed, setDoomed] = useState<Credential | null>(null);
  const save = useMutation({
    mutationFn: (v: Form) => put<Credential>(`/brokers/credentials/${v.broker}/${encodeURIComponent(v.account)}`, secretsOf(v)),
    onSuccess: (_c, v) => {
      form.reset({ ...BLANK, broker: v.broker, account: v.account });
      void queries.invalidateQueries({ queryKey: KEY });
    },
  });
  const remove = useMutation({
    mutationFn: (c: Credential) => del<void>(`/brokers/credentials/${c.broker}/${encodeURIComponent(c.account)}`),
    onSuccess: () => {
      setDoomed(null);
      void queries.invalidateQueries({ queryKey: KEY });
    },
  });
  const errors = form.formState.errors;

  return (
    <Card title={t("set.brokers")} testId="brokers">
      <p className="mb-2 text-xs text-neutral-500 dark:text-slate-400">{t("set.brokersHint")}</p>
      <ErrorLine error={list.error} />
      {list.data?.length === 0 && <Empty>{t("set.noBrokers")}</Empty>}
      {!!list.data?.length && (
        <Table testId="broker-list">
          <thead>
            <tr>
              <Th>{t("set.broker")}</Th>
              <Th>{t("set.account")}</Th>
              <Th>{t("set.storedFields")}</Th>
              <Th>{t("set.updated")}</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={`${c.broker}/${c.account}`} data-testid="broker-row">
                <Td className="font-medium uppercase">{c.broker}</Td>
                <Td className="tabular-nums">{c.account}</Td>
                <Td>
                  <span className="flex flex-wrap gap-1">
                    {SECRET_FIELDS.map((f) => (
                      <span
                        key={f}
                        className={`rounded px-1.5 text-xs ${c.fields.includes(f) ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300" : "bg-neutral-100 text-neutral-400 line-through dark:bg-slate-800"}`}
                      >
                        {t(`set.field.${f}`)}
                      </span>
                    ))}
                  </span>
                </Td>
                <Td className="text-neutral-500">{fmtWhen(c.updated_ns, locale)}</Td>
                <Td>
                  <span className="flex gap-1">
                    <Button className="px-2 py-0.5 text-xs" onClick={() => form.reset({ ...BLANK, broker: c.broker, account: c.account })}>
                      {t("set.edit")}
                    </Button>
                    <Button className="px-2 py-0.5 text-xs" variant="danger" onClick={() => setDoomed(c)}>
                      {t("common.delete")}
                    </Button>
                  </span>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <form noValidate autoComplete="off" onSubmit={form.handleSubmit((v) => save.mutate(v))} className="mt-3 grid gap-2 sm:grid-cols-2">
        <label className="block text-sm">
          {t("set.broker")}
          <select className={inputClass} {...form.register("broker")}>
            <option value="kis">KIS (한국투자증권)</option>
            <option value="creon">Creon (대신증권)</option>
          </select>
        </label>
        <label className="block text-sm">
          {t("set.account")}
          <input className={inputClass} data-testid="broker-account" {...form.register("account")} />
          {errors.account?.message && <span className="text-xs text-red-500">{t(errors.account.message)}</span>}
        </label>
        {SECRET_FIELDS.map((f) => (
          <label key={f} className="block text-sm">
            {t(`set.field.${f}`)}
            <input
              type="password"
              autoComplete="new-password"
              placeholder={t("set.secretPlaceholder")}
              className={inputClass}
              data-testid={`broker-${f}`}
              {...form.register(f)}
            />
            {errors[f]?.message && <span className="text-xs text-red-500">{t(String(errors[f]?.message))}</span>}
          </label>
        ))}
        <div className="flex items-center justify-end gap-2 sm:col-span-2">
          <ErrorLine error={save.error} />
          {save.isSuccess && <span className="text-sm text-emerald-600">{t("set.saved")}</span>}
          <Button type="submit" variant="primary" data-testid="broker-save" disabled={save.isPending}>
            {t("set.brokerSave")}
          </Button>
        </div>
      </form>
      {doomed && (
        <Dialog title={t("set.deleteTitle")} onClose={() => setDoomed(null)}>
          <p className="mb-3 text-sm">{t("set.deleteBroker", { b: doomed.broker.toUpperCase(), a: doomed.account })}</p>
          <ErrorLine error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setDoomed(null)}>{t("common.cancel")}</Button>
            <Button variant="danger" onClick={() => remove.mutate(doomed)} disabled={remove.isPending}>
              {t("common.delete")}
            </Button>
          </div>
        </Dialog>
      )}
    </Card>
  );
}
