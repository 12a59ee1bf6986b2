"use client";
// Alerts as they fire, from the account store (the `alerts` channel, since the dashboard
// opened); each links to what the notification would open.
import Link from "next/link";
import { useT } from "@/lib/i18n";
import { useAccount } from "@/lib/stores/account";
import { fmtStamp } from "./format";

export function RecentAlerts() {
  const t = useT();
  const alerts = useAccount((s) => s.alerts);
  return (
    <section aria-labelledby="recent-title" className="space-y-2 rounded border border-neutral-200 p-3 dark:border-slate-800">
      <h2 id="recent-title" className="text-base font-semibold">
        {t("alerts.recent")}
      </h2>
      {alerts.length === 0 && <p className="text-sm text-neutral-500">{t("alerts.recentNone")}</p>}
      <ul className="space-y-2" data-testid="recent-alerts">
        {alerts.map((a, i) => (
          <li key={`${a.ts_ns}-${a.rule_id}-${i}`} data-testid="recent-alert" data-rule={a.rule_id} className="text-sm">
            <Link href={a.url || "/"} className="block rounded px-1 py-0.5 hover:bg-neutral-100 dark:hover:bg-slate-900">
              <span className="flex items-baseline gap-2">
                <span className="font-semibold">{a.title}</span>
                <span className="ml-auto shrink-0 font-mono text-xs text-neutral-500">{fmtStamp(a.ts_ns)}</span>
              </span>
              <span className="block text-xs whitespace-pre-line text-neutral-600 dark:text-slate-400">{a.body}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
