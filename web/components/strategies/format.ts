// Dates as the strategies page shows them (KST, 24-hour), for saved versions and jobs.
const stamp = new Intl.DateTimeFormat("ko-KR", {
  timeZone: "Asia/Seoul",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** `2026. 03. 05. 09:15` in KST; "—" for a missing time. */
export const fmtStamp = (ns: number | null | undefined) => (ns ? stamp.format(new Date(ns / 1e6)) : "—");

/** Times of the day (HH:MM:SS KST) are the shared formatter's. */
export { fmtClock } from "@/lib/format";
