"use client";
// Across the top of the overview while trading is not fully on: red when halted (kill switch
// or a breach), amber in reduce-only. Admins lift a halt here (POST /risk/resume {reason}).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { post } from "@/lib/api";
import { can, useAuth } from "@/lib/auth";
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { RISK_KEY, type RiskState } from "./risk";
import { SYSTEM_KEY } from "./system";
import { Button, Dialog, ErrorLine, inputClass } from "./ui";

export function HaltBanner({ risk }: { risk: RiskState }) {
  const t = useT();
  const user = useAuth((s) => s.user);
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const resume = useMutation({
    mutationFn: (why: string) => post<RiskState>("/risk/resume", { reason: why }),
    onSuccess: (state) => {
      queries.setQueryData(RISK_KEY, state);
      void queries.invalidateQueries({ queryKey: SYSTEM_KEY });
      setOpen(false);
    },
  });
  if (risk.state === "active") return null;
  const halted = risk.state === "halted";
  const why = risk.killed || risk.reason;
  return (
    <div
      role="alert"
      data-testid="halted-banner"
      data-state={risk.state}
      className={`flex flex-wrap items-center gap-x-4 gap-y-2 rounded-lg px-4 py-3 ${halted ? "bg-red-600 text-white" : "bg-amber-400 text-black"}`}
    >
      <div className="min-w-0 flex-1">
        <div className="text-lg font-bold">{halted ? `■ ${t("overview.haltedBanner")}` : t("overview.reduceBanner")}</div>
        {why && <div className="break-words text-sm opacity-90">{t("overview.reason", { r: why })}</div>}
      </div>
      {halted &&
        (can(user, "admin") ? (
          <button
            type="button"
            data-testid="resume-trading"
            className="rounded bg-white px-3 py-1.5 text-sm font-semibold text-red-700 hover:bg-red-50"
            onClick={() => {
              resume.reset();
              setOpen(true);
            }}
          >
            {t("overview.resume")}
          </button>
        ) : (
          <span className="text-sm opacity-90">{t("overview.haltedAdminOnly")}</span>
        ))}
      {open && (
        <Dialog title={t("overview.resumeTitle")} onClose={() => setOpen(false)} testId="resume-dialog">
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (reason.trim()) resume.mutate(reason.trim());
            }}
          >
            <label className="block text-sm">
              {t("overview.resumeReason")}
              <input
                className={inputClass}
                value={reason}
                required
                maxLength={200}
                onChange={(e) => setReason(e.target.value)}
                data-testid="resume-reason"
              />
            </label>
            <ErrorLine error={resume.error} />
            <div className="flex justify-end gap-2">
              <Button onClick={() => setOpen(false)}>{t("common.cancel")}</Button>
              <Button type="submit" variant="primary" data-testid="resume-confirm" disabled={!reason.trim() || resume.isPending}>
                {t("overview.resumeConfirm")}
              </Button>
            </div>
          </form>
        </Dialog>
      )}
    </div>
  );
}
