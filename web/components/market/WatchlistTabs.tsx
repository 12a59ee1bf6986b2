"use client";
// A tab for every watchlist plus "All", a field to make a new list, and for the open list:
// rename, move left / right (or drag a tab onto another) and delete.
import { useState } from "react";
import { useT } from "@/lib/i18n";
import "@/lib/messages/market";
import { useWatchlists, type Watchlist } from "./watchlists";

export const ALL = "all";

export function listLabel(list: Watchlist, t: (key: string) => string): string {
  return list.name || t("market.defaultList");
}

const smallBase = "rounded px-1.5 py-1 text-xs hover:bg-neutral-100 disabled:opacity-30 disabled:hover:bg-transparent dark:hover:bg-slate-800";
const small = `${smallBase} text-neutral-600 dark:text-slate-300`;
const field = "w-32 rounded border border-neutral-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

/** A one-field form (new list name, new name of a list) with submit and cancel. */
function NameForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
  testId,
}: {
  initial: string;
  submitLabel: string;
  onSubmit: (name: string) => string | null;
  onCancel: () => void;
  testId: string;
}) {
  const t = useT();
  const [name, setName] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      data-testid={testId}
      className="flex items-center gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        setProblem(onSubmit(name));
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") onCancel();
      }}
    >
      <input
        autoFocus
        value={name}
        maxLength={30}
        onChange={(e) => setName(e.target.value)}
        placeholder={t("market.newListName")}
        aria-label={t("market.newListName")}
        aria-invalid={problem !== null}
        className={field}
      />
      <button type="submit" className="rounded border border-neutral-300 px-2 py-1 text-sm dark:border-slate-700">
        {submitLabel}
      </button>
      <button type="button" className="px-1 text-sm text-neutral-500 dark:text-slate-400" onClick={onCancel}>
        {t("common.cancel")}
      </button>
      {problem && <span className="text-xs text-red-500">{problem}</span>}
    </form>
  );
}

export function WatchlistTabs({ active, onSelect }: { active: string; onSelect: (id: string) => void }) {
  const t = useT();
  const lists = useWatchlists((s) => s.lists);
  const create = useWatchlists((s) => s.create);
  const remove = useWatchlists((s) => s.remove);
  const rename = useWatchlists((s) => s.rename);
  const moveTo = useWatchlists((s) => s.moveTo);
  const [editing, setEditing] = useState<"new" | "rename" | null>(null);
  const [dragged, setDragged] = useState<string | null>(null);
  const tab = (selected: boolean) =>
    `whitespace-nowrap rounded-t px-3 py-1.5 text-sm ${selected ? "border-b-2 border-slate-800 font-semibold dark:border-slate-200" : "text-neutral-500 hover:text-neutral-900 dark:text-slate-400 dark:hover:text-slate-100"}`;
  const index = lists.findIndex((l) => l.id === active);
  const current = index >= 0 ? lists[index] : undefined;

  return (
    <div className="flex flex-wrap items-center gap-1 border-b border-neutral-200 dark:border-slate-800">
      <div role="tablist" className="flex flex-wrap items-center gap-1">
        <button type="button" role="tab" aria-selected={active === ALL} className={tab(active === ALL)} onClick={() => onSelect(ALL)} data-testid="tab-all">
          {t("market.all")}
        </button>
        {lists.map((list, at) => (
          <button
            key={list.id}
            type="button"
            role="tab"
            aria-selected={active === list.id}
            className={`${tab(active === list.id)} ${dragged === list.id ? "opacity-50" : ""}`}
            onClick={() => onSelect(list.id)}
            draggable
            onDragStart={(e) => {
              setDragged(list.id);
              e.dataTransfer.effectAllowed = "move";
              e.dataTransfer.setData("text/plain", list.id);
            }}
            onDragOver={(e) => {
              if (dragged) e.preventDefault();
            }}
            onDrop={(e) => {
              e.preventDefault();
              if (dragged) moveTo(dragged, at);
              setDragged(null);
            }}
            onDragEnd={() => setDragged(null)}
            data-testid="tab-list"
            data-list={list.id}
          >
            {listLabel(list, t)} <span className="text-xs tabular-nums text-neutral-400 dark:text-slate-500">{list.symbols.length}</span>
          </button>
        ))}
      </div>
      {editing === "new" ? (
        <NameForm
          initial=""
          testId="new-list-form"
          submitLabel={t("market.create")}
          onCancel={() => setEditing(null)}
          onSubmit={(name) => {
            onSelect(create(name));
            setEditing(null);
            return null;
          }}
        />
      ) : (
        <button
          type="button"
          className="px-2 py-1 text-sm text-neutral-500 hover:text-neutral-900 dark:text-slate-400 dark:hover:text-slate-100"
          onClick={() => setEditing("new")}
          data-testid="new-list"
        >
          + {t("market.newList")}
        </button>
      )}
      {current && (
        <div className="ml-auto flex flex-wrap items-center gap-0.5" data-testid="list-actions">
          {editing === "rename" ? (
            <NameForm
              initial={current.name || listLabel(current, t)}
              testId="rename-list-form"
              submitLabel={t("market.save")}
              onCancel={() => setEditing(null)}
              onSubmit={(name) => {
                if (!rename(current.id, name)) return t("market.nameTaken");
                setEditing(null);
                return null;
              }}
            />
          ) : (
            <button type="button" className={small} onClick={() => setEditing("rename")} data-testid="rename-list">
              {t("market.renameList")}
            </button>
          )}
          <button
            type="button"
            className={small}
            disabled={index === 0}
            aria-label={t("market.moveLeft")}
            title={t("market.moveLeft")}
            onClick={() => moveTo(current.id, index - 1)}
            data-testid="move-list-left"
          >
            ◀
          </button>
          <button
            type="button"
            className={small}
            disabled={index === lists.length - 1}
            aria-label={t("market.moveRight")}
            title={t("market.moveRight")}
            onClick={() => moveTo(current.id, index + 1)}
            data-testid="move-list-right"
          >
            ▶
          </button>
          {lists.length > 1 && (
            <button
              type="button"
              className={`${smallBase} text-red-600 dark:text-red-400`}
              data-testid="delete-list"
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
      )}
    </div>
  );
}
