// The market watch's universe: every quote from GET /quotes, put into the quote store once,
// then every symbol's `quotes:` channel subscribed while the page shows (LiveBridge routes
// those messages into the store).
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { get } from "@/lib/api";
import { useQuotes, type Quote } from "@/lib/stores/quotes";
import { realtime } from "@/lib/ws";
import { toListings, type Listing } from "./filter";

/** Quotes of `fetched` unless the store already holds a newer one (a remount must not undo live updates). */
export function newest(fetched: readonly Quote[], held: Record<string, Quote>): Quote[] {
  return fetched.map((q) => {
    const mine = held[q.symbol];
    return mine && mine.ts_ns >= q.ts_ns ? mine : q;
  });
}

export function useUniverse(): { listings: Listing[]; loading: boolean; error: Error | null } {
  const query = useQuery({
    queryKey: ["market", "universe"],
    queryFn: () => get<Quote[]>("/quotes"),
    staleTime: Infinity,
  });
  const listings = useMemo(() => toListings(query.data ?? []), [query.data]);

  useEffect(() => {
    if (!query.data) return;
    const store = useQuotes.getState();
    store.replaceAll(newest(query.data, store.quotes));
  }, [query.data]);

  useEffect(() => {
    if (!listings.length) return;
    return realtime().subscribe(listings.map((l) => `quotes:${l.symbol}`));
  }, [listings]);

  return { listings, loading: query.isLoading, error: query.error };
}
