// Named watchlists kept in this browser (localStorage): a tab each on the market watch.
// The first list exists from the start so a symbol can be starred right away; its empty
// name shows as the localized "Watchlist". Lists can be renamed and put in another order
// (the tabs' order); both are kept with the lists.
import { create } from "zustand";
import { persist } from "zustand/middleware";

export type Watchlist = { id: string; name: string; symbols: string[] };

type WatchlistState = {
  lists: Watchlist[];
  /** Add a list; returns its id (an empty or taken name returns the existing list's id). */
  create: (name: string) => string;
  remove: (id: string) => void;
  /** Rename a list; false (and no change) for an empty name or one another list has. */
  rename: (id: string, name: string) => boolean;
  /** Move a list to position `index` (clamped), the others keeping their order. */
  moveTo: (id: string, index: number) => void;
  add: (id: string, symbol: string) => void;
  drop: (id: string, symbol: string) => void;
  toggle: (id: string, symbol: string) => void;
};

/** `lists` with the list `id` moved to `index` (clamped into range). */
export function moveTo(lists: readonly Watchlist[], id: string, index: number): Watchlist[] {
  const from = lists.findIndex((l) => l.id === id);
  if (from < 0) return [...lists];
  const rest = lists.filter((l) => l.id !== id);
  const to = Math.max(0, Math.min(rest.length, index));
  return [...rest.slice(0, to), lists[from], ...rest.slice(to)];
}

export const DEFAULT_LIST: Watchlist = { id: "default", name: "", symbols: [] };

const edit = (lists: Watchlist[], id: string, change: (symbols: string[]) => string[]) =>
  lists.map((l) => (l.id === id ? { ...l, symbols: change(l.symbols) } : l));

export const useWatchlists = create<WatchlistState>()(
  persist(
    (set, get) => ({
      lists: [DEFAULT_LIST],
      create: (raw) => {
        const name = raw.trim();
        const same = get().lists.find((l) => l.name === name);
        if (same) return same.id;
        const id = `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
        set((s) => ({ lists: [...s.lists, { id, name, symbols: [] }] }));
        return id;
      },
      remove: (id) => set((s) => ({ lists: s.lists.filter((l) => l.id !== id) })),
      rename: (id, raw) => {
        const name = raw.trim();
        if (!name || get().lists.some((l) => l.id !== id && l.name === name)) return false;
        set((s) => ({ lists: s.lists.map((l) => (l.id === id ? { ...l, name } : l)) }));
        return true;
      },
      moveTo: (id, index) => set((s) => ({ lists: moveTo(s.lists, id, index) })),
      add: (id, symbol) => set((s) => ({ lists: edit(s.lists, id, (xs) => (xs.includes(symbol) ? xs : [...xs, symbol])) })),
      drop: (id, symbol) => set((s) => ({ lists: edit(s.lists, id, (xs) => xs.filter((x) => x !== symbol)) })),
      toggle: (id, symbol) => {
        const list = get().lists.find((l) => l.id === id);
        if (list?.symbols.includes(symbol)) get().drop(id, symbol);
        else get().add(id, symbol);
      },
    }),
    { name: "jts-watchlists", version: 1 },
  ),
);
