"use client";
// Holdings valued at the last price, from the `positions` channel (seeded over REST).
import { changeColor, fmtPct, fmtQty, fmtSigned, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { useAccount, type Position } from "@/lib/stores/account";
import { Card, Empty, Table, Td, Th } from "./ui";

const returnPct = (p: Position) => (p.avg_price > 0 ? ((p.last - p.avg_price) / p.avg_price) * 100 * Math.sign(p.qty) : 0);

export function PositionsTable() {
  const t = useT();
  const positions = useAccount((s) => s.positions);
  const rows = positions.filter((p) => p.qty !== 0).sort((a, b) => Math.abs(b.market_value) - Math.abs(a.market_value));
  return (
    <Card title={`${t("overview.positions")} (${rows.length})`} testId="positions">
      {rows.length === 0 ? (
        <Empty>{t("overview.noPositions")}</Empty>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>{t("overview.symbol")}</Th>
              <Th num>{t("overview.qty")}</Th>
              <Th num>{t("overview.avgPrice")}</Th>
              <Th num>{t("overview.last")}</Th>
              <Th num>{t("overview.value")}</Th>
              <Th num>{t("overview.unrealized")}</Th>
              <Th num>{t("overview.returnPct")}</Th>
              <Th num>{t("overview.realized")}</Th>
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
