// The state badges of a quote: volatility interruption, limit up / limit down, halted.
import type { Quote } from "@/lib/stores/quotes";

export type Flag = "vi" | "upper" | "lower" | "halted";

export function quoteFlags(q: Pick<Quote, "last" | "upper_limit" | "lower_limit" | "state" | "vi">): Flag[] {
  const flags: Flag[] = [];
  if (q.vi || q.state === "vi") flags.push("vi");
  if (q.last > 0 && q.upper_limit > 0 && q.last >= q.upper_limit) flags.push("upper");
  if (q.last > 0 && q.lower_limit > 0 && q.last <= q.lower_limit) flags.push("lower");
  if (q.state === "halted") flags.push("halted");
  return flags;
}
