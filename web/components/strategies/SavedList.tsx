"use client";
// The saved strategies (latest version of each) and whether each runs on the account now.
import { useT } from "@/lib/i18n";
import { fmtStamp } from "./format";
import type { StrategySummary } from "./queries";

type Props = {
  items: StrategySummary[] | undefined;
  loading: boolean;
  selected: string | null;
  onSelect: (name: string) => void;
  onNew: () => void;
};

export function SavedList({ items, loading, selected, onSelect, onNew }: Props) {
  const t = useT();
  return (
    <section aria-labelledby="saved-title">
      <div className="mb-2 flex items-center justify-between">
        <h2 id="saved-title" className="text-sm font-semibold">
          {t("strategies.saved")}
        </h2>
        <button type="button" onClick={onNew} data-testid="strategy-new" className="rounded border border-neutral-300 px-2 py-0.5 text-xs hover:bg-neutral-100 dark:border-slate-700 dark:hover:bg-slate-800">
          + {t("strategies.new")}
        </button>
      </div>
      {loading && <p className="text-xs text-neutral-500">{t("common.loading")}</p>}
      {items && items.length === 0 && <p className="text-xs text-neutral-500">{t("strategies.noneSaved")}</p>}
      <ul className="space-y-1" data-testid="strategy-list">
        {items?.map((item) => (
          <li key={item.name}>
            <button
              type="button"
              onClick={() => onSelect(item.name)}
              data-testid="strategy-item"
              data-name={item.name}
              aria-current={item.name === selected ? "true" : undefined}
              className={`w-full rounded px-2 py-1.5 text-left text-sm ${item.name === selected ? "bg-slate-200 dark:bg-slate-800" : "hover:bg-neutral-100 dark:hover:bg-slate-900"}`}
            >
              <span className="flex items-center gap-2">
                <span className="truncate font-medium">{item.name}</span>
                <span className="text-xs text-neutral-500">v{item.latest_version}</span>
                {item.running && <StateBadge state={item.running} />}
              </span>
              <span className="block text-xs text-neutral-500">
                {item.author} · {fmtStamp(item.updated_ns)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function StateBadge({ state }: { state: string }) {
  const t = useT();
  const colour =
    state === "active"
      ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200"
      : "bg-amber-100 text-amber-800 dark:bg-amber-900/60 dark:text-amber-200";
  return <span className={`ml-auto rounded px-1.5 text-xs ${colour}`}>{t(`strategies.state.${state}`)}</span>;
}
