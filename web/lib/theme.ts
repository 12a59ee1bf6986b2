import { create } from "zustand";
import { persist } from "zustand/middleware";

type ThemeState = { theme: "dark" | "light"; toggle: () => void };

export const useTheme = create<ThemeState>()(
  persist(
    (set) => ({ theme: "dark", toggle: () => set((s) => ({ theme: s.theme === "dark" ? "light" : "dark" })) }),
    { name: "jts-theme" },
  ),
);
