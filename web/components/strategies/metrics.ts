// The statistics of a backtest summary (`jts backtest --json`, docs/backtest.md) in the order
// the results show them, each with how it reads: fractions as percentages, KRW as won.
export type MetricFormat = "return" | "pct" | "ratio" | "count" | "won" | "days" | "duration" | "multiple";

export const METRICS: ReadonlyArray<readonly [key: string, format: MetricFormat]> = [
  ["total_return", "return"],
  ["annualized_return", "return"],
  ["sharpe", "ratio"],
  ["sortino", "ratio"],
  ["max_drawdown", "pct"],
  ["max_drawdown_duration_days", "days"],
  ["volatility", "pct"],
  ["win_rate", "pct"],
  ["profit_factor", "ratio"],
  ["trades", "count"],
  ["avg_trade_pct", "return"],
  ["best_trade_pct", "return"],
  ["worst_trade_pct", "return"],
  ["avg_holding_seconds", "duration"],
  ["exposure", "pct"],
  ["turnover", "multiple"],
  ["orders_filled", "count"],
  ["orders_rejected", "count"],
  ["final_equity", "won"],
  ["final_cash", "won"],
  ["total_costs", "won"],
  ["commission", "won"],
  ["tax", "won"],
  ["bars", "count"],
];

const two = new Intl.NumberFormat("ko-KR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0 });

/** `value` as the results show it; "—" when the statistic is undefined (null). */
export function formatMetric(value: unknown, format: MetricFormat): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "—";
  switch (format) {
    case "return":
      return (value > 0 ? "+" : "") + two.format(value * 100) + "%";
    case "pct":
      return two.format(value * 100) + "%";
    case "ratio":
      return two.format(value);
    case "multiple":
      return two.format(value) + "×";
    case "duration":
      return value >= 3600 ? two.format(value / 3600) + "h" : whole.format(value / 60) + "m";
    default:
      return whole.format(value);
  }
}
