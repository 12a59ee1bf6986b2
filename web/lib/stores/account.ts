// The account as it changes: orders (by client order id), fills, positions, P&L, alerts,
// jobs and the system's health, fed by the realtime channels of the same names.
import { create } from "zustand";

export type Order = {
  client_order_id: string;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  order_type: string;
  price: number | null;
  tif: string;
  strategy: string | null;
  status: string;
  filled_qty: number;
  remaining_qty: number;
  avg_fill_price: number;
  reject_reason: string | null;
  created_ns: number;
  updated_ns: number;
};

export type Fill = {
  fill_id: string;
  client_order_id: string;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  price: number;
  commission: number;
  tax: number;
  ts_ns: number;
};

export type Position = {
  symbol: string;
  name: string;
  qty: number;
  avg_price: number;
  last: number;
  market_value: number;
  unrealized_pnl: number;
  realized_pnl: number;
};

export type Pnl = {
  account: string;
  equity: number;
  cash: number;
  market_value: number;
  unrealized_pnl: number;
  realized_pnl: number;
  daily_pnl: number;
  gross_exposure: number;
  positions: number;
  ts_ns: number;
};

export type Alert = { rule_id: number; kind: string; symbol: string | null; title: string; body: string; url: string; ts_ns: number };
export type Job = { job_id: string; kind: string; status: string; progress: number; message: string; error: string | null };

type AccountState = {
  orders: Record<string, Order>;
  fills: Fill[];
  positions: Position[];
  pnl: Pnl | null;
  equityCurve: { t: number; equity: number }[];
  alerts: Alert[];
  jobs: Record<string, Job>;
  system: Record<string, unknown> | null;
  setOrders: (orders: Order[]) => void;
  upsertOrder: (order: Order) => void;
  addFill: (fill: Fill) => void;
  setPositions: (positions: Position[]) => void;
  setPnl: (pnl: Pnl) => void;
  addAlert: (alert: Alert) => void;
  upsertJob: (job: Job) => void;
  setSystem: (system: Record<string, unknown>) => void;
};

export const useAccount = create<AccountState>()((set) => ({
  orders: {},
  fills: [],
  positions: [],
  pnl: null,
  equityCurve: [],
  alerts: [],
  jobs: {},
  system: null,
  setOrders: (orders) => set({ orders: Object.fromEntries(orders.map((o) => [o.client_order_id, o])) }),
  upsertOrder: (order) => set((s) => ({ orders: { ...s.orders, [order.client_order_id]: order } })),
  addFill: (fill) => set((s) => ({ fills: [fill, ...s.fills].slice(0, 500) })),
  setPositions: (positions) => set({ positions }),
  setPnl: (pnl) =>
    set((s) => ({
      pnl,
      // on the venue's clock (the simulated market's on paper), like every other time shown
      equityCurve: [...s.equityCurve, { t: pnl.ts_ns ? pnl.ts_ns / 1e6 : Date.now(), equity: pnl.equity }].slice(-2000),
    })),
  addAlert: (alert) => set((s) => ({ alerts: [alert, ...s.alerts].slice(0, 100) })),
  upsertJob: (job) => set((s) => ({ jobs: { ...s.jobs, [job.job_id]: job } })),
  setSystem: (system) => set({ system }),
}));
