"use client";
// The strategies trading on the account now, with pause, resume and stop.
import { useState } from "react";
import { ApiError, post } from "@/lib/api";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import { StateBadge } from "./SavedList";
import type { RunningStrategy } from "./queries";

type Props = {
  items: RunningStrategy[] | undefined;
  error: unknown;
  canTrade: boolean;
  onChanged: () => void;
  onError: (message: string) => void;
};

const BUTTON = "rounded border border-neutral-300 px-2 py-0.5 text-xs hover:bg-neutral-100 disabled:opacity-40 dark:border-slate-700 dark:hover:bg-slate-800";

export function RunningList({ items, error, canTrade, onChanged, onError }: Props) {
  const t = useT();
  const server = useServerText();
  const [busy, setBusy] = useState<string | null>(null);

  const act = async (name: string, action: "pause" | "resume" | "stop") => {
    if (action === "stop" && !window.confirm(t("strategies.confirmStop", { name }))) return;
    setBusy(name);
    try {
      await post(`/trading/strategies/${encodeURIComponent(name)}`, { action });
      onChanged();
    } catch (e) {
      onError(server.error(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="running-title">
      <h2 id="running-title" className="mb-2 text-sm font-semibold">
        {t("strategies.running")}
      </h2>
      {error instanceof ApiError && <p className="text-xs text-neutral-500">{server.error(error)}</p>}
      {items && items.length === 0 && <p className="text-xs text-neutral-500">{t("strategies.noneRunning")}</p>}
      <ul className="space-y-2" data-testid="running-list">
        {items?.map((item) => (
          <li key={item.name} data-testid="running-item" data-name={item.name} data-state={item.state} className="rounded border border-neutral-200 p-2 dark:border-slate-800">
            <div className="flex items-center gap-2 text-sm">
              <span className="truncate font-medium">{item.name}</span>
              <StateBadge state={item.state} />
            </div>
            <div className="mt-0.5 text-xs text-neutral-500">{t("strategies.runningCounts", { symbols: item.symbols, orders: item.orders })}</div>
            {canTrade && (
              <div className="mt-1.5 flex gap-1">
                {item.state === "paused" ? (
                  <button type="button" className={BUTTON} disabled={busy === item.name} data-action="resume" onClick={() => act(item.name, "resume")}>
                    {t("strategies.resume")}
                  </button>
                ) : (
                  <button type="button" className={BUTTON} disabled={busy === item.name} data-action="pause" onClick={() => act(item.name, "pause")}>
                    {t("strategies.pause")}
                  </button>
                )}
                <button type="button" className={`${BUTTON} text-red-600 dark:text-red-400`} disabled={busy === item.name} data-action="stop" onClick={() => act(item.name, "stop")}>
                  {t("strategies.stop")}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
