// The risk engine's state and limits (`GET /api/v1/risk`), shared by the overview's kill
// switch and the settings' limits form. No channel carries it, so it is polled.
import { useQuery } from "@tanstack/react-query";
import { get } from "@/lib/api";

export type RiskLimits = {
  max_order_qty: number | null;
  max_order_value: number | null;
  max_position_qty: number | null;
  max_gross_exposure: number | null;
  fat_finger_pct: number | null;
  max_orders_per_second: number | null;
  max_orders_per_minute: number | null;
  daily_loss_limit: number | null;
  check_cash: boolean;
  allow_short: boolean;
  prevent_self_cross: boolean;
  block_identical_orders: boolean;
};

export type RiskState = {
  state: "active" | "reduce_only" | "halted";
  reason: string;
  limits: RiskLimits;
  killed: string;
};

export const RISK_KEY = ["risk"] as const;

export function useRisk(everyMs: number | false = 5_000) {
  return useQuery({ queryKey: RISK_KEY, queryFn: () => get<RiskState>("/risk"), refetchInterval: everyMs });
}
