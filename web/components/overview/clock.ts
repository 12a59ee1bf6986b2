// A compact KST wall-clock time ("09:05:12") for tables and counters, the same in every
// language (lib/format's fmtTime spells Korean units: "9시 5분 12초").
const kst = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Seoul", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

export const fmtClock = (ns: number | null | undefined) => (ns ? kst.format(new Date(ns / 1e6)) : "—");
