// How the overview's tables sort: one value per row for each sortable column, so a header
// click is one sort of the rows array (lib/sort). Pure, tested alone.
import { sortRows, type Sort, type SortDir } from "@/lib/sort";
import type { Order, Position } from "@/lib/stores/account";

export const returnPct = (p: Position) => (p.avg_price > 0 ? ((p.last - p.avg_price) / p.avg_price) * 100 * Math.sign(p.qty) : 0);

const POSITION_VALUES = {
  symbol: (p: Position) => p.name || p.symbol,
  qty: (p: Position) => p.qty,
  avg_price: (p: Position) => p.avg_price,
  last: (p: Position) => p.last,
  value: (p: Position) => p.market_value,
  unrealized: (p: Position) => p.unrealized_pnl,
  return_pct: returnPct,
  realized: (p: Position) => p.realized_pnl,
} as const;

export type PositionKey = keyof typeof POSITION_VALUES;

/** Held positions: by the chosen column, else the biggest (absolute value) first. */
export function sortPositions(positions: readonly Position[], sort: Sort<PositionKey>): Position[] {
  const held = positions.filter((p) => p.qty !== 0);
  if (sort === null) return sortRows(held, (p) => Math.abs(p.market_value), "desc");
  return sortRows(held, POSITION_VALUES[sort.key], sort.dir);
}

const ORDER_VALUES = {
  time: (o: Order) => o.created_ns,
  symbol: (o: Order) => o.symbol,
  side: (o: Order) => o.side,
  price: (o: Order) => o.price,
  qty: (o: Order) => o.qty,
  filled: (o: Order) => o.filled_qty,
  status: (o: Order) => o.status,
  strategy: (o: Order) => o.strategy,
} as const;

export type OrderKey = keyof typeof ORDER_VALUES;

/** Working orders (already newest first) by the chosen column; market orders (no price) last. */
export function sortOrders(orders: readonly Order[], sort: Sort<OrderKey>): Order[] {
  return sort === null ? [...orders] : sortRows(orders, ORDER_VALUES[sort.key], sort.dir, sort.key === "symbol" ? "ordinal" : "collate");
}

/** Numbers start with the biggest; text from A (가). */
export const firstDir = (numeric: boolean): SortDir => (numeric ? "desc" : "asc");
