// KRX tick sizes (호가가격단위) of today's tables, the same as jts.krx.ticks: the order ticket
// steps prices by them and refuses prices off the grid or outside the day's limits.
const STOCK: [number, number][] = [
  [2_000, 1],
  [5_000, 5],
  [20_000, 10],
  [50_000, 50],
  [200_000, 100],
  [500_000, 500],
  [Number.MAX_SAFE_INTEGER, 1_000],
];
const ETF: [number, number][] = [
  [2_000, 1],
  [Number.MAX_SAFE_INTEGER, 5],
];

export function tickSize(price: number, etf = false): number {
  for (const [bound, tick] of etf ? ETF : STOCK) if (price < bound) return tick;
  return 1_000;
}

export function isOnTick(price: number, etf = false): boolean {
  return price > 0 && Number.isInteger(price) && price % tickSize(price, etf) === 0;
}

/** The next valid price `steps` ticks above (or below, when negative) `price`. */
export function stepPrice(price: number, steps: number, etf = false): number {
  let p = roundToTick(price, etf);
  const dir = Math.sign(steps);
  for (let i = 0; i < Math.abs(steps); i++) {
    const t = dir > 0 ? tickSize(p, etf) : tickSize(p - 1, etf);
    p += dir * t;
  }
  return Math.max(p, 1);
}

/** `price` rounded down to its tick grid. */
export function roundToTick(price: number, etf = false): number {
  const t = tickSize(price, etf);
  return Math.floor(price / t) * t;
}
