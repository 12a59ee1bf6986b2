"use client";
// Equity and P&L at a glance: today's P&L is the account's daily_pnl, the total is realized
// plus unrealized, coloured the Korean way (red up, blue down).
import { changeColor, fmtClock, fmtSigned, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { useAccount } from "@/lib/stores/account";

function Stat({ label, value, sub, tone = "", testId }: { label: string; value: string; sub?: string; tone?: string; testId: string }) {
  return (
    <div className="min-w-0 rounded-lg border border-neutral-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="text-xs text-neutral-500 dark:text-slate-400">{label}</div>
      <div data-testid={testId} className={`truncate text-xl font-bold tabular-nums sm:text-2xl ${tone}`}>
        {value}
      </div>
      {sub && <div className="break-words text-xs text-neutral-500 tabular-nums dark:text-slate-400">{sub}</div>}
    </div>
  );
}

export function AccountSummary() {
  const t = useT();
  const pnl = useAccount((s) => s.pnl);
  const total = pnl ? pnl.realized_pnl + pnl.unrealized_pnl : null;
  const pct = (n: number) => (pnl && pnl.equity - n !== 0 ? ` (${((n / (pnl.equity - n)) * 100).toFixed(2)}%)` : "");
  return (
    <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <Stat
        testId="equity"
        label={t("overview.equity")}
        value={fmtWon(pnl?.equity)}
        sub={pnl ? t("overview.asOf", { t: fmtClock(pnl.ts_ns) }) : undefined}
      />
      <Stat
        testId="daily-pnl"
        label={t("overview.dailyPnl")}
        value={pnl ? fmtSigned(pnl.daily_pnl) : "—"}
        sub={pnl ? pct(pnl.daily_pnl).trim() : undefined}
        tone={pnl ? changeColor(pnl.daily_pnl) : ""}
      />
      <Stat
        testId="total-pnl"
        label={t("overview.totalPnl")}
        value={total === null ? "—" : fmtSigned(total)}
        sub={pnl ? t("overview.realizedUnrealized", { r: fmtSigned(pnl.realized_pnl), u: fmtSigned(pnl.unrealized_pnl) }) : undefined}
        tone={total === null ? "" : changeColor(total)}
      />
      <Stat
        testId="cash"
        label={t("overview.cash")}
        value={fmtWon(pnl?.cash)}
        sub={pnl ? t("overview.exposure", { v: fmtWon(pnl.gross_exposure) }) : undefined}
      />
    </div>
  );
}
