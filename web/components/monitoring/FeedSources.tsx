"use client";
// Where each watched symbol's quotes come from on a broker venue: streamed over the
// WebSocket (KIS allows 41 registrations a session) or polled by multi-symbol price
// inquiries, with the plan's staleness bound and the quote's age now. The stalest first.
import { useMemo, useState } from "react";
import { Card, Empty, Table, Td, Th } from "@/components/overview/ui";
import type { FeedSource, Venue } from "@/components/overview/system";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";

const SHOWN = 100;
const secs = (s: number | null) => (s === null ? "—" : s < 10 ? s.toFixed(1) : Math.round(s).toString()) + (s === null ? "" : " s");

/** Rows by how far past its bound each quote is (age ÷ bound; streams by age), worst first. */
export function stalestFirst(rows: FeedSource[]): FeedSource[] {
  const lateness = (r: FeedSource) => (r.age_s === null ? Infinity : r.bound_s > 0 ? r.age_s / r.bound_s : r.age_s / 60);
  return [...rows].sort((a, b) => lateness(b) - lateness(a) || a.code.localeCompare(b.code));
}

export function FeedSources({ venues }: { venues: Venue[] }) {
  const t = useT();
  const [filter, setFilter] = useState("");
  const venue = venues.find((v) => v.subscriptions);
  const subs = venue?.subscriptions;
  const rows = useMemo(() => stalestFirst((subs?.symbols ?? []).filter((r) => r.code.includes(filter.trim()))), [subs, filter]);
  if (!subs) {
    return (
      <Card title={t("mon.sources")} testId="feed-sources">
        <Empty>{t("mon.sourcesNone")}</Empty>
      </Card>
    );
  }
  const free = Object.values(subs.budget_free);
  const freePct = free.length ? Math.round(Math.min(...free) * 100) : 0;
  return (
    <Card
      title={t("mon.sources")}
      testId="feed-sources"
      action={
        <span className="flex gap-3 text-xs tabular-nums text-neutral-500">
          <span data-testid="streamed">{t("mon.streamed", { n: subs.streamed })}</span>
          <span data-testid="polled">{t("mon.polled", { n: subs.polled })}</span>
          <span>{t("mon.budgetFree", { p: freePct })}</span>
        </span>
      }
    >
      <input
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        placeholder={t("mon.filterCode")}
        aria-label={t("mon.filterCode")}
        className="mb-2 w-40 rounded border border-neutral-300 bg-transparent px-2 py-1 text-sm dark:border-slate-700"
      />
      <Table testId="feed-sources-table">
        <thead>
          <tr>
            <Th>{t("mon.code")}</Th>
            <Th>{t("mon.source")}</Th>
            <Th num>{t("mon.bound")}</Th>
            <Th num>{t("mon.age")}</Th>
            <Th num>{t("mon.worstAge")}</Th>
            <Th num>{t("mon.p95")}</Th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, SHOWN).map((r) => {
            const late = r.age_s !== null && r.bound_s > 0 && r.age_s > r.bound_s;
            return (
              <tr key={r.code} data-code={r.code} data-source={r.source}>
                <Td className="font-mono">{r.code}</Td>
                <Td>
                  {t(`mon.src.${r.source}`)}
                  {r.book ? ` + ${t("mon.src.book")}` : ""}
                </Td>
                <Td num>{r.source === "stream" ? "—" : secs(r.bound_s)}</Td>
                <Td num className={late ? "text-red-600 dark:text-red-400" : ""}>{secs(r.age_s)}</Td>
                <Td num>{secs(r.worst_s)}</Td>
                <Td num>{secs(r.p95_s)}</Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      {rows.length > SHOWN && <p className="mt-1 text-xs text-neutral-500">{t("mon.more", { n: rows.length - SHOWN })}</p>}
    </Card>
  );
}
