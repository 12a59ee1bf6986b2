"use client";
// The frame of every page: navigation, live/offline state, language and theme switches,
// and the sign-in gate (every page but /login needs a signed-in user).
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useAuth } from "@/lib/auth";
import { useLocale, useT } from "@/lib/i18n";
import { useLive } from "@/lib/stores/live";
import { useTheme } from "@/lib/theme";

const NAV = [
  ["/", "nav.overview"],
  ["/market/", "nav.market"],
  ["/strategies/", "nav.strategies"],
  ["/alerts/", "nav.alerts"],
  ["/monitoring/", "nav.monitoring"],
  ["/settings/", "nav.settings"],
] as const;

export function Shell({ children }: { children: React.ReactNode }) {
  const t = useT();
  const path = usePathname();
  const router = useRouter();
  const user = useAuth((s) => s.user);
  const signOut = useAuth((s) => s.signOut);
  const { locale, setLocale } = useLocale();
  const { theme, toggle } = useTheme();
  const status = useLive((s) => s.status);
  const online = useLive((s) => s.online);
  const [hydrated, setHydrated] = useState(false);
  const onLogin = path?.startsWith("/login");

  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    const update = () => useLive.getState().setOnline(navigator.onLine);
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  useEffect(() => {
    if (hydrated && !user && !onLogin) router.replace("/login/");
  }, [hydrated, user, onLogin, router]);
  useEffect(() => {
    if ("serviceWorker" in navigator && process.env.NODE_ENV === "production") {
      navigator.serviceWorker.register("/sw.js").catch(() => undefined);
    }
  }, []);

  if (onLogin) return <main className="mx-auto max-w-md p-6">{children}</main>;
  const dot = status === "open" ? "bg-emerald-500" : status === "connecting" ? "bg-amber-400" : "bg-red-500";
  return (
    <div className="flex min-h-screen flex-col">
      {!online && (
        <div role="status" data-testid="offline-banner" className="bg-amber-500 px-4 py-1 text-center text-sm font-medium text-black">
          {t("offline.banner")}
        </div>
      )}
      <header className="sticky top-0 z-20 flex flex-wrap items-center gap-x-4 gap-y-1 border-b border-neutral-200 bg-white/90 px-4 py-2 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
        <span className="text-lg font-bold tracking-tight">{t("app.name")}</span>
        {/* on a phone the menu is its own row that scrolls sideways, under the name and controls */}
        <nav className="order-last -mx-1 flex w-full gap-1 overflow-x-auto whitespace-nowrap text-sm sm:order-none sm:mx-0 sm:w-auto sm:flex-wrap">
          {NAV.map(([href, key]) => {
            const active = href === "/" ? path === "/" : path?.startsWith(href);
            return (
              <Link
                key={href}
                href={href}
                className={`rounded px-2 py-1 ${active ? "bg-slate-200 font-semibold dark:bg-slate-800" : "hover:bg-slate-100 dark:hover:bg-slate-900"}`}
              >
                {t(key)}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-xs">
          <span className="flex items-center gap-1" data-testid="live-status">
            <span className={`inline-block h-2 w-2 rounded-full ${dot}`} />
            {t(`live.${status}`)}
          </span>
          <button className="rounded border px-2 py-0.5 dark:border-slate-700" onClick={() => setLocale(locale === "ko" ? "en" : "ko")}>
            {locale === "ko" ? "EN" : "한국어"}
          </button>
          <button className="rounded border px-2 py-0.5 dark:border-slate-700" onClick={toggle}>
            {theme === "dark" ? t("theme.light") : t("theme.dark")}
          </button>
          {user && (
            <span className="hidden text-neutral-500 sm:inline dark:text-slate-400">
              {user.username} · {user.role}
            </span>
          )}
          <button
            className="rounded border px-2 py-0.5 dark:border-slate-700"
            onClick={() => {
              signOut();
              router.replace("/login/");
            }}
          >
            {t("nav.logout")}
          </button>
        </div>
      </header>
      <main className="flex-1 p-3 sm:p-4">{hydrated && user ? children : null}</main>
    </div>
  );
}
