"use client";
// Holdings valued at the last price, from the `positions` channel (seeded over REST); a
// header click sorts by that column (biggest holding first until then).
import { useState } from "react";
import { changeColor, fmtPct, fmtQty, fmtSigned, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { nextSort, type Sort } from "@/lib/sort";
import { useAccount } from "@/lib/stores/account";
import { firstDir, returnPct, sortPositions, type PositionKey } from "./tableSort";
import { Card, Empty, SortTh, Table, Td } from "./ui";

const COLUMNS: [PositionKey, string, boolean][] = [
  ["symbol", "overview.symbol", false],
  ["qty", "overview.qty", true],
  ["avg_price", "overview.avgPrice", true],
  ["last", "overview.last", true],
  ["value", "overview.value", true],
  ["unrealized", "overview.unrealized", true],
  ["return_pct", "overview.returnPct", true],
  ["realized", "overview.realized", true],
];

export function PositionsTable() {
  const t = useT();
  const positions = useAccount((s) => s.positions);
  const [sort, setSort] = useState<Sort<PositionKey>>(null);
  const rows = sortPositions(positions, sort);
  return (
    <Card title={`${t("overview.positions")} (${rows.length})`} testId="positions">
      {rows.length === 0 ? (
        <Empty>{t("overview.noPositions")}</Empty>
      ) : (
        <Table>
          <thead>
            <tr>
              {COLUMNS.map(([key, label, num]) => (
                <SortTh key={key} num={num} testId={`sort-position-${key}`} active={sort?.key === key ? sort.dir : null} onSort={() => setSort((s) => nextSort(s, key, firstDir(num)))}>
                  {t(label)}
                </SortTh>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.symbol} data-testid="position-row" data-symbol={p.symbol}>
                <Td>
                  <span className="font-medium">{p.name || p.symbol}</span>{" "}
                  <span className="text-xs text-neutral-500">{p.symbol}</span>
                </Td>
                <Td num>{fmtQty(p.qty)}</Td>
                <Td num>{fmtWon(Math.round(p.avg_price))}</Td>
                <Td num>{fmtWon(p.last)}</Td>
                <Td num>{fmtWon(p.market_value)}</Td>
                <Td num className={changeColor(p.unrealized_pnl)}>{fmtSigned(p.unrealized_pnl)}</Td>
                <Td num className={changeColor(returnPct(p))}>{fmtPct(returnPct(p))}</Td>
                <Td num className={changeColor(p.realized_pnl)}>{fmtSigned(p.realized_pnl)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
