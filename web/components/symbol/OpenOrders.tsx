"use client";
// This symbol's working orders, from GET /orders (on open) and the `orders` channel after
// that (both land in the account store), each with a cancel button for traders.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { del, get } from "@/lib/api";
import { can, useAuth } from "@/lib/auth";
import { fmtClock, fmtQty, fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { useServerText } from "@/lib/serverText";
import "@/lib/messages/symbol";
import { useAccount, type Order } from "@/lib/stores/account";

export const OPEN_STATUSES = new Set(["pending_new", "accepted", "partially_filled", "pending_cancel", "pending_modify"]);

/** Working orders of `symbol`, newest first. */
export function openOrdersOf(orders: Record<string, Order>, symbol: string): Order[] {
  return Object.values(orders)
    .filter((o) => o.symbol === symbol && OPEN_STATUSES.has(o.status))
    .sort((a, b) => b.created_ns - a.created_ns);
}

export function OpenOrders({ code }: { code: string }) {
  const t = useT();
  const trader = useAuth((s) => can(s.user, "trader"));
  const all = useAccount((s) => s.orders);
  const upsertOrder = useAccount((s) => s.upsertOrder);
  const fetched = useQuery({ queryKey: ["symbol", "open-orders", code], queryFn: () => get<Order[]>(`/orders?status=open&symbol=${code}`) });
  const [failure, setFailure] = useState<string | null>(null);
  const server = useServerText();
  const cancel = useMutation({
    mutationFn: (id: string) => del<Order>(`/orders/${encodeURIComponent(id)}`),
    onMutate: () => setFailure(null),
    onSuccess: (order) => upsertOrder(order),
    onError: (e) => setFailure(t("symbol.orders.cancelFailed", { message: server.error(e) })),
  });

  useEffect(() => {
    const held = useAccount.getState().orders;
    for (const o of fetched.data ?? []) {
      const mine = held[o.client_order_id];
      if (!mine || mine.updated_ns < o.updated_ns) upsertOrder(o);
    }
  }, [fetched.data, upsertOrder]);

  const orders = useMemo(() => openOrdersOf(all, code), [all, code]);
  const th = "px-1 py-1 font-normal";
  return (
    <section className="rounded border border-neutral-200 p-2 text-sm dark:border-slate-800" data-testid="open-orders">
      <h2 className="mb-1 font-semibold">
        {t("symbol.orders.title")} <span className="text-xs text-neutral-500">{orders.length}</span>
      </h2>
      {failure && (
        <p role="alert" className="text-xs text-red-500">
          {failure}
        </p>
      )}
      {orders.length === 0 ? (
        <p className="py-2 text-xs text-neutral-500">{t("symbol.orders.none")}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[26rem] text-xs tabular-nums">
            <thead className="text-neutral-500 dark:text-slate-400">
              <tr className="text-right">
                <th className={`${th} text-left`}>{t("symbol.orders.time")}</th>
                <th className={`${th} text-left`}>{t("symbol.orders.side")}</th>
                <th className={th}>{t("symbol.orders.price")}</th>
                <th className={th}>{t("symbol.orders.qty")}</th>
                <th className={th}>{t("symbol.orders.filled")}</th>
                <th className={`${th} text-left`}>{t("symbol.orders.status")}</th>
                <th className={th} />
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr key={o.client_order_id} data-testid="open-order" data-order-id={o.client_order_id} className="border-t border-neutral-100 text-right dark:border-slate-900">
                  <td className="px-1 py-1 text-left">{fmtClock(o.created_ns)}</td>
                  <td className={`px-1 text-left font-semibold ${o.side === "buy" ? "text-red-500" : "text-blue-500"}`}>{t(o.side === "buy" ? "symbol.ticket.buy" : "symbol.ticket.sell")}</td>
                  <td className="px-1">{o.price === null ? t("symbol.ticket.market") : fmtWon(o.price)}</td>
                  <td className="px-1">{fmtQty(o.qty)}</td>
                  <td className="px-1">{fmtQty(o.filled_qty)}</td>
                  <td className="px-1 text-left">{t(`symbol.status.${o.status}`)}</td>
                  <td className="px-1">
                    {trader && (
                      <button
                        type="button"
                        data-testid="cancel-order"
                        disabled={o.status === "pending_cancel" || (cancel.isPending && cancel.variables === o.client_order_id)}
                        onClick={() => cancel.mutate(o.client_order_id)}
                        className="rounded border border-neutral-300 px-2 py-0.5 hover:bg-neutral-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
                      >
                        {t("symbol.orders.cancel")}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
