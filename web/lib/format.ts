// Numbers and times as a Korean trader reads them: won without decimals, signed changes,
// percentages to two places, times in KST.
const won = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0 });
const pct = new Intl.NumberFormat("ko-KR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtWon = (n: number | null | undefined) => (n === null || n === undefined ? "—" : won.format(n));
export const fmtSigned = (n: number) => (n > 0 ? "+" : "") + won.format(n);
export const fmtPct = (n: number) => (n > 0 ? "+" : "") + pct.format(n) + "%";
export const fmtQty = (n: number) => won.format(n);

export function fmtTime(ns: number): string {
  if (!ns) return "—";
  return new Date(ns / 1e6).toLocaleTimeString("ko-KR", { timeZone: "Asia/Seoul", hour12: false });
}

/** Tailwind text colour of a signed change: Korean convention, red up and blue down. */
export const changeColor = (n: number) => (n > 0 ? "text-red-500" : n < 0 ? "text-blue-500" : "text-neutral-500");
