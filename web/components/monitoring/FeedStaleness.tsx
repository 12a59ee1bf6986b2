"use client";
// How fresh the quote feed is, per market (KOSPI, KOSDAQ, ...): every instrument's quotes are
// subscribed while the page is open; once a second each symbol's age behind the newest quote
// is bucketed. The wall-clock time since any quote arrived catches a feed that stopped whole.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { Card, Empty, Table, Td, Th } from "@/components/overview/ui";
import { get } from "@/lib/api";
import { fmtClock } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/monitoring";
import { useQuotes } from "@/lib/stores/quotes";
import { realtime } from "@/lib/ws";
import { BUCKETS_MS, feedClockNs, groupStaleness } from "./stats";
import { fmtAge, useNow } from "./useNow";

type Instrument = { symbol: string; name: string; market: string; kind: string };

const BUCKET_TONE = ["", "text-amber-600 dark:text-amber-400", "text-orange-600 dark:text-orange-400", "text-red-600 dark:text-red-400"];

/** Subscribe to every instrument's quotes while mounted; returns symbol → market. */
function useAllQuotes(): Map<string, string> {
  const instruments = useQuery({
    queryKey: ["instruments", "all"],
    queryFn: () => get<Instrument[]>("/instruments?limit=5000"),
    staleTime: 10 * 60_000,
  });
  useEffect(() => {
    if (!instruments.data?.length) return;
    return realtime().subscribe(instruments.data.map((i) => `quotes:${i.symbol}`));
  }, [instruments.data]);
  return useMemo(() => new Map((instruments.data ?? []).map((i) => [i.symbol, i.market])), [instruments.data]);
}

/** Wall-clock ms of the last change of the quotes store (any symbol). */
function useLastArrival(): React.RefObject<number | null> {
  const last = useRef<number | null>(null);
  useEffect(
    () =>
      useQuotes.subscribe((state, before) => {
        if (state.quotes !== before.quotes) last.current = Date.now();
      }),
    [],
  );
  return last;
}

export function FeedStaleness() {
  const t = useT();
  const markets = useAllQuotes();
  const arrival = useLastArrival();
  const now = useNow(1_000);
  const quotes = Object.values(useQuotes.getState().quotes);
  const clock = feedClockNs(quotes);
  const groups = groupStaleness(quotes, (s) => markets.get(s), clock, t("mon.other"));
  // the ref moves between the once-a-second ticks of `now`: never "-200 ms ago"
  const arrivedAgo = arrival.current === null ? null : Math.max(0, now - arrival.current);
  return (
    <Card
      title={t("mon.staleness")}
      testId="staleness"
      action={
        arrivedAgo !== null && (
          <span data-testid="last-arrival" className={`text-xs ${arrivedAgo > 10_000 ? "font-semibold text-red-500" : "text-neutral-500"}`}>
            {t("mon.lastReceived", { s: fmtAge(arrivedAgo) })}
          </span>
        )
      }
    >
      {groups.length === 0 ? (
        <Empty>{t("mon.noQuotes")}</Empty>
      ) : (
        <>
          <p className="mb-2 text-xs text-neutral-500 dark:text-slate-400">{t("mon.stalenessHint", { t: fmtClock(clock) })}</p>
          <Table>
            <thead>
              <tr>
                <Th>{t("mon.group")}</Th>
                <Th num>{t("mon.symbols")}</Th>
                {BUCKETS_MS.map((_, i) => (
                  <Th key={i} num>
                    {t(`mon.bucket${i}`)}
                  </Th>
                ))}
                <Th num>{t(`mon.bucket${BUCKETS_MS.length}`)}</Th>
                <Th>{t("mon.worst")}</Th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.group} data-testid="staleness-row" data-group={g.group}>
                  <Td className="font-medium">{g.group}</Td>
                  <Td num>{g.symbols}</Td>
                  {g.buckets.map((n, i) => (
                    <Td key={i} num className={n > 0 ? BUCKET_TONE[i] : "text-neutral-400"}>
                      {n}
                    </Td>
                  ))}
                  <Td>
                    {g.worst && (
                      <>
                        {g.worst.name} <span className="text-xs text-neutral-500">{g.worst.symbol}</span>{" "}
                        <span className="tabular-nums">{fmtAge(g.worst.ageMs)}</span>
                      </>
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </>
      )}
    </Card>
  );
}
