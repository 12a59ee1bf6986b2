"use client";
// Users (admin): add one with a role, change a role, disable or enable, set a password,
// delete. An admin cannot demote, disable or delete itself (the API refuses; the controls
// are off for the own row).
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Button, Card, Dialog, ErrorLine, inputClass, Table, Td, Th } from "@/components/overview/ui";
import { del, get, patch, post } from "@/lib/api";
import { useAuth, type User } from "@/lib/auth";
import { useT } from "@/lib/i18n";
import "@/lib/messages/settings";

export type UserRow = User & { disabled: boolean };
type Change = { role?: User["role"]; disabled?: boolean; password?: string };

export const ROLES = ["viewer", "trader", "admin"] as const;
export const USERS_KEY = ["users"] as const;

export const newUserSchema = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, "set.err.username"),
  password: z.string().min(8, "set.err.password").max(256, "set.err.password"),
  role: z.enum(ROLES),
});
type NewUser = z.infer<typeof newUserSchema>;

function PasswordDialog({ user, onClose }: { user: UserRow; onClose: () => void }) {
  const t = useT();
  const [password, setPassword] = useState("");
  const change = useMutation({ mutationFn: () => patch<UserRow>(`/users/${user.id}`, { password }), onSuccess: onClose });
  return (
    <Dialog title={`${t("set.setPassword")} · ${user.username}`} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <label className="block text-sm">
          {t("set.newPassword")}
          <input type="password" autoComplete="new-password" className={inputClass} value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ErrorLine error={change.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary" disabled={password.length < 8 || change.isPending}>
            {t("common.save")}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function AddUser() {
  const t = useT();
  const queries = useQueryClient();
  const form = useForm<NewUser>({ resolver: zodResolver(newUserSchema), defaultValues: { username: "", password: "", role: "viewer" } });
  const create = useMutation({
    mutationFn: (v: NewUser) => post<UserRow>("/users", v),
    onSuccess: () => {
      form.reset();
      void queries.invalidateQueries({ queryKey: USERS_KEY });
    },
  });
  const errors = form.formState.errors;
  return (
    <form noValidate onSubmit={form.handleSubmit((v) => create.mutate(v))} className="mt-3 grid items-start gap-2 sm:grid-cols-[1fr_1fr_auto_auto]">
      <label className="block text-sm">
        {t("set.username")}
        <input className={inputClass} autoComplete="off" data-testid="new-username" {...form.register("username")} />
        {errors.username?.message && <span className="text-xs text-red-500">{t(errors.username.message)}</span>}
      </label>
      <label className="block text-sm">
        {t("set.password")}
        <input type="password" autoComplete="new-password" className={inputClass} data-testid="new-password" {...form.register("password")} />
        {errors.password?.message && <span className="text-xs text-red-500">{t(errors.password.message)}</span>}
      </label>
      <label className="block text-sm">
        {t("set.role")}
        <select className={inputClass} data-testid="new-role" {...form.register("role")}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`set.role.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <Button type="submit" variant="primary" className="sm:mt-5" data-testid="add-user" disabled={create.isPending}>
        {t("set.addUser")}
      </Button>
      <div className="sm:col-span-4">
        <ErrorLine error={create.error} />
      </div>
    </form>
  );
}

export function Users() {
  const t = useT();
  const me = useAuth((s) => s.user);
  const queries = useQueryClient();
  const users = useQuery({ queryKey: USERS_KEY, queryFn: () => get<UserRow[]>("/users") });
  const [passwordFor, setPasswordFor] = useState<UserRow | null>(null);
  const [doomed, setDoomed] = useState<UserRow | null>(null);
  const refresh = () => queries.invalidateQueries({ queryKey: USERS_KEY });
  // A change shows at once (the inputs are controlled by the list) and stays shown until
  // the list, fetched again after the answer, says the same.
  const [pending, setPending] = useState<Record<number, Change>>({});
  const change = useMutation({
    mutationFn: ({ id, ...body }: Change & { id: number }) => patch<UserRow>(`/users/${id}`, body),
    onSettled: async (_user, _error, { id }) => {
      await refresh();
      setPending(({ [id]: _done, ...rest }) => rest);
    },
  });
  const apply = (id: number, body: Change) => {
    setPending((old) => ({ ...old, [id]: { ...old[id], ...body } }));
    change.mutate({ id, ...body });
  };
  const remove = useMutation({
    mutationFn: (id: number) => del<void>(`/users/${id}`),
    onSuccess: () => setDoomed(null),
    onSettled: refresh,
  });
  return (
    <Card title={t("set.users")} testId="users">
      <ErrorLine error={users.error ?? change.error} />
      <Table testId="user-list">
        <thead>
          <tr>
            <Th>{t("set.username")}</Th>
            <Th>{t("set.role")}</Th>
            <Th>{t("set.disabled")}</Th>
            <Th />
          </tr>
        </thead>
        <tbody>
          {users.data?.map((listed) => {
            const u = { ...listed, ...pending[listed.id] };
            const self = u.id === me?.id;
            return (
              <tr key={u.id} data-testid="user-row" data-username={u.username} className={u.disabled ? "opacity-60" : ""}>
                <Td className="font-medium">
                  {u.username} {self && <span className="text-xs text-neutral-500">({t("set.you")})</span>}
                </Td>
                <Td>
                  <select
                    aria-label={t("set.role")}
                    className={`${inputClass} w-auto py-0.5`}
                    value={u.role}
                    disabled={self}
                    data-testid="user-role"
                    onChange={(e) => apply(u.id, { role: e.target.value as User["role"] })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`set.role.${r}`)}
                      </option>
                    ))}
                  </select>
                </Td>
                <Td>
                  <input
                    type="checkbox"
                    aria-label={t("set.disabled")}
                    className="h-4 w-4"
                    checked={u.disabled}
                    disabled={self}
                    data-testid="user-disabled"
                    onChange={(e) => apply(u.id, { disabled: e.target.checked })}
                  />
                </Td>
                <Td>
                  <span className="flex gap-1">
                    <Button className="px-2 py-0.5 text-xs" onClick={() => setPasswordFor(u)}>
                      {t("set.setPassword")}
                    </Button>
                    <Button className="px-2 py-0.5 text-xs" variant="danger" disabled={self} data-testid="delete-user" onClick={() => setDoomed(u)}>
                      {t("common.delete")}
                    </Button>
                  </span>
                </Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      <AddUser />
      {passwordFor && <PasswordDialog user={passwordFor} onClose={() => setPasswordFor(null)} />}
      {doomed && (
        <Dialog title={t("set.deleteTitle")} onClose={() => setDoomed(null)} testId="delete-user-dialog">
          <p className="mb-3 text-sm">{t("set.deleteUser", { u: doomed.username })}</p>
          <ErrorLine error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setDoomed(null)}>{t("common.cancel")}</Button>
            <Button variant="danger" data-testid="confirm-delete-user" onClick={() => remove.mutate(doomed.id)} disabled={remove.isPending}>
              {t("common.delete")}
            </Button>
          </div>
        </Dialog>
      )}
    </Card>
  );
}
