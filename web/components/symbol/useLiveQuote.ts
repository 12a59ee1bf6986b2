// One symbol's quote, live: GET /quotes/{code} fills the store when it does not hold the
// symbol yet, and the `quotes:<code>` channel keeps it current while the page shows.
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { get } from "@/lib/api";
import { useQuotes, type Quote } from "@/lib/stores/quotes";
import { realtime } from "@/lib/ws";

export type Instrument = { symbol: string; name: string; market: string; kind: string; lot_size: number };

export function useLiveQuote(code: string): { quote: Quote | undefined; error: Error | null } {
  const quote = useQuotes((s) => s.quotes[code]);
  const fetched = useQuery({ queryKey: ["symbol", "quote", code], queryFn: () => get<Quote>(`/quotes/${code}`) });

  useEffect(() => {
    const q = fetched.data;
    const held = useQuotes.getState().quotes[code];
    if (q && (!held || held.ts_ns < q.ts_ns)) useQuotes.getState().applyMany([q]);
  }, [fetched.data, code]);

  useEffect(() => realtime().subscribe([`quotes:${code}`]), [code]);
  return { quote, error: fetched.error };
}

export function useInstrument(code: string): Instrument | undefined {
  return useQuery({ queryKey: ["symbol", "instrument", code], queryFn: () => get<Instrument>(`/instruments/${code}`), staleTime: Infinity }).data;
}

/** ETFs and ETNs tick by 5 KRW above 2,000 KRW. */
export const isEtfLike = (instrument: Instrument | undefined) => instrument?.kind === "etf" || instrument?.kind === "etn";
