"use client";
// One row of the market watch. It reads only its own symbol's quote, change time and
// direction from the store, so a tick re-renders the rows it touches and nothing else.
import { memo } from "react";
import { useT } from "@/lib/i18n";
import "@/lib/messages/market";
import { changeColor, fmtPct, fmtPrice, fmtQty } from "@/lib/format";
import { useQuotes } from "@/lib/stores/quotes";
import { flashClass } from "./flash";
import { QuoteFlags } from "./QuoteFlags";

export const ROW_HEIGHT = 36;
/** Star, code+name, last, change, volume, flags. On a phone the code sits under the name, so
 * name, price and change fit the screen and the rest scrolls sideways. */
export const COLUMNS =
  "grid grid-cols-[2rem_minmax(6.5rem,1fr)_5.75rem_4.75rem_6.5rem_5.5rem] sm:grid-cols-[2.25rem_minmax(12rem,1fr)_6.5rem_5.5rem_7.5rem_7rem] items-center gap-x-2";
export const NAME_CELL = "grid min-w-0 sm:grid-cols-[4.75rem_minmax(0,1fr)] sm:gap-x-2";

type Props = {
  symbol: string;
  name: string;
  top: number;
  starred: boolean;
  listName: string;
  onStar: (symbol: string) => void;
  onOpen: (symbol: string) => void;
};

export const MarketRow = memo(function MarketRow({ symbol, name, top, starred, listName, onStar, onOpen }: Props) {
  const t = useT();
  const starLabel = t(starred ? "market.unstar" : "market.star", { list: listName });
  const quote = useQuotes((s) => s.quotes[symbol]);
  const changedAt = useQuotes((s) => s.changedAt[symbol]);
  const direction = useQuotes((s) => s.direction[symbol]);
  const flash = flashClass(direction, changedAt, typeof performance === "undefined" ? 0 : performance.now());
  const color = quote ? changeColor(quote.change) : "";
  return (
    <div
      role="row"
      data-testid="market-row"
      data-symbol={symbol}
      onClick={() => onOpen(symbol)}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      className={`${COLUMNS} absolute left-0 top-0 w-full cursor-pointer border-b border-neutral-100 px-2 text-sm hover:bg-neutral-100 dark:border-slate-900 dark:hover:bg-slate-900`}
    >
      <span role="cell">
        <button
          type="button"
          aria-label={starLabel}
          title={starLabel}
          aria-pressed={starred}
          data-testid="star"
          onClick={(e) => {
            e.stopPropagation();
            onStar(symbol);
          }}
          className={`h-7 w-7 rounded text-base leading-none hover:bg-neutral-200 dark:hover:bg-slate-800 ${starred ? "text-amber-400" : "text-neutral-400"}`}
        >
          {starred ? "★" : "☆"}
        </button>
      </span>
      <span role="cell" className={NAME_CELL}>
        <span className="order-2 font-mono text-[11px] leading-3 text-neutral-500 sm:order-1 sm:text-xs sm:leading-5 dark:text-slate-400">{symbol}</span>
        <span className="order-1 truncate leading-5 sm:order-2" title={name}>
          {name}
        </span>
      </span>
      <span role="cell" className={`text-right font-semibold tabular-nums ${color}`}>
        <span key={changedAt} data-testid="last" data-pub-ns={quote?.pub_ns} className={`rounded px-1 ${flash}`}>
          {quote ? fmtPrice(quote.last) : "—"}
        </span>
      </span>
      <span role="cell" data-testid="change-pct" className={`text-right tabular-nums ${color}`}>
        {quote?.last ? fmtPct(quote.change_pct) : "—"}
      </span>
      <span role="cell" className="text-right tabular-nums text-neutral-600 dark:text-slate-300">
        {quote ? fmtQty(quote.volume) : "—"}
      </span>
      <span role="cell" className="flex flex-wrap gap-1">
        {quote && <QuoteFlags quote={quote} />}
      </span>
    </div>
  );
});
