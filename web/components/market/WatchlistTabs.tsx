"use client";
// A tab for every watchlist plus "All", a field to make a new list, and delete for the open one.
import { useState } from "react";
import { useT } from "@/lib/i18n";
import "@/lib/messages/market";
import { useWatchlists, type Watchlist } from "./watchlists";

export const ALL = "all";

export function listLabel(list: Watchlist, t: (key: string) => string): string {
  return list.name || t("market.defaultList");
}

export function WatchlistTabs({ active, onSelect }: { active: string; onSelect: (id: string) => void }) {
  const t = useT();
  const lists = useWatchlists((s) => s.lists);
  const create = useWatchlists((s) => s.create);
  const remove = useWatchlists((s) => s.remove);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const tab = (selected: boolean) =>
    `whitespace-nowrap rounded-t px-3 py-1.5 text-sm ${selected ? "border-b-2 border-slate-800 font-semibold dark:border-slate-200" : "text-neutral-500 hover:text-neutral-900 dark:text-slate-400 dark:hover:text-slate-100"}`;
  const current = lists.find((l) => l.id === active);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    onSelect(create(name));
    setName("");
    setNaming(false);
  };

  return (
    <div className="flex flex-wrap items-center gap-1 border-b border-neutral-200 dark:border-slate-800" role="tablist">
      <button type="button" role="tab" aria-selected={active === ALL} className={tab(active === ALL)} onClick={() => onSelect(ALL)} data-testid="tab-all">
        {t("market.all")}
      </button>
      {lists.map((list) => (
        <button
          key={list.id}
          type="button"
          role="tab"
          aria-selected={active === list.id}
          className={tab(active === list.id)}
          onClick={() => onSelect(list.id)}
          data-testid="tab-list"
        >
          {listLabel(list, t)} <span className="text-xs text-neutral-400">{list.symbols.length}</span>
        </button>
      ))}
      {naming ? (
        <form onSubmit={submit} className="flex items-center gap-1">
          <input
            autoFocus
            value={name}
            maxLength={30}
            onChange={(e) => setName(e.target.value)}
            placeholder={t("market.newListName")}
            aria-label={t("market.newListName")}
            className="w-32 rounded border border-neutral-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
          />
          <button type="submit" className="rounded border px-2 py-1 text-sm dark:border-slate-700">
            {t("market.create")}
          </button>
          <button type="button" className="px-1 text-sm text-neutral-500" onClick={() => setNaming(false)}>
            {t("common.cancel")}
          </button>
        </form>
      ) : (
        <button type="button" className="px-2 py-1 text-sm text-neutral-500 hover:text-neutral-900 dark:hover:text-slate-100" onClick={() => setNaming(true)} data-testid="new-list">
          + {t("market.newList")}
        </button>
      )}
      {current && lists.length > 1 && (
        <button
          type="button"
          className="ml-auto px-2 py-1 text-xs text-red-500 hover:underline"
          onClick={() => {
            if (window.confirm(t("market.deleteListConfirm", { list: listLabel(current, t) }))) {
              remove(current.id);
              onSelect(ALL);
            }
          }}
        >
          {t("market.deleteList")}
        </button>
      )}
    </div>
  );
}
