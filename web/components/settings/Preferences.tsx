"use client";
// Language (Korean first) and theme, kept in this browser.
import { Card } from "@/components/overview/ui";
import { useLocale, useT, type Locale } from "@/lib/i18n";
import "@/lib/messages/settings";
import { useTheme } from "@/lib/theme";

function Choice<T extends string>({ value, options, onPick, testId }: { value: T; options: [T, string][]; onPick: (v: T) => void; testId: string }) {
  return (
    <div role="radiogroup" data-testid={testId} className="inline-flex overflow-hidden rounded border border-neutral-300 dark:border-slate-700">
      {options.map(([v, label]) => (
        <button
          key={v}
          type="button"
          role="radio"
          aria-checked={v === value}
          onClick={() => onPick(v)}
          className={`px-3 py-1 text-sm ${v === value ? "bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900" : "hover:bg-neutral-100 dark:hover:bg-slate-800"}`}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

export function Preferences() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const { theme, toggle } = useTheme();
  return (
    <Card title={t("set.prefs")} testId="preferences">
      <div className="flex flex-wrap gap-x-8 gap-y-3 text-sm">
        <div className="flex items-center gap-3">
          <span>{t("set.language")}</span>
          <Choice<Locale> testId="language" value={locale} options={[["ko", "한국어"], ["en", "English"]]} onPick={setLocale} />
        </div>
        <div className="flex items-center gap-3">
          <span>{t("set.theme")}</span>
          <Choice
            testId="theme"
            value={theme}
            options={[["dark", t("theme.dark")], ["light", t("theme.light")]]}
            onPick={(v) => v !== theme && toggle()}
          />
        </div>
      </div>
    </Card>
  );
}
