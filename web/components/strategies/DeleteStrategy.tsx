"use client";
// Delete a saved strategy (every version: DELETE /strategies/{name}), after a confirmation
// that names it and says a running copy keeps running. Traders and admins only, as the API.
import { useState } from "react";
import { Button, Dialog } from "@/components/overview/ui";
import { del } from "@/lib/api";
import { useT } from "@/lib/i18n";
import "@/lib/messages/strategies";
import { useServerText } from "@/lib/serverText";

type Props = {
  name: string;
  disabled: boolean;
  running: boolean;
  onDeleted: () => void;
};

export function DeleteStrategy({ name, disabled, running, onDeleted }: Props) {
  const t = useT();
  const server = useServerText();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const close = () => {
    setAsking(false);
    setFailure(null);
  };
  const confirm = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await del(`/strategies/${encodeURIComponent(name)}`);
      setAsking(false);
      onDeleted();
    } catch (e) {
      setFailure(server.error(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        data-testid="strategy-delete"
        disabled={disabled}
        onClick={() => setAsking(true)}
        className="rounded border border-red-300 px-3 py-1.5 text-sm font-semibold text-red-700 hover:bg-red-50 disabled:opacity-40 dark:border-red-900 dark:text-red-400 dark:hover:bg-red-950/40"
      >
        {t("strategies.delete")}
      </button>
      {asking && (
        <Dialog title={t("strategies.deleteTitle", { name })} onClose={close} testId="strategy-delete-dialog">
          <p className="mb-2 text-sm">{t("strategies.deleteBody", { name })}</p>
          {running && <p className="mb-2 text-sm text-amber-700 dark:text-amber-400">{t("strategies.deleteRunning")}</p>}
          {failure && (
            <p role="alert" className="mb-2 text-sm text-red-600 dark:text-red-400">
              {failure}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button onClick={close}>{t("common.cancel")}</Button>
            <Button variant="danger" data-testid="strategy-delete-confirm" disabled={busy} onClick={confirm}>
              {t("strategies.delete")}
            </Button>
          </div>
        </Dialog>
      )}
    </>
  );
}
