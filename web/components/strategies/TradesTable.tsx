"use client";
// The round trips of a backtest result: when each position opened and closed, at what
// prices, and what it made after costs. Newest first; the API sends the last 500 of them.
import { useMemo } from "react";
import { changeColor, fmtSigned, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/strategies";
import { formatMetric } from "./metrics";
import { fmtStamp } from "./format";
import type { Trade } from "./queries";

const price = (p: number) => fmtWon(Math.round(p));

export function TradesTable({ trades, total }: { trades: Trade[]; total: number }) {
  const t = useT();
  const rows = useMemo(() => [...trades].reverse(), [trades]);
  if (!trades.length) return <p className="text-xs text-neutral-500">{t("bt.noTrades")}</p>;
  return (
    <section data-testid="backtest-trades" aria-label={t("bt.trades")}>
      <h3 className="mb-1 flex items-baseline justify-between text-sm font-semibold">
        {t("bt.trades")}
        <span className="text-xs font-normal text-neutral-500">{total > trades.length ? t("bt.tradesShown", { n: trades.length, total }) : t("bt.tradesAll", { n: total })}</span>
      </h3>
      <div className="max-h-80 overflow-auto rounded border border-neutral-200 dark:border-slate-800">
        <table className="w-full min-w-[720px] text-xs">
          <thead className="sticky top-0 bg-neutral-50 text-neutral-500 dark:bg-slate-900">
            <tr>
              <th className="px-2 py-1 text-left font-medium">{t("bt.t.symbol")}</th>
              <th className="px-2 py-1 text-left font-medium">{t("bt.t.side")}</th>
              <th className="px-2 py-1 text-left font-medium">{t("bt.t.entry")}</th>
              <th className="px-2 py-1 text-left font-medium">{t("bt.t.exit")}</th>
              <th className="px-2 py-1 text-right font-medium">{t("bt.t.qty")}</th>
              <th className="px-2 py-1 text-right font-medium">{t("bt.t.entryPrice")}</th>
              <th className="px-2 py-1 text-right font-medium">{t("bt.t.exitPrice")}</th>
              <th className="px-2 py-1 text-right font-medium">{t("bt.t.pnl")}</th>
              <th className="px-2 py-1 text-right font-medium">{t("bt.t.return")}</th>
              <th className="px-2 py-1 text-right font-medium">{t("bt.t.held")}</th>
            </tr>
          </thead>
          <tbody className="font-mono tabular-nums">
            {rows.map((r, i) => (
              <tr key={`${r.symbol}-${r.exit_ts}-${i}`} className="border-t border-neutral-100 dark:border-slate-800">
                <td className="px-2 py-0.5">{r.symbol}</td>
                <td className="px-2 py-0.5 font-sans">{t(r.side === "short" ? "bt.t.short" : "bt.t.long")}</td>
                <td className="whitespace-nowrap px-2 py-0.5">{fmtStamp(r.entry_ts)}</td>
                <td className="whitespace-nowrap px-2 py-0.5">{fmtStamp(r.exit_ts)}</td>
                <td className="px-2 py-0.5 text-right">{fmtWon(r.qty)}</td>
                <td className="px-2 py-0.5 text-right">{price(r.entry_price)}</td>
                <td className="px-2 py-0.5 text-right">{price(r.exit_price)}</td>
                <td className={`px-2 py-0.5 text-right ${changeColor(r.pnl)}`}>{fmtSigned(r.pnl)}</td>
                <td className={`px-2 py-0.5 text-right ${changeColor(r.return_pct ?? 0)}`}>{formatMetric(r.return_pct, "return")}</td>
                <td className="px-2 py-0.5 text-right">{formatMetric(r.holding_seconds, "duration")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
