// Which symbols the market watch lists: the search (a code prefix or part of the name) over
// the universe, narrowed to a watchlist when one is chosen, and in which order. Pure, so it
// is tested alone.
import { sortRows, type Sort } from "@/lib/sort";

export type Listing = { symbol: string; name: string };

/** Symbols of `universe` (in its order) matching `query`, limited to `only` when given. */
export function filterListings(universe: readonly Listing[], query: string, only?: readonly string[]): Listing[] {
  const members = only ? new Set(only) : null;
  const q = query.trim();
  const code = q.toUpperCase();
  const name = q.toLowerCase();
  return universe.filter(
    (item) =>
      (members === null || members.has(item.symbol)) &&
      (q === "" || item.symbol.startsWith(code) || item.name.toLowerCase().includes(name)),
  );
}

/** The universe sorted by code, from the quotes the gateway gave. */
export function toListings(quotes: readonly Listing[]): Listing[] {
  return quotes.map(({ symbol, name }) => ({ symbol, name })).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/** The market watch's sortable columns: code and name from the listing, the rest from quotes. */
export type MarketSortKey = "code" | "name" | "last" | "change_pct" | "volume";

/** `rows` ordered by a column; quote columns read `quotes` (symbols without one go last). */
export function sortListings(
  rows: readonly Listing[],
  quotes: Readonly<Record<string, { last: number; change_pct: number; volume: number } | undefined>>,
  sort: Sort<MarketSortKey>,
): Listing[] {
  if (sort === null) return rows as Listing[];
  const value = (row: Listing): number | string | undefined => {
    if (sort.key === "code") return row.symbol;
    if (sort.key === "name") return row.name;
    const quote = quotes[row.symbol];
    return quote === undefined ? undefined : quote[sort.key as "last" | "change_pct" | "volume"];
  };
  return sortRows(rows, value, sort.dir, sort.key === "code" ? "ordinal" : "collate");
}
