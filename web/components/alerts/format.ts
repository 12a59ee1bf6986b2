// How a rule and its times read on the alerts page.
import { fmtWon } from "@/lib/format";
import type { AlertRule } from "./schema";

const stamp = new Intl.DateTimeFormat("ko-KR", {
  timeZone: "Asia/Seoul",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** `03. 05. 09:15:02` in KST; "—" for a missing time. */
export const fmtStamp = (ns: number | null | undefined) => (ns ? stamp.format(new Date(ns / 1e6)) : "—");

/** The condition of `rule` in a few symbols (`≥ 70,000`, `±5%`); empty when the kind says it all. */
export function condition(rule: AlertRule, t: (key: string, vars?: Record<string, string | number>) => string): string {
  const p = rule.params;
  switch (rule.kind) {
    case "price_above":
      return `≥ ${fmtWon(Number(p.price))}`;
    case "price_below":
      return `≤ ${fmtWon(Number(p.price))}`;
    case "pct_move":
      return `±${String(p.pct)}% · ${t(`alerts.base.${String(p.base)}`)}`;
    case "volume_spike":
      return t("alerts.spikeCondition", { multiple: String(p.multiple), window: String(p.window_min) });
    case "order_filled":
      return rule.symbol ? "" : t("alerts.anySymbol");
    default:
      return "";
  }
}
