// The risk-limits form's rules, mirroring jts.risk.limits.RiskLimits: every numeric limit is
// optional (blank = no limit); counts and KRW amounts are whole numbers above 0, the fat-finger
// band a percentage in (0, 1000). Inputs are text so "10,000,000" may be typed with commas.
// Error messages are message keys (lib/messages/settings.ts).
import { z } from "zod";
import type { RiskLimits } from "@/components/overview/risk";

const digits = (raw: string) => raw.replaceAll(",", "").replaceAll(" ", "");

const wholeOrBlank = z.string().transform((raw, ctx) => {
  const s = digits(raw);
  if (s === "") return null;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n <= 0 || !Number.isSafeInteger(n)) {
    ctx.addIssue({ code: "custom", message: "set.err.whole" });
    return z.NEVER;
  }
  return n;
});

const percentOrBlank = z.string().transform((raw, ctx) => {
  const s = digits(raw);
  if (s === "") return null;
  const n = Number(s);
  if (!/^\d+(\.\d+)?$/.test(s) || !(n > 0 && n < 1_000)) {
    ctx.addIssue({ code: "custom", message: "set.err.pct" });
    return z.NEVER;
  }
  return n;
});

export const NUMERIC = [
  ["max_order_qty", "shares"],
  ["max_order_value", "won"],
  ["max_position_qty", "shares"],
  ["max_gross_exposure", "won"],
  ["fat_finger_pct", "pct"],
  ["max_orders_per_second", "orders"],
  ["max_orders_per_minute", "orders"],
  ["daily_loss_limit", "won"],
] as const;

export const SWITCHES = ["check_cash", "allow_short", "prevent_self_cross", "block_identical_orders"] as const;

export const limitsSchema = z.object({
  max_order_qty: wholeOrBlank,
  max_order_value: wholeOrBlank,
  max_position_qty: wholeOrBlank,
  max_gross_exposure: wholeOrBlank,
  fat_finger_pct: percentOrBlank,
  max_orders_per_second: wholeOrBlank,
  max_orders_per_minute: wholeOrBlank,
  daily_loss_limit: wholeOrBlank,
  check_cash: z.boolean(),
  allow_short: z.boolean(),
  prevent_self_cross: z.boolean(),
  block_identical_orders: z.boolean(),
});

export type LimitsForm = z.input<typeof limitsSchema>;

const grouped = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 4 });

/** The server's limits as the form's text fields (thousands grouped; blank for none). */
export function toForm(limits: RiskLimits): LimitsForm {
  const text = (n: number | null) => (n === null ? "" : grouped.format(n));
  return {
    max_order_qty: text(limits.max_order_qty),
    max_order_value: text(limits.max_order_value),
    max_position_qty: text(limits.max_position_qty),
    max_gross_exposure: text(limits.max_gross_exposure),
    fat_finger_pct: text(limits.fat_finger_pct),
    max_orders_per_second: text(limits.max_orders_per_second),
    max_orders_per_minute: text(limits.max_orders_per_minute),
    daily_loss_limit: text(limits.daily_loss_limit),
    check_cash: limits.check_cash,
    allow_short: limits.allow_short,
    prevent_self_cross: limits.prevent_self_cross,
    block_identical_orders: limits.block_identical_orders,
  };
}
