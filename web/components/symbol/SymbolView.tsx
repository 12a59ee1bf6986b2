"use client";
// The symbol page: quote header, chart, order book, order ticket and open orders of the
// code in the `code` query parameter. Ticket and book beside the chart on a wide screen;
// on a phone one stack: chart, ticket, book, open orders.
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { useT } from "@/lib/i18n";
import "@/lib/messages/symbol";
import { OpenOrders } from "./OpenOrders";
import { OrderBook } from "./OrderBook";
import { OrderTicket } from "./OrderTicket";
import { QuoteHeader } from "./QuoteHeader";
import { isEtfLike, useInstrument, useLiveQuote } from "./useLiveQuote";
import dynamic from "next/dynamic";

// The chart library loads after the first paint: it is most of the page's JavaScript.
const PriceChart = dynamic(() => import("./PriceChart").then((m) => m.PriceChart), { ssr: false });

const CODE = /^[0-9A-Z]{6}$/;

export function SymbolView() {
  const t = useT();
  const code = (useSearchParams().get("code") ?? "").toUpperCase();
  if (!CODE.test(code)) return <Missing message={t("symbol.missing")} />;
  return <SymbolPage key={code} code={code} />;
}

function Missing({ message }: { message: string }) {
  const t = useT();
  return (
    <div className="space-y-2 p-4" data-testid="symbol-missing">
      <p className="text-sm text-red-500">{message}</p>
      <Link href="/market/" className="text-sm underline">
        {t("symbol.back")}
      </Link>
    </div>
  );
}

function SymbolPage({ code }: { code: string }) {
  const t = useT();
  const { quote, error } = useLiveQuote(code);
  const instrument = useInstrument(code);
  const [picked, setPicked] = useState<{ price: number; n: number } | null>(null);
  const onPick = useCallback((price: number) => setPicked((p) => ({ price, n: (p?.n ?? 0) + 1 })), []);
  if (error && !quote) return <Missing message={t("symbol.notFound", { code })} />;
  const rules = { lower: quote?.lower_limit ?? 0, upper: quote?.upper_limit ?? 0, etf: isEtfLike(instrument) };

  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-3">
      <Link href="/market/" className="text-xs text-neutral-500 hover:underline">
        {t("symbol.back")}
      </Link>
      <QuoteHeader code={code} quote={quote} instrument={instrument} />
      <div className="grid grid-cols-1 items-start gap-3 lg:grid-cols-[minmax(0,1fr)_20rem] lg:grid-rows-[auto_1fr]">
        <div className="min-w-0 lg:col-start-1 lg:row-start-1">
          <PriceChart code={code} />
        </div>
        <div className="flex flex-col gap-3 sm:grid sm:grid-cols-2 sm:items-start lg:col-start-2 lg:row-span-2 lg:row-start-1 lg:flex lg:items-stretch">
          <OrderTicket code={code} last={quote?.last || quote?.prev_close || undefined} rules={rules} picked={picked} />
          <OrderBook code={code} prevClose={quote?.prev_close ?? 0} last={quote?.last ?? 0} onPick={onPick} />
        </div>
        <div className="min-w-0 lg:col-start-1 lg:row-start-2">
          <OpenOrders code={code} />
        </div>
      </div>
    </div>
  );
}
