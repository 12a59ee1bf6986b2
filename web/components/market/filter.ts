// Which symbols the market watch lists: the search (a code prefix or part of the name) over
// the universe, narrowed to a watchlist when one is chosen. Pure, so it is tested alone.

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
