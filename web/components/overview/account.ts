// The overview's account data: fetched once over REST (so the page is right before the socket
// is up), then kept current by the live channels through the account store.
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { get } from "@/lib/api";
import { useAccount, type Order, type Pnl, type Position } from "@/lib/stores/account";

const OPEN = new Set(["pending_new", "accepted", "partially_filled", "pending_cancel", "pending_modify"]);

export const isOpen = (order: Order) => OPEN.has(order.status);

/** Working orders, newest first. */
export function openOrders(orders: Record<string, Order>): Order[] {
  return Object.values(orders)
    .filter(isOpen)
    .sort((a, b) => b.created_ns - a.created_ns);
}

/** The REST orders the store does not know yet, or knows in an older version. */
export function newerOrders(known: Record<string, Order>, fetched: Order[]): Order[] {
  return fetched.filter((o) => {
    const have = known[o.client_order_id];
    return have === undefined || have.updated_ns < o.updated_ns;
  });
}

/** Put the REST answers into the store unless the live channels got there first. */
export function useSeedAccount(): { loading: boolean; error: unknown } {
  const positions = useQuery({ queryKey: ["positions"], queryFn: () => get<Position[]>("/positions") });
  const orders = useQuery({ queryKey: ["orders", "open"], queryFn: () => get<Order[]>("/orders?status=open") });
  const pnl = useQuery({ queryKey: ["pnl"], queryFn: () => get<Pnl>("/pnl") });

  useEffect(() => {
    const store = useAccount.getState();
    if (positions.data && store.positions.length === 0) store.setPositions(positions.data);
  }, [positions.data]);
  useEffect(() => {
    if (!orders.data) return;
    const store = useAccount.getState();
    newerOrders(store.orders, orders.data).forEach(store.upsertOrder);
  }, [orders.data]);
  useEffect(() => {
    const store = useAccount.getState();
    if (pnl.data && store.pnl === null) store.setPnl(pnl.data);
  }, [pnl.data]);

  return {
    loading: positions.isPending || orders.isPending || pnl.isPending,
    error: positions.error ?? orders.error ?? pnl.error,
  };
}
