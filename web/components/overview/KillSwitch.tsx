"use client";
// The kill switch: a big red button that only asks; the halt happens after the confirmation
// in the dialog (POST /risk/kill-switch). It stops all trading and cancels every working order.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { post } from "@/lib/api";
import { can, useAuth } from "@/lib/auth";
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { RISK_KEY } from "./risk";
import { SYSTEM_KEY } from "./system";
import { Button, Dialog, ErrorLine, inputClass } from "./ui";

type KillAnswer = { halted: boolean; cancelled: number; reason: string };

export function KillSwitch({ halted }: { halted: boolean }) {
  const t = useT();
  const user = useAuth((s) => s.user);
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const kill = useMutation({
    mutationFn: (why: string) => post<KillAnswer>("/risk/kill-switch", { reason: why }),
    onSuccess: () => {
      setOpen(false);
      void queries.invalidateQueries({ queryKey: RISK_KEY });
      void queries.invalidateQueries({ queryKey: SYSTEM_KEY });
    },
  });
  if (!can(user, "trader")) return null;

  const confirm = (event: React.FormEvent) => {
    event.preventDefault();
    kill.mutate(reason.trim() || t("overview.killDefaultReason"));
  };
  return (
    <div className="space-y-2">
      <button
        type="button"
        data-testid="kill-switch"
        disabled={halted}
        onClick={() => {
          kill.reset();
          setReason("");
          setOpen(true);
        }}
        className="w-full rounded-lg bg-red-600 px-4 py-4 text-lg font-extrabold tracking-wide text-white shadow-md ring-red-400 hover:bg-red-700 focus:ring-4 disabled:cursor-not-allowed disabled:opacity-40"
      >
        ■ {t("overview.kill")}
      </button>
      <p className="text-xs text-neutral-500 dark:text-slate-400">{t("overview.killHint")}</p>
      {halted && kill.data && (
        <p role="status" className="text-sm font-medium text-red-600 dark:text-red-400">
          {t("overview.killDone", { n: kill.data.cancelled })}
        </p>
      )}
      {open && (
        <Dialog title={t("overview.killTitle")} onClose={() => setOpen(false)} testId="kill-dialog">
          <form onSubmit={confirm} className="space-y-3">
            <p className="text-sm text-neutral-600 dark:text-slate-300">{t("overview.killHint")}</p>
            <label className="block text-sm">
              {t("overview.killReason")}
              <input
                className={inputClass}
                value={reason}
                maxLength={200}
                placeholder={t("overview.killDefaultReason")}
                onChange={(e) => setReason(e.target.value)}
                data-testid="kill-reason"
              />
            </label>
            <ErrorLine error={kill.error} />
            <div className="flex justify-end gap-2">
              <Button onClick={() => setOpen(false)}>{t("common.cancel")}</Button>
              <Button type="submit" variant="danger" data-testid="kill-confirm" disabled={kill.isPending}>
                {t("overview.killConfirm")}
              </Button>
            </div>
          </form>
        </Dialog>
      )}
    </div>
  );
}
