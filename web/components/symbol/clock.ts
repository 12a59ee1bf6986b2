// Times of the day as the exchange reads them: KST, 24-hour, HH:MM:SS.
const clock = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Seoul", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

export const fmtClock = (ns: number) => (ns ? clock.format(new Date(ns / 1e6)) : "—");
