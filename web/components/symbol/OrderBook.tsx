"use client";
// Ten price levels a side from GET /book/{code}, polled every second while the tab is visible
// (TanStack Query pauses the interval in a hidden tab). Asks above, bids below, each with a
// bar of its resting quantity; a click hands the price to the order ticket.
import { useQuery } from "@tanstack/react-query";
import { get } from "@/lib/api";
import { changeColor, fmtQty, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import "@/lib/messages/symbol";

type Level = { price: number; qty: number };
export type Book = { symbol: string; bids: Level[]; asks: Level[]; ts_ns: number };

type Props = { code: string; prevClose: number; last: number; onPick: (price: number) => void };

function Row({ level, side, max, prevClose, last, onPick, pickLabel }: { level: Level; side: "ask" | "bid"; max: number; prevClose: number; last: number; onPick: (price: number) => void; pickLabel: string }) {
  const width = `${max ? Math.max(2, (level.qty / max) * 100) : 0}%`;
  const ask = side === "ask";
  const bar = (
    <span className="relative block h-6">
      <span className={`absolute inset-y-0.5 ${ask ? "right-0 bg-blue-500/20" : "left-0 bg-red-500/20"}`} style={{ width }} />
      <span className={`relative block px-1 leading-6 tabular-nums ${ask ? "text-right" : "text-left"}`}>{fmtQty(level.qty)}</span>
    </span>
  );
  return (
    <li data-testid={`book-${side}`} className="grid grid-cols-3 items-center">
      {ask ? bar : <span />}
      <button
        type="button"
        title={pickLabel}
        onClick={() => onPick(level.price)}
        className={`mx-1 rounded text-center font-semibold leading-6 tabular-nums hover:bg-neutral-200 dark:hover:bg-slate-800 ${changeColor(level.price - prevClose)} ${level.price === last ? "ring-1 ring-neutral-400 dark:ring-slate-500" : ""}`}
      >
        {fmtWon(level.price)}
      </button>
      {ask ? <span /> : bar}
    </li>
  );
}

export function OrderBook({ code, prevClose, last, onPick }: Props) {
  const t = useT();
  const server = useServerText();
  const book = useQuery({
    queryKey: ["symbol", "book", code],
    queryFn: () => get<Book>(`/book/${code}?levels=10`),
    refetchInterval: 1_000,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  const data = book.data;
  const max = data ? Math.max(0, ...data.asks.map((l) => l.qty), ...data.bids.map((l) => l.qty)) : 0;
  const askTotal = data?.asks.reduce((s, l) => s + l.qty, 0) ?? 0;
  const bidTotal = data?.bids.reduce((s, l) => s + l.qty, 0) ?? 0;
  const pick = t("symbol.book.pick");
  return (
    <section className="rounded border border-neutral-200 p-2 text-sm dark:border-slate-800" data-testid="order-book">
      <h2 className="mb-1 font-semibold">{t("symbol.book.title")}</h2>
      <div className="grid grid-cols-3 border-b border-neutral-200 pb-1 text-center text-[11px] text-neutral-500 dark:border-slate-800 dark:text-slate-400">
        <span>{t("symbol.book.askQty")}</span>
        <span>{t("symbol.book.price")}</span>
        <span>{t("symbol.book.bidQty")}</span>
      </div>
      {book.error && !data && <p className="py-4 text-center text-red-500">{t("symbol.book.unavailable", { message: server.error(book.error) })}</p>}
      {!data && !book.error && <p className="py-4 text-center text-neutral-500">{t("common.loading")}</p>}
      {data && data.asks.length + data.bids.length === 0 && <p className="py-4 text-center text-neutral-500">{t("symbol.book.empty")}</p>}
      {data && (
        <ol className="text-xs">
          {[...data.asks].reverse().map((level) => (
            <Row key={`a${level.price}`} level={level} side="ask" max={max} prevClose={prevClose} last={last} onPick={onPick} pickLabel={pick} />
          ))}
          <li aria-hidden className="my-0.5 border-t border-neutral-300 dark:border-slate-700" />
          {data.bids.map((level) => (
            <Row key={`b${level.price}`} level={level} side="bid" max={max} prevClose={prevClose} last={last} onPick={onPick} pickLabel={pick} />
          ))}
        </ol>
      )}
      {data && (
        <div className="mt-1 grid grid-cols-3 border-t border-neutral-200 pt-1 text-xs tabular-nums text-neutral-500 dark:border-slate-800">
          <span className="text-right">{fmtQty(askTotal)}</span>
          <span className="text-center">{t("symbol.book.total")}</span>
          <span>{fmtQty(bidTotal)}</span>
        </div>
      )}
    </section>
  );
}
