// Column sorting shared by the tables: which column and which way, what a header click does,
// and a stable sort of a rows array by one value per row (done once per change of the rows or
// of the order, never per cell, so a virtualized table stays as fast as unsorted).

export type SortDir = "asc" | "desc";
export type Sort<K extends string> = { key: K; dir: SortDir } | null;

/** A header click: the same column flips its direction; another starts at `first`
 * (ascending for text, descending for numbers, where the big ones matter). */
export function nextSort<K extends string>(current: Sort<K>, key: K, first: SortDir = "asc"): Sort<K> {
  if (current?.key === key) return { key, dir: current.dir === "asc" ? "desc" : "asc" };
  return { key, dir: first };
}

type Value = number | string | null | undefined;

const collator = new Intl.Collator("ko-KR", { sensitivity: "base" });

/** How text compares: "collate" as a Korean dictionary (names), "ordinal" by character codes
 * (symbol codes such as 0228A0, which must sort as the exchange lists them). */
export type TextOrder = "collate" | "ordinal";

const ordinal = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Compare two values, missing ones (null, undefined, NaN) after every present one. */
function compare(a: Value, b: Value, text: TextOrder = "collate"): number {
  const missingA = a === null || a === undefined || (typeof a === "number" && Number.isNaN(a));
  const missingB = b === null || b === undefined || (typeof b === "number" && Number.isNaN(b));
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return text === "ordinal" ? ordinal(String(a), String(b)) : collator.compare(String(a), String(b));
}

/** `rows` ordered by `value` (a new array; ties keep their order; missing values last either way). */
export function sortRows<T>(rows: readonly T[], value: (row: T) => Value, dir: SortDir, text: TextOrder = "collate"): T[] {
  const sign = dir === "asc" ? 1 : -1;
  const keyed = rows.map((row, index) => ({ row, index, v: value(row) }));
  keyed.sort((x, y) => {
    const missingX = x.v === null || x.v === undefined || (typeof x.v === "number" && Number.isNaN(x.v));
    const missingY = y.v === null || y.v === undefined || (typeof y.v === "number" && Number.isNaN(y.v));
    const c = missingX || missingY ? compare(x.v, y.v) : sign * compare(x.v, y.v, text);
    return c !== 0 ? c : x.index - y.index;
  });
  return keyed.map((k) => k.row);
}

/** The arrow a sorted header shows, or "" when the column is not the sorted one. */
export const sortArrow = (sort: Sort<string>, key: string) => (sort?.key === key ? (sort.dir === "asc" ? "▲" : "▼") : "");

/** The aria-sort of a header. */
export const ariaSort = (sort: Sort<string>, key: string): "ascending" | "descending" | "none" =>
  sort?.key === key ? (sort.dir === "asc" ? "ascending" : "descending") : "none";
