// Named watchlists kept in this browser (localStorage): a tab each on the market watch.
// The first list exists from the start so a symbol can be starred right away; its empty
// name shows as the localized "Watchlist".
import { create } from "zustand";
import { persist } from "zustand/middleware";

export type Watchlist = { id: string; name: string; symbols: string[] };

type WatchlistState = {
  lists: Watchlist[];
  /** Add a list; returns its id (an empty or taken name returns the existing list's id). */
  create: (name: string) => string;
  remove: (id: string) => void;
  add: (id: string, symbol: string) => void;
  drop: (id: string, symbol: string) => void;
  toggle: (id: string, symbol: string) => void;
};

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
