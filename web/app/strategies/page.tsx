"use client";
// Strategies: the saved programs and the ones running on the account, an editor checked by
// the server's validator as you type, versions, start/pause/resume/stop, delete, and backtests.
import { useState } from "react";
import { ApiError, get, post, put } from "@/lib/api";
import { useServerText } from "@/lib/serverText";
import { can, useAuth } from "@/lib/auth";
import { useT } from "@/lib/i18n";
import "@/lib/messages/strategies";
import { BacktestPanel } from "@/components/strategies/BacktestPanel";
import { CodeEditor } from "@/components/strategies/CodeEditor";
import { DeleteStrategy } from "@/components/strategies/DeleteStrategy";
import { RunningList } from "@/components/strategies/RunningList";
import { SavedList } from "@/components/strategies/SavedList";
import { Versions } from "@/components/strategies/Versions";
import { useRefresh, useRunning, useStrategies, useValidation, useVersions, type StrategyDocument } from "@/components/strategies/queries";

const TEMPLATE = `strategy "my_strategy"
description "Golden cross buys, dead cross sells"

universe all
timeframe 1m

param fast = 5 in 3..10
param slow = 20 in 10..60 step 5

let fast_ma = sma(close, fast)
let slow_ma = sma(close, slow)

when position == 0 and crosses_above(fast_ma, slow_ma): buy 10 shares at market
when position > 0 and crosses_below(fast_ma, slow_ma): sell all at market
`;

type Notice = { ok: boolean; text: string } | null;
const BUTTON = "rounded px-3 py-1.5 text-sm font-semibold disabled:opacity-40";

export default function StrategiesPage() {
  const t = useT();
  const server = useServerText();
  const canTrade = can(useAuth((s) => s.user), "trader");
  const [source, setSource] = useState(TEMPLATE);
  const [base, setBase] = useState<string | null>(null); // the open version's text
  const [open, setOpen] = useState<{ name: string; version: number } | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const validation = useValidation(source);
  const strategies = useStrategies();
  const running = useRunning();
  const versions = useVersions(open?.name ?? null);
  const refresh = useRefresh();
  const dirty = base !== source;
  const verdict = source.trim() ? validation.data : undefined;
  const problems = verdict?.errors ?? [];
  const ready = !validation.checking && verdict?.valid === true;
  const isRunning = open !== null && (running.data ?? []).some((r) => r.name === open.name);

  const fail = (e: unknown) => setNotice({ ok: false, text: server.error(e) });
  const load = (doc: StrategyDocument) => {
    setSource(doc.source);
    setBase(doc.source);
    setOpen({ name: doc.name, version: doc.version });
  };
  const leave = () => !dirty || base === null || window.confirm(t("strategies.discard"));

  const task = async (work: () => Promise<void>) => {
    setBusy(true);
    setNotice(null);
    try {
      await work();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const select = (name: string) => leave() && task(async () => load(await get<StrategyDocument>(`/strategies/${encodeURIComponent(name)}`)));
  const view = (version: number) =>
    open && leave() && task(async () => load(await get<StrategyDocument>(`/strategies/${encodeURIComponent(open.name)}/versions/${version}`)));
  const fresh = () => {
    if (!leave()) return;
    setSource(TEMPLATE);
    setBase(null);
    setOpen(null);
  };
  const save = () =>
    task(async () => {
      const body = { source, language: "jts" };
      const same = open !== null && verdict?.name === open.name;
      const doc = same ? await put<StrategyDocument>(`/strategies/${encodeURIComponent(open.name)}`, body) : await post<StrategyDocument>("/strategies", body);
      load(doc);
      setNotice({ ok: true, text: t("strategies.saved.ok", { name: doc.name, version: doc.version }) });
      await refresh();
    });
  const start = () =>
    open &&
    task(async () => {
      await post("/trading/strategies", { name: open.name });
      setNotice({ ok: true, text: t("strategies.started", { name: open.name }) });
      await refresh();
    });

  return (
    <div className="grid gap-4 lg:grid-cols-[16rem_minmax(0,1fr)]">
      <aside className="space-y-6">
        <SavedList items={strategies.data} loading={strategies.isLoading} selected={open?.name ?? null} onSelect={select} onNew={fresh} />
        <RunningList items={running.data} error={running.error} canTrade={canTrade} onChanged={() => void refresh()} onError={(m) => setNotice({ ok: false, text: m })} />
      </aside>
      <div className="min-w-0 space-y-4">
        <section aria-labelledby="editor-title" className="space-y-2">
          <div className="flex flex-wrap items-center gap-2">
            <h1 id="editor-title" className="mr-auto flex min-w-0 items-baseline gap-2 text-lg font-bold">
              <span className="truncate" data-testid="strategy-name">
                {verdict?.name ?? open?.name ?? t("strategies.untitled")}
              </span>
              {open && (
                <span className="text-sm font-normal text-neutral-500" data-testid="strategy-open-version">
                  v{open.version}
                  {dirty && ` · ${t("strategies.modified")}`}
                </span>
              )}
            </h1>
            <Verdict checking={validation.checking} valid={verdict?.valid} count={problems.length} error={validation.error} />
            <button type="button" data-testid="strategy-save" onClick={save} disabled={!canTrade || busy || !ready || (open !== null && !dirty)} className={`${BUTTON} bg-sky-700 text-white hover:bg-sky-600`}>
              {t("common.save")}
            </button>
            <button
              type="button"
              data-testid="strategy-start"
              onClick={start}
              disabled={!canTrade || busy || open === null || dirty || isRunning}
              title={dirty ? t("strategies.saveFirst") : undefined}
              className={`${BUTTON} bg-emerald-700 text-white hover:bg-emerald-600`}
            >
              {t("strategies.start")}
            </button>
            {open && canTrade && (
              <DeleteStrategy
                name={open.name}
                disabled={busy}
                running={isRunning}
                onDeleted={() => {
                  setNotice({ ok: true, text: t("strategies.deleted", { name: open.name }) });
                  setSource(TEMPLATE);
                  setBase(null);
                  setOpen(null);
                  void refresh();
                }}
              />
            )}
          </div>
          {notice && (
            <p role="status" data-testid="strategy-notice" className={`text-sm ${notice.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}>
              {notice.text}
            </p>
          )}
          <CodeEditor value={source} onChange={setSource} problems={problems} label={t("strategies.editor")} />
          <Versions versions={versions.data} current={open?.version ?? null} onView={view} />
        </section>
        <BacktestPanel strategy={source} params={verdict?.valid ? verdict.params : {}} ready={ready} canRun={canTrade} />
      </div>
    </div>
  );
}

function Verdict({ checking, valid, count, error }: { checking: boolean; valid: boolean | undefined; count: number; error: unknown }) {
  const t = useT();
  const server = useServerText();
  let text = t("editor.checking");
  let colour = "text-neutral-500";
  if (error instanceof ApiError) [text, colour] = [server.error(error), "text-red-600 dark:text-red-400"];
  else if (!checking && valid === true) [text, colour] = [`✓ ${t("editor.valid")}`, "text-emerald-700 dark:text-emerald-400"];
  else if (!checking && valid === false) [text, colour] = [`✗ ${t("editor.problems", { n: count })}`, "text-red-600 dark:text-red-400"];
  return (
    <span data-testid="editor-verdict" aria-live="polite" className={`text-sm ${colour}`}>
      {text}
    </span>
  );
}
