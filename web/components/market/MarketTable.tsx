"use client";
// The virtualized table: only the rows in view (plus a few) exist in the DOM, each
// positioned by transform inside one scroll box that also scrolls sideways on a phone. The
// header's column names sort the rows (the caller sorts the array; cells never compare).
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { useT } from "@/lib/i18n";
import "@/lib/messages/market";
import { ariaSort, sortArrow, type Sort } from "@/lib/sort";
import type { Listing, MarketSortKey } from "./filter";
import { COLUMNS, MarketRow, NAME_CELL, ROW_HEIGHT } from "./MarketRow";

type Props = {
  rows: Listing[];
  starred: ReadonlySet<string>;
  listName: string;
  onStar: (symbol: string) => void;
  empty: string;
  sort?: Sort<MarketSortKey>;
  onSort?: (key: MarketSortKey) => void;
};

const unsorted = () => {};

/** A column name that sorts by its column; the arrow shows the direction. It hangs outside
 * the label (left of a right-aligned number column), so labels line up with their cells. */
function SortButton({ column, sort, onSort, label, className = "", num = false }: { column: MarketSortKey; sort: Sort<MarketSortKey>; onSort: (key: MarketSortKey) => void; label: string; className?: string; num?: boolean }) {
  const arrow = sortArrow(sort, column);
  return (
    <button
      type="button"
      data-testid={`sort-${column}`}
      data-sort={sort?.key === column ? sort.dir : undefined}
      onClick={() => onSort(column)}
      className={`relative inline-flex items-center rounded hover:text-neutral-900 dark:hover:text-white ${arrow ? "text-neutral-900 dark:text-white" : ""} ${className}`}
    >
      {label}
      <span aria-hidden className={`absolute top-1/2 -translate-y-1/2 text-[9px] ${num ? "-left-3" : "-right-3"}`}>
        {arrow}
      </span>
    </button>
  );
}

/** Height that fills the window below the box's top edge (at least 320 px). */
function useFillHeight(ref: React.RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const measure = () => {
      const top = ref.current?.getBoundingClientRect().top ?? 0;
      setHeight(Math.max(320, window.innerHeight - top - 16));
    };
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, [ref]);
  return height;
}

export function MarketTable({ rows, starred, listName, onStar, empty, sort = null, onSort = unsorted }: Props) {
  const t = useT();
  const router = useRouter();
  const box = useRef<HTMLDivElement>(null);
  const height = useFillHeight(box);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    initialRect: { width: 1024, height: 600 },
  });
  const onOpen = useCallback((symbol: string) => router.push(`/symbol/?code=${symbol}`), [router]);

  return (
    <div
      ref={box}
      role="table"
      aria-rowcount={rows.length}
      data-testid="market-table"
      style={{ height }}
      className="overflow-auto rounded border border-neutral-200 bg-white dark:border-slate-800 dark:bg-slate-950"
    >
      <div className="min-w-[34rem] sm:min-w-[44rem]">
        <div
          role="row"
          className={`${COLUMNS} sticky top-0 z-10 border-b border-neutral-200 bg-neutral-100 px-2 py-2 text-xs font-semibold text-neutral-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-300`}
        >
          <span role="columnheader" />
          <span role="columnheader" aria-sort={sort?.key === "code" ? ariaSort(sort, "code") : ariaSort(sort, "name")} className={`${NAME_CELL} justify-items-start`}>
            <SortButton column="code" sort={sort} onSort={onSort} label={t("market.code")} className="hidden font-semibold sm:inline-flex" />
            <SortButton column="name" sort={sort} onSort={onSort} label={t("market.name")} />
          </span>
          <span role="columnheader" aria-sort={ariaSort(sort, "last")} className="text-right">
            <SortButton column="last" sort={sort} onSort={onSort} label={t("market.last")} num />
          </span>
          <span role="columnheader" aria-sort={ariaSort(sort, "change_pct")} className="text-right">
            <SortButton column="change_pct" sort={sort} onSort={onSort} label={t("market.changePct")} num />
          </span>
          <span role="columnheader" aria-sort={ariaSort(sort, "volume")} className="text-right">
            <SortButton column="volume" sort={sort} onSort={onSort} label={t("market.volume")} num />
          </span>
          <span role="columnheader">{t("market.flags")}</span>
        </div>
        {rows.length === 0 ? (
          <p className="p-6 text-center text-sm text-neutral-500">{empty}</p>
        ) : (
          <div role="rowgroup" className="relative" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index];
              return (
                <MarketRow
                  key={row.symbol}
                  symbol={row.symbol}
                  name={row.name}
                  top={item.start}
                  starred={starred.has(row.symbol)}
                  listName={listName}
                  onStar={onStar}
                  onOpen={onOpen}
                />
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
