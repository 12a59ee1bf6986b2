// Numbers and times as a Korean trader reads them: won without decimals, signed changes,
// percentages to two places, times in KST.
const won = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0 });
const pct = new Intl.NumberFormat("ko-KR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtWon = (n: number | null | undefined) => (n === null || n === undefined ? "—" : won.format(n));
/** A price where 0 means "none yet" (no trade before the open): a dash, not a zero. */
export const fmtPrice = (n: number | null | undefined) => (n ? won.format(n) : "—");
export const fmtSigned = (n: number) => (n > 0 ? "+" : "") + won.format(n);
export const fmtPct = (n: number) => (n > 0 ? "+" : "") + pct.format(n) + "%";
export const fmtQty = (n: number) => won.format(n);

/** A compact KST wall-clock time ("09:05:12") for tables, tickets and counters: the exchange's
 * clock, 24-hour and the same in every language. The one copy every screen uses. */
const kst = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Seoul", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

export const fmtClock = (ns: number | null | undefined) => (ns ? kst.format(new Date(ns / 1e6)) : "—");

/** The time of day in Korean words ("오후 3:05:12" style), where a sentence needs it. */
export function fmtTime(ns: number): string {
  if (!ns) return "—";
  return new Date(ns / 1e6).toLocaleTimeString("ko-KR", { timeZone: "Asia/Seoul", hour12: false });
}

/** Tailwind text colour of a signed change: Korean convention, red up and blue down. */
export const changeColor = (n: number) => (n > 0 ? "text-red-500" : n < 0 ? "text-blue-500" : "text-neutral-500");
