"use client";
// Working orders from the `orders` channel (seeded over REST); traders may cancel each one
// (DELETE /orders/{id}); the channel then reports the cancel. Newest first until a header
// click sorts by that column.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { can, useAuth } from "@/lib/auth";
import { del } from "@/lib/api";
import { fmtClock, fmtQty, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/overview";
import { useAccount, type Order } from "@/lib/stores/account";
import { nextSort, type Sort } from "@/lib/sort";
import { openOrders } from "./account";
import { firstDir, sortOrders, type OrderKey } from "./tableSort";
import { Button, Card, Empty, ErrorLine, SortTh, Table, Td, Th } from "./ui";

const COLUMNS: [OrderKey, string, boolean][] = [
  ["time", "overview.time", false],
  ["symbol", "overview.symbol", false],
  ["side", "overview.side", false],
  ["price", "overview.price", true],
  ["qty", "overview.qty", true],
  ["filled", "overview.filled", true],
  ["status", "overview.status", false],
  ["strategy", "overview.strategy", false],
];

export function OpenOrders() {
  const t = useT();
  const user = useAuth((s) => s.user);
  const orders = useAccount((s) => s.orders);
  const [cancelling, setCancelling] = useState<Set<string>>(new Set());
  const cancel = useMutation({
    mutationFn: (id: string) => del<Order>(`/orders/${encodeURIComponent(id)}`),
    onMutate: (id) => setCancelling((s) => new Set(s).add(id)),
    onSuccess: (order) => useAccount.getState().upsertOrder(order),
    onSettled: (_d, _e, id) =>
      setCancelling((s) => {
        const next = new Set(s);
        next.delete(id);
        return next;
      }),
  });
  const [sort, setSort] = useState<Sort<OrderKey>>(null);
  const rows = sortOrders(openOrders(orders), sort);
  const trader = can(user, "trader");
  return (
    <Card title={`${t("overview.openOrders")} (${rows.length})`} testId="open-orders">
      <ErrorLine error={cancel.error} />
      {rows.length === 0 ? (
        <Empty>{t("overview.noOrders")}</Empty>
      ) : (
        <Table>
          <thead>
            <tr>
              {COLUMNS.map(([key, label, num]) => (
                <SortTh key={key} num={num} testId={`sort-order-${key}`} active={sort?.key === key ? sort.dir : null} onSort={() => setSort((s) => nextSort(s, key, firstDir(num || key === "time")))}>
                  {t(label)}
                </SortTh>
              ))}
              {trader && <Th />}
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.client_order_id} data-testid="order-row" data-order={o.client_order_id}>
                <Td className="tabular-nums">{fmtClock(o.created_ns)}</Td>
                <Td>{o.symbol}</Td>
                <Td className={o.side === "buy" ? "text-red-500" : "text-blue-500"}>{t(`overview.${o.side}`)}</Td>
                <Td num>{o.price === null ? t("overview.market") : fmtWon(o.price)}</Td>
                <Td num>{fmtQty(o.qty)}</Td>
                <Td num>{fmtQty(o.filled_qty)}</Td>
                <Td>{t(`overview.orderStatus.${o.status}`)}</Td>
                <Td className="text-neutral-500">{o.strategy ?? "—"}</Td>
                {trader && (
                  <Td>
                    <Button
                      data-testid="cancel-order"
                      className="px-2 py-0.5 text-xs"
                      disabled={cancelling.has(o.client_order_id) || o.status === "pending_cancel"}
                      onClick={() => cancel.mutate(o.client_order_id)}
                    >
                      {t("overview.cancelOrder")}
                    </Button>
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
