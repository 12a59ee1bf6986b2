"use client";
// API keys for bots: your own (an admin sees everyone's). A new key's secret is shown once,
// right after creation, with a copy button; afterwards only its id and name remain.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Card, Empty, ErrorLine, inputClass, Table, Td, Th } from "@/components/overview/ui";
import { del, get, post } from "@/lib/api";
import { can, useAuth, type User } from "@/lib/auth";
import { useLocale, useT } from "@/lib/i18n";
import "@/lib/messages/settings";
import { USERS_KEY, type UserRow } from "./Users";
import { fmtWhen } from "./when";

type Scope = "read" | "trade" | "admin";
type ApiKey = { key_id: string; user_id: number; name: string; scopes: Scope[]; created_ns: number; last_used_ns: number | null; revoked: boolean };
type Created = ApiKey & { secret: string };

const KEY = ["api-keys"] as const;
const SCOPES: Scope[] = ["read", "trade", "admin"];

/** The scopes a role may hand to a key (a key has at most its owner's permissions). */
export const scopesOf = (role: User["role"]): Scope[] =>
  role === "admin" ? ["read", "trade", "admin"] : role === "trader" ? ["read", "trade"] : ["read"];

function SecretOnce({ created, onDone }: { created: Created; onDone: () => void }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="mb-3 rounded border border-amber-400 bg-amber-50 p-3 dark:bg-amber-950/40">
      <p className="mb-2 text-sm font-semibold">{t("set.secretOnce")}</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="api-key-secret" className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 text-xs dark:bg-slate-950">
          {created.secret}
        </code>
        <Button
          className="px-2 py-1 text-xs"
          onClick={() => void navigator.clipboard?.writeText(created.secret).then(() => setCopied(true), () => undefined)}
        >
          {copied ? t("set.copied") : t("set.copy")}
        </Button>
        <Button className="px-2 py-1 text-xs" variant="primary" onClick={onDone} data-testid="api-key-done">
          {t("set.done")}
        </Button>
      </div>
    </div>
  );
}

export function ApiKeys() {
  const t = useT();
  const locale = useLocale((s) => s.locale);
  const me = useAuth((s) => s.user);
  const admin = can(me, "admin");
  const queries = useQueryClient();
  const keys = useQuery({ queryKey: KEY, queryFn: () => get<ApiKey[]>("/api-keys") });
  const users = useQuery({ queryKey: USERS_KEY, queryFn: () => get<UserRow[]>("/users"), enabled: admin });
  const owners = new Map((users.data ?? []).map((u) => [u.id, u.username]));
  const allowed = me ? scopesOf(me.role) : [];
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Set<Scope>>(new Set(["read"]));
  const [created, setCreated] = useState<Created | null>(null);
  const refresh = () => queries.invalidateQueries({ queryKey: KEY });
  const create = useMutation({
    mutationFn: () => post<Created>("/api-keys", { name: name.trim(), scopes: allowed.filter((s) => scopes.has(s)) }),
    onSuccess: (key) => {
      setCreated(key);
      setName("");
      void refresh();
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => del<ApiKey>(`/api-keys/${encodeURIComponent(id)}`), onSettled: refresh });
  const toggle = (s: Scope) =>
    setScopes((old) => {
      const next = new Set(old);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next;
    });

  return (
    <Card title={t("set.apiKeys")} testId="api-keys">
      <p className="mb-2 text-xs text-neutral-500 dark:text-slate-400">{t("set.apiKeysHint")}</p>
      {created && <SecretOnce created={created} onDone={() => setCreated(null)} />}
      <ErrorLine error={keys.error ?? revoke.error} />
      {keys.data?.length === 0 ? (
        <Empty>{t("set.noKeys")}</Empty>
      ) : (
        <Table testId="api-key-list">
          <thead>
            <tr>
              <Th>{t("set.keyName")}</Th>
              <Th>ID</Th>
              {admin && <Th>{t("set.owner")}</Th>}
              <Th>{t("set.scopes")}</Th>
              <Th>{t("set.created")}</Th>
              <Th>{t("set.lastUsed")}</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {keys.data?.map((k) => (
              <tr key={k.key_id} data-testid="api-key-row" data-name={k.name} data-revoked={k.revoked} className={k.revoked ? "opacity-50" : ""}>
                <Td className="font-medium">{k.name}</Td>
                <Td className="font-mono text-xs">{k.key_id}</Td>
                {admin && <Td>{owners.get(k.user_id) ?? k.user_id}</Td>}
                <Td>{SCOPES.filter((s) => k.scopes.includes(s)).map((s) => t(`set.scope.${s}`)).join(", ")}</Td>
                <Td className="text-neutral-500">{fmtWhen(k.created_ns, locale)}</Td>
                <Td className="text-neutral-500">{fmtWhen(k.last_used_ns, locale) ?? t("set.never")}</Td>
                <Td>
                  {k.revoked ? (
                    <span className="text-xs text-neutral-500">{t("set.revoked")}</span>
                  ) : (
                    <Button className="px-2 py-0.5 text-xs" variant="danger" data-testid="revoke-key" onClick={() => revoke.mutate(k.key_id)}>
                      {t("set.revoke")}
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <form
        className="mt-3 flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() && scopes.size) create.mutate();
        }}
      >
        <label className="block min-w-40 flex-1 text-sm">
          {t("set.keyName")}
          <input className={inputClass} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} data-testid="api-key-name" />
        </label>
        <fieldset className="flex gap-3 pb-1.5 text-sm">
          <legend className="sr-only">{t("set.scopes")}</legend>
          {allowed.map((s) => (
            <label key={s} className="flex items-center gap-1">
              <input type="checkbox" checked={scopes.has(s)} onChange={() => toggle(s)} data-testid={`api-key-scope-${s}`} />
              {t(`set.scope.${s}`)}
            </label>
          ))}
        </fieldset>
        <Button type="submit" variant="primary" data-testid="create-api-key" disabled={!name.trim() || scopes.size === 0 || create.isPending}>
          {t("set.createKey")}
        </Button>
      </form>
      <ErrorLine error={create.error} />
    </Card>
  );
}
