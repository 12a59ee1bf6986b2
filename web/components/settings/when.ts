// Dates and times of settings lists (keys, passkeys, credentials) in KST, in the chosen language.
import type { Locale } from "@/lib/i18n";

export function fmtWhen(ns: number | null | undefined, locale: Locale): string | null {
  if (!ns) return null;
  return new Date(ns / 1e6).toLocaleString(locale === "ko" ? "ko-KR" : "en-GB", {
    timeZone: "Asia/Seoul",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
}
