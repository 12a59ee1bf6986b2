"use client";
// Every saved version of the open strategy, oldest first; choosing one opens its text.
import { useT } from "@/lib/i18n";
import { fmtStamp } from "./format";
import type { StrategyDocument } from "./queries";

type Props = { versions: StrategyDocument[] | undefined; current: number | null; onView: (version: number) => void };

export function Versions({ versions, current, onView }: Props) {
  const t = useT();
  if (!versions?.length) return null;
  return (
    <details open className="rounded border border-neutral-200 p-2 text-sm dark:border-slate-800">
      <summary className="cursor-pointer font-semibold">{t("strategies.versions", { count: versions.length })}</summary>
      <ol className="mt-2 flex flex-wrap gap-1" data-testid="strategy-versions">
        {[...versions].reverse().map((v) => (
          <li key={v.version}>
            <button
              type="button"
              onClick={() => onView(v.version)}
              data-testid="strategy-version"
              data-version={v.version}
              aria-current={v.version === current ? "true" : undefined}
              title={`${v.author} · ${fmtStamp(v.created_ns)}`}
              className={`rounded border px-2 py-1 text-xs ${v.version === current ? "border-sky-500 bg-sky-50 font-semibold dark:bg-sky-950" : "border-neutral-300 hover:bg-neutral-100 dark:border-slate-700 dark:hover:bg-slate-800"}`}
            >
              v{v.version} <span className="text-neutral-500">· {v.author} · {fmtStamp(v.created_ns)}</span>
            </button>
          </li>
        ))}
      </ol>
    </details>
  );
}
