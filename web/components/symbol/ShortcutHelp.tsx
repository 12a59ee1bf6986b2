"use client";
// A small "?" beside the ticket's title: hovering or focusing it lists the keyboard shortcuts.
import { useT } from "@/lib/i18n";
import "@/lib/messages/symbol";
import { SHORTCUT_HELP } from "./shortcuts";

export function ShortcutHelp() {
  const t = useT();
  return (
    <span className="group relative inline-flex">
      <button
        type="button"
        aria-label={t("symbol.keys.title")}
        aria-describedby="ticket-shortcuts"
        data-testid="ticket-shortcuts-button"
        className="h-5 w-5 rounded-full border border-neutral-300 text-[11px] leading-none text-neutral-500 hover:bg-neutral-100 dark:border-slate-600 dark:text-slate-400 dark:hover:bg-slate-800"
      >
        ?
      </button>
      <span
        id="ticket-shortcuts"
        role="tooltip"
        data-testid="ticket-shortcuts"
        className="invisible absolute right-0 top-6 z-20 w-72 max-w-[calc(100vw-2rem)] rounded border border-neutral-200 bg-white p-2 text-xs text-neutral-700 opacity-0 shadow-lg transition-opacity group-focus-within:visible group-focus-within:opacity-100 group-hover:visible group-hover:opacity-100 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200"
      >
        <span className="mb-1 block font-semibold">{t("symbol.keys.title")}</span>
        <span className="grid grid-cols-[auto_minmax(0,1fr)] items-center gap-x-2 gap-y-1">
          {SHORTCUT_HELP.map(([key, label]) => (
            <span key={key} className="contents">
              <kbd className="justify-self-start whitespace-nowrap rounded border border-neutral-300 bg-neutral-50 px-1 font-mono text-[10px] dark:border-slate-600 dark:bg-slate-800">{key}</kbd>
              <span>{t(label)}</span>
            </span>
          ))}
        </span>
      </span>
    </span>
  );
}
