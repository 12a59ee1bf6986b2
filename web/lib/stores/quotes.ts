// Live quotes by symbol. Messages arrive in bursts (a batch frame every ~10 ms); they are
// collected and applied once per animation frame, so 1,800 symbols ticking cost one store
// update (and one render of the visible rows) per frame. Per symbol the newest quote by its
// exchange time (`ts_ns`) wins: an older one arriving late is dropped.
import { create } from "zustand";

export type Quote = {
  symbol: string;
  name: string;
  last: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  value: number;
  prev_close: number;
  change: number;
  change_pct: number;
  upper_limit: number;
  lower_limit: number;
  state: string;
  vi: boolean;
  ts_ns: number;
  pub_ns?: number;
};

type QuotesState = {
  quotes: Record<string, Quote>;
  changedAt: Record<string, number>; // symbol -> performance.now() of the last price change
  direction: Record<string, 1 | -1>;
  replaceAll: (quotes: Quote[]) => void;
  applyMany: (quotes: Quote[]) => void;
};

export const useQuotes = create<QuotesState>()((set) => ({
  quotes: {},
  changedAt: {},
  direction: {},
  replaceAll: (quotes) => set({ quotes: Object.fromEntries(quotes.map((q) => [q.symbol, q])) }),
  applyMany: (incoming) =>
    set((state) => {
      const quotes = { ...state.quotes };
      const changedAt = { ...state.changedAt };
      const direction = { ...state.direction };
      const now = typeof performance === "undefined" ? 0 : performance.now();
      for (const q of incoming) {
        const before = quotes[q.symbol];
        // A quote that arrives late (a resent snapshot, a slow path) must not undo a newer one.
        if (before && q.ts_ns < before.ts_ns) continue;
        if (before && before.last !== q.last) {
          changedAt[q.symbol] = now;
          direction[q.symbol] = q.last > before.last ? 1 : -1;
        }
        quotes[q.symbol] = q;
      }
      return { quotes, changedAt, direction };
    }),
}));

let pending: Quote[] = [];
let timed: Quote[] = []; // the live ones among them: a snapshot's publish time is old news
let scheduled = false;

/** Queue one quote from the socket; applied with the others at the next frame. */
export function pushQuote(quote: Quote, snapshot = false): void {
  pending.push(quote);
  if (!snapshot) timed.push(quote);
  if (scheduled) return;
  scheduled = true;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    const live = timed;
    pending = [];
    timed = [];
    useQuotes.getState().applyMany(batch);
    recordLatency(live);
  };
  if (typeof requestAnimationFrame === "undefined") setTimeout(flush, 0);
  else requestAnimationFrame(flush);
}

/** Publish → applied latency (ms) of recent quotes, for the monitoring page and the tests. */
export const latencies: number[] = [];

function recordLatency(batch: Quote[]): void {
  const now = Date.now();
  for (const q of batch) {
    if (q.pub_ns) latencies.push(now - q.pub_ns / 1e6);
  }
  if (latencies.length > 5000) latencies.splice(0, latencies.length - 5000);
  if (typeof window !== "undefined") (window as unknown as { __jtsLatency: number[] }).__jtsLatency = latencies;
}
