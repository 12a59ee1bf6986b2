import { describe, expect, it } from "vitest";
import { newerOrders, openOrders } from "@/components/overview/account";
import { curvePoints } from "@/components/overview/curve";
import { mergeSystem, type SystemInfo } from "@/components/overview/system";
import type { Order } from "@/lib/stores/account";

const order = (id: string, status: string, created_ns: number, updated_ns = created_ns): Order => ({
  client_order_id: id, symbol: "005930", side: "buy", qty: 10, order_type: "limit", price: 70_000, tif: "day",
  strategy: null, status, filled_qty: 0, remaining_qty: 10, avg_fill_price: 0, reject_reason: null, created_ns, updated_ns,
});

describe("open orders", () => {
  it("keeps working orders only, newest first", () => {
    const all = Object.fromEntries(
      [order("a", "accepted", 1), order("b", "filled", 2), order("c", "partially_filled", 3), order("d", "pending_cancel", 4), order("e", "cancelled", 5)].map(
        (o) => [o.client_order_id, o],
      ),
    );
    expect(openOrders(all).map((o) => o.client_order_id)).toEqual(["d", "c", "a"]);
  });

  it("lets REST seed only what the live channel does not know better", () => {
    const known = { a: order("a", "filled", 1, 50), b: order("b", "accepted", 2, 10) };
    const fetched = [order("a", "accepted", 1, 20), order("b", "partially_filled", 2, 30), order("c", "accepted", 3)];
    expect(newerOrders(known, fetched).map((o) => o.client_order_id)).toEqual(["b", "c"]);
  });
});

describe("the equity curve", () => {
  it("keeps one point per second, the newest, in KST seconds", () => {
    const t0 = Date.UTC(2026, 10, 27, 0, 0, 0); // 09:00 KST
    const points = curvePoints([
      { t: t0, equity: 100 },
      { t: t0 + 400, equity: 101 },
      { t: t0 + 1_000, equity: 102 },
      { t: t0 + 3_500, equity: 99 },
    ]);
    expect(points).toEqual([
      { time: t0 / 1000 + 9 * 3600, value: 101 },
      { time: t0 / 1000 + 9 * 3600 + 1, value: 102 },
      { time: t0 / 1000 + 9 * 3600 + 3, value: 99 },
    ]);
  });

  it("drops a point that goes back in time (the chart refuses them)", () => {
    expect(curvePoints([{ t: 5_000, equity: 1 }, { t: 3_000, equity: 2 }]).map((p) => p.value)).toEqual([1]);
  });
});

describe("the system view", () => {
  const rest: SystemInfo = {
    status: "ok",
    services: [{ name: "bus", state: "running", healthy: true, since_ns: 1, error: null, details: {} }],
    venues: [{ name: "sim", account: "paper", connected: true, trading_state: "active", clock_ns: 1, symbols: 20 }],
    realtime: { clients: 1 },
    jobs: { workers: 2 },
  };

  it("takes services and counters from the channel, venues and jobs from REST", () => {
    const merged = mergeSystem(rest, { status: "degraded", services: [], realtime: { clients: 5 } });
    expect(merged).toMatchObject({ status: "degraded", services: [], realtime: { clients: 5 }, venues: rest.venues, jobs: { workers: 2 } });
  });

  it("is the REST answer until the channel speaks", () => {
    expect(mergeSystem(rest, null)).toBe(rest);
  });
});
