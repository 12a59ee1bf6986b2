// The market watch's rows in the chosen order. Sorting by a live column (last, change,
// volume) re-sorts from the quote store every two seconds rather than on every tick: rows
// that jumped on each quote could not be read or clicked, and one sort of 1,800 rows every
// two seconds costs nothing next to rendering.
import { useEffect, useMemo, useState } from "react";
import type { Sort } from "@/lib/sort";
import { useQuotes } from "@/lib/stores/quotes";
import { sortListings, type Listing, type MarketSortKey } from "./filter";

export const RESORT_MS = 2_000;

export function useSortedRows(rows: Listing[], sort: Sort<MarketSortKey>): Listing[] {
  const live = sort !== null && sort.key !== "code" && sort.key !== "name";
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setRound((n) => n + 1), RESORT_MS);
    return () => clearInterval(timer);
  }, [live]);
  // `round` re-runs the sort with the quotes of now; the store is read, not subscribed.
  return useMemo(() => sortListings(rows, useQuotes.getState().quotes, sort), [rows, sort, round]);
}
