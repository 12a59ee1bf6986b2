"use client";
// The market watch: search, watchlist tabs and the live, virtualized table of every symbol,
// sortable by any column (code order until a header is clicked).
import { useCallback, useDeferredValue, useMemo, useState } from "react";
import { useT } from "@/lib/i18n";
import { nextSort, type Sort } from "@/lib/sort";
import "@/lib/messages/market";
import { filterListings, type MarketSortKey } from "./filter";
import { MarketTable } from "./MarketTable";
import { useSortedRows } from "./useSortedRows";
import { useUniverse } from "./useUniverse";
import { ALL, listLabel, WatchlistTabs } from "./WatchlistTabs";
import { useWatchlists } from "./watchlists";

export function MarketWatch() {
  const t = useT();
  const { listings, loading, error } = useUniverse();
  const lists = useWatchlists((s) => s.lists);
  const toggle = useWatchlists((s) => s.toggle);
  const [tab, setTab] = useState<string>(ALL);
  const [target, setTarget] = useState<string>(lists[0]?.id ?? "");
  const [search, setSearch] = useState("");
  const query = useDeferredValue(search);

  const shown = lists.find((l) => l.id === tab);
  const starList = shown ?? lists.find((l) => l.id === target) ?? lists[0];
  const [sort, setSort] = useState<Sort<MarketSortKey>>(null);
  const onSort = useCallback((key: MarketSortKey) => setSort((s) => nextSort(s, key, key === "code" || key === "name" ? "asc" : "desc")), []);
  const filtered = useMemo(() => filterListings(listings, query, shown?.symbols), [listings, query, shown]);
  const rows = useSortedRows(filtered, sort);
  const starred = useMemo(() => new Set(starList?.symbols ?? []), [starList]);
  const onStar = useCallback((symbol: string) => starList && toggle(starList.id, symbol), [starList, toggle]);

  let empty = t("market.empty");
  if (shown && shown.symbols.length === 0) empty = t("market.emptyList");
  if (error) empty = t("market.loadFailed", { message: error.message });
  if (loading) empty = t("common.loading");

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-2 text-lg font-bold">{t("market.title")}</h1>
        <input
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder={t("market.search")}
          aria-label={t("market.search")}
          data-testid="market-search"
          className="w-full min-w-0 rounded border border-neutral-300 bg-white px-3 py-1.5 text-sm sm:w-72 dark:border-slate-700 dark:bg-slate-900"
        />
        {!shown && lists.length > 1 && (
          <label className="flex items-center gap-1 text-xs text-neutral-500">
            {t("market.addTo")}
            <select
              value={starList?.id}
              onChange={(e) => setTarget(e.target.value)}
              className="rounded border border-neutral-300 bg-white px-1 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
            >
              {lists.map((l) => (
                <option key={l.id} value={l.id}>
                  {listLabel(l, t)}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="ml-auto text-xs text-neutral-500" data-testid="market-count">
          {t("market.count", { shown: rows.length, total: listings.length })}
        </span>
      </div>
      <WatchlistTabs active={shown ? tab : ALL} onSelect={setTab} />
      <MarketTable rows={loading || error ? [] : rows} starred={starred} listName={starList ? listLabel(starList, t) : ""} onStar={onStar} empty={empty} sort={sort} onSort={onSort} />
    </div>
  );
}
