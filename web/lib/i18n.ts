// Korean (default) and English labels. Each area keeps its words in lib/messages/<area>.ts;
// `useT()` gives t("key") in the chosen language, falling back to Korean, then to the key.
import { create } from "zustand";
import { persist } from "zustand/middleware";
import { common } from "./messages/common";

export type Locale = "ko" | "en";
export type Messages = Record<string, { ko: string; en: string }>;

const all: Messages = { ...common };

/** Add an area's messages (each area module calls this once at import). */
export function register(messages: Messages): void {
  Object.assign(all, messages);
}

type LocaleState = { locale: Locale; setLocale: (l: Locale) => void };

export const useLocale = create<LocaleState>()(
  persist((set) => ({ locale: "ko", setLocale: (locale) => set({ locale }) }), { name: "jts-locale" }),
);

export function translate(locale: Locale, key: string, vars?: Record<string, string | number>): string {
  let text = all[key]?.[locale] ?? all[key]?.ko ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

export function useT(): (key: string, vars?: Record<string, string | number>) => string {
  const locale = useLocale((s) => s.locale);
  return (key, vars) => translate(locale, key, vars);
}

/** The words of `key`, or `raw` (usually the server's own value) when no area has that key:
 * for server enums the dashboard may not know yet. */
export function wordsOr(t: (key: string) => string, key: string, raw: string): string {
  const text = t(key);
  return text === key ? raw : text;
}
