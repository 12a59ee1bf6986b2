"use client";
// The symbol's quote at a glance: name, last price, change, day range, volume, limits, VI.
import { changeColor, fmtClock, fmtPct, fmtPrice, fmtQty, fmtSigned, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/symbol";
import type { Quote } from "@/lib/stores/quotes";
import { QuoteFlags } from "@/components/market/QuoteFlags";
import type { Instrument } from "./useLiveQuote";

function Stat({ label, children, testid }: { label: string; children: React.ReactNode; testid?: string }) {
  return (
    <div>
      <dt className="text-[11px] text-neutral-500 dark:text-slate-400">{label}</dt>
      <dd className="whitespace-nowrap tabular-nums" data-testid={testid}>
        {children}
      </dd>
    </div>
  );
}

export function QuoteHeader({ code, quote, instrument }: { code: string; quote: Quote | undefined; instrument: Instrument | undefined }) {
  const t = useT();
  const color = quote ? changeColor(quote.change) : "";
  const stateKey = `symbol.state.${quote?.state}`;
  const state = t(stateKey) === stateKey ? (quote?.state ?? "—") : t(stateKey);
  return (
    <section className="flex flex-wrap items-end gap-x-8 gap-y-3 rounded border border-neutral-200 p-3 dark:border-slate-800" data-testid="quote-header">
      <div className="min-w-0">
        <div className="flex items-center gap-2">
          <h1 className="truncate text-xl font-bold">{quote?.name ?? instrument?.name ?? code}</h1>
          {quote && <QuoteFlags quote={quote} />}
        </div>
        <div className="text-xs text-neutral-500 dark:text-slate-400">
          <span className="font-mono">{code}</span>
          {instrument && ` · ${instrument.market}`}
          {quote && ` · ${state} · ${t("symbol.updated", { time: fmtClock(quote.ts_ns) })}`}
        </div>
      </div>
      <div className={`whitespace-nowrap tabular-nums ${color}`}>
        <span className="text-3xl font-bold" data-testid="quote-last">
          {quote ? fmtPrice(quote.last) : "—"}
        </span>
        {quote && quote.last > 0 && (
          <span className="ml-2 text-sm font-semibold" data-testid="quote-change">
            {fmtSigned(quote.change)} ({fmtPct(quote.change_pct)})
          </span>
        )}
      </div>
      {quote && (
        <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:flex sm:flex-wrap sm:gap-x-8">
          <Stat label={t("symbol.range")}>
            {quote.low ? `${fmtWon(quote.low)} – ${fmtWon(quote.high)}` : "—"}
          </Stat>
          <Stat label={t("symbol.open")}>{fmtPrice(quote.open)}</Stat>
          <Stat label={t("symbol.prevClose")}>{fmtWon(quote.prev_close)}</Stat>
          <Stat label={t("symbol.volume")}>{fmtQty(quote.volume)}</Stat>
          <Stat label={t("symbol.limits")} testid="quote-limits">
            <span className="text-blue-500">{fmtWon(quote.lower_limit)}</span> / <span className="text-red-500">{fmtWon(quote.upper_limit)}</span>
          </Stat>
        </dl>
      )}
    </section>
  );
}
