"use client";
// Notifications on this device: enable (permission, subscribe, register), disable, send a
// test, and the browsers the server pushes to for this user.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError } from "@/lib/api";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import { fmtStamp } from "./format";
import { currentSubscription, disablePush, enablePush, forget, pushSupport, sendTest, serverSubscriptions, type TestResult } from "./push";

const BUTTON = "rounded px-3 py-1.5 text-sm font-semibold disabled:opacity-40";

export function PushPanel() {
  const t = useT();
  const server = useServerText();
  const client = useQueryClient();
  const [support] = useState(pushSupport);
  const [permission, setPermission] = useState<string>(() => (typeof Notification === "undefined" ? "default" : Notification.permission));
  const [mine, setMine] = useState<PushSubscription | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const servers = useQuery({ queryKey: ["push", "subscriptions"], queryFn: serverSubscriptions });
  const registered = mine !== null && (servers.data ?? []).some((s) => s.endpoint === mine.endpoint);

  useEffect(() => {
    currentSubscription().then(setMine, () => setMine(null));
  }, []);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
    } catch (e) {
      setMessage({ ok: false, text: server.error(e) });
    } finally {
      if (typeof Notification !== "undefined") setPermission(Notification.permission);
      await client.invalidateQueries({ queryKey: ["push", "subscriptions"] });
      setBusy(false);
    }
  };

  const enable = () =>
    run(async () => {
      setMine(await enablePush());
      setMessage({ ok: true, text: t("push.enabled") });
    });
  const disable = () =>
    run(async () => {
      if (mine) await disablePush(mine).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? undefined : Promise.reject(e)));
      setMine(null);
      setMessage({ ok: true, text: t("push.disabled") });
    });
  const tryTest = () =>
    run(async () => {
      setTest(null);
      setTest(await sendTest());
    });

  return (
    <section aria-labelledby="push-title" className="space-y-3 rounded border border-neutral-200 p-3 dark:border-slate-800" data-testid="push-panel">
      <h2 id="push-title" className="text-base font-semibold">
        {t("push.title")}
      </h2>
      {support !== "ok" ? (
        <p className="text-sm text-amber-700 dark:text-amber-300">{t(`push.${support}`)}</p>
      ) : (
        <p className="text-sm" data-testid="push-state" data-registered={registered ? "yes" : "no"}>
          {permission === "denied" ? t("push.blocked") : registered ? t("push.on") : t("push.off")}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        {!registered && (
          <button type="button" data-testid="push-enable" onClick={enable} disabled={busy || support !== "ok" || permission === "denied"} className={`${BUTTON} bg-sky-700 text-white hover:bg-sky-600`}>
            {t("push.enable")}
          </button>
        )}
        {mine && (
          <button type="button" data-testid="push-disable" onClick={disable} disabled={busy} className={`${BUTTON} border border-neutral-300 dark:border-slate-700`}>
            {t("push.disable")}
          </button>
        )}
        <button
          type="button"
          data-testid="push-test"
          onClick={tryTest}
          disabled={busy || !servers.data?.length}
          className={`${BUTTON} border border-neutral-300 dark:border-slate-700`}
        >
          {t("push.test")}
        </button>
      </div>
      {busy && <p className="text-xs text-neutral-500">{t("common.loading")}</p>}
      {message && (
        <p role="status" data-testid="push-message" className={`text-sm ${message.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}>
          {message.text}
        </p>
      )}
      {test && (
        <p role="status" data-testid="push-test-result" className="text-sm">
          {t("push.testResult", test)}
        </p>
      )}
      {servers.data && servers.data.length > 0 && (
        <div>
          <h3 className="mb-1 text-xs font-semibold text-neutral-600 dark:text-slate-400">{t("push.devices", { n: servers.data.length })}</h3>
          <ul className="space-y-1 text-xs" data-testid="push-devices">
            {servers.data.map((s) => (
              <li key={s.id} className="flex items-center gap-2">
                <span className="truncate font-mono">{hostOf(s.endpoint)}</span>
                {s.endpoint === mine?.endpoint && <span className="rounded bg-sky-100 px-1 text-sky-800 dark:bg-sky-900 dark:text-sky-200">{t("push.thisDevice")}</span>}
                <span className="ml-auto shrink-0 text-neutral-500">{fmtStamp(s.created_ns)}</span>
                <button
                  type="button"
                  aria-label={t("common.delete")}
                  onClick={() => run(() => forget(s.endpoint))}
                  className="shrink-0 rounded px-1 text-neutral-500 hover:bg-neutral-100 hover:text-red-600 dark:hover:bg-slate-800"
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
