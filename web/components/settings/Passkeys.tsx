"use client";
// Your passkeys: add one (options → the browser's authenticator → verify), list, delete.
// Docs: docs/passkeys.md. Needs a secure context (https, or http on localhost).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Card, Empty, ErrorLine, inputClass, Table, Td, Th } from "@/components/overview/ui";
import { ApiError, del, get, post } from "@/lib/api";
import { useLocale, useT } from "@/lib/i18n";
import "@/lib/messages/settings";
import { createPasskey } from "@/lib/webauthn";
import { fmtWhen } from "./when";

type Passkey = { credential_id: string; name: string; created_ns: number; last_used_ns: number | null };
type Ceremony = { ceremony_id: string; options: Record<string, unknown> };

const KEY = ["passkeys"] as const;

async function register(name: string): Promise<Passkey> {
  const { ceremony_id, options } = await post<Ceremony>("/auth/passkeys/register/options");
  const credential = await createPasskey(options);
  return post<Passkey>("/auth/passkeys/register/verify", { ceremony_id, credential, name });
}

const why = (error: unknown) =>
  error instanceof ApiError || error instanceof Error ? error.message : String(error);

export function Passkeys() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const queries = useQueryClient();
  const list = useQuery({ queryKey: KEY, queryFn: () => get<Passkey[]>("/auth/passkeys") });
  const [name, setName] = useState("");
  const refresh = () => queries.invalidateQueries({ queryKey: KEY });
  const add = useMutation({
    mutationFn: () => register(name.trim() || t("set.passkeyDefault")),
    onSuccess: () => {
      setName("");
      void refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => del<void>(`/auth/passkeys/${encodeURIComponent(id)}`), onSettled: refresh });
  const supported = typeof window !== "undefined" && window.isSecureContext && "PublicKeyCredential" in window;

  return (
    <Card title={t("set.passkeys")} testId="passkeys">
      <p className="mb-2 text-xs text-neutral-500 dark:text-slate-400">{t("set.passkeysHint")}</p>
      <ErrorLine error={list.error ?? remove.error} />
      {list.data?.length === 0 ? (
        <Empty>{t("set.noPasskeys")}</Empty>
      ) : (
        <Table testId="passkey-list">
          <thead>
            <tr>
              <Th>{t("set.passkeyName")}</Th>
              <Th>{t("set.created")}</Th>
              <Th>{t("set.lastUsed")}</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {list.data?.map((p) => (
              <tr key={p.credential_id} data-testid="passkey-row" data-name={p.name}>
                <Td className="font-medium">{p.name}</Td>
                <Td className="text-neutral-500">{fmtWhen(p.created_ns, locale)}</Td>
                <Td className="text-neutral-500">{fmtWhen(p.last_used_ns, locale) ?? t("set.never")}</Td>
                <Td>
                  <Button className="px-2 py-0.5 text-xs" variant="danger" data-testid="delete-passkey" onClick={() => remove.mutate(p.credential_id)}>
                    {t("common.delete")}
                  </Button>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {supported ? (
        <form
          className="mt-3 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <label className="block min-w-40 flex-1 text-sm">
            {t("set.passkeyName")}
            <input
              className={inputClass}
              value={name}
              maxLength={64}
              placeholder={t("set.passkeyDefault")}
              onChange={(e) => setName(e.target.value)}
              data-testid="passkey-name"
            />
          </label>
          <Button type="submit" variant="primary" data-testid="add-passkey" disabled={add.isPending}>
            {t("set.addPasskey")}
          </Button>
        </form>
      ) : (
        <p className="mt-3 text-sm text-amber-600">{t("set.passkeyUnsupported")}</p>
      )}
      {add.isError && (
        <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
          {t("set.passkeyFailed", { m: why(add.error) })}
        </p>
      )}
      {add.isSuccess && (
        <p role="status" data-testid="passkey-added" className="mt-2 text-sm text-emerald-600">
          {t("set.passkeyAdded")}
        </p>
      )}
    </Card>
  );
}
