import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { barOf, chartTime, fillMarkers, mergeBar, type Bar } from "@/components/symbol/chartData";
import { openOrdersOf } from "@/components/symbol/OpenOrders";
import { OrderTicket } from "@/components/symbol/OrderTicket";
import { orderBody, priceProblem, ticketSchema } from "@/components/symbol/ticketSchema";
import { ApiError } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { useLocale } from "@/lib/i18n";
import type { Order } from "@/lib/stores/account";

const post = vi.hoisted(() => vi.fn());
vi.mock("@/lib/api", async (original) => ({ ...(await original<typeof import("@/lib/api")>()), post }));

const RULES = { lower: 7_000, upper: 13_000, etf: false };

afterEach(cleanup);

describe("ticket rules", () => {
  it("accepts a price on the tick grid inside the limits", () => {
    expect(priceProblem(10_050, RULES)).toBeNull();
    expect(priceProblem(7_000, RULES)).toBeNull();
    expect(priceProblem(13_000, RULES)).toBeNull();
  });
  it("refuses an off-tick price", () => {
    expect(priceProblem(10_055, RULES)).toBe("symbol.ticket.err.offTick"); // the tick is 10 from 5,000 to 20,000
    expect(priceProblem(10_050.5, RULES)).toBe("symbol.ticket.err.offTick");
  });
  it("uses the ETF tick table for ETFs", () => {
    expect(priceProblem(10_055, { ...RULES, etf: true })).toBeNull();
  });
  it("refuses a price outside the day's limits", () => {
    expect(priceProblem(13_050, RULES)).toBe("symbol.ticket.err.aboveUpper");
    expect(priceProblem(6_990, RULES)).toBe("symbol.ticket.err.belowLower");
  });
  it("wants a price for a limit order", () => {
    expect(priceProblem(Number.NaN, RULES)).toBe("symbol.ticket.err.priceRequired");
    expect(priceProblem(0, RULES)).toBe("symbol.ticket.err.priceRequired");
  });
  it("checks no price for a market order, and whole positive quantities always", () => {
    const schema = ticketSchema(RULES);
    expect(schema.safeParse({ side: "buy", order_type: "market", price: Number.NaN, qty: 3 }).success).toBe(true);
    const bad = schema.safeParse({ side: "buy", order_type: "limit", price: 10_000, qty: 1.5 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["qty", "symbol.ticket.err.qty"]]);
    const off = schema.safeParse({ side: "sell", order_type: "limit", price: 10_001, qty: 1 });
    expect(off.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["price", "symbol.ticket.err.offTick"]]);
  });
  it("sends a price only with a limit order", () => {
    expect(orderBody("005930", { side: "buy", order_type: "limit", price: 10_000, qty: 2 })).toEqual({ symbol: "005930", side: "buy", qty: 2, order_type: "limit", price: 10_000 });
    expect(orderBody("005930", { side: "sell", order_type: "market", price: 10_000, qty: 2 })).toEqual({ symbol: "005930", side: "sell", qty: 2, order_type: "market" });
  });
});

const order = (over: Partial<Order> = {}): Order => ({
  client_order_id: "o1",
  symbol: "005930",
  side: "buy",
  qty: 1,
  order_type: "limit",
  price: 10_000,
  tif: "day",
  strategy: "manual",
  status: "accepted",
  filled_qty: 0,
  remaining_qty: 1,
  avg_fill_price: 0,
  reject_reason: null,
  created_ns: 1,
  updated_ns: 1,
  ...over,
});

describe("order ticket", () => {
  const ticket = () =>
    render(
      <QueryClientProvider client={new QueryClient()}>
        <OrderTicket code="005930" last={10_000} rules={RULES} picked={null} />
      </QueryClientProvider>,
    );
  const price = () => screen.getByTestId("ticket-price") as HTMLInputElement;
  const type = async (testid: string, value: string) => {
    await act(async () => {
      fireEvent.change(screen.getByTestId(testid), { target: { value } });
    });
  };
  const submit = async () => {
    await act(async () => {
      fireEvent.click(screen.getByTestId("ticket-submit"));
    });
  };

  beforeEach(() => {
    post.mockReset();
    useLocale.setState({ locale: "ko" });
    useAuth.setState({ accessToken: "t", refreshToken: "r", user: { id: 1, username: "kim", role: "trader" } });
  });

  it("starts at the last price and steps by the tick", async () => {
    ticket();
    await waitFor(() => expect(price().value).toBe("10,000"));
    await act(async () => fireEvent.click(screen.getByTestId("tick-up")));
    expect(price().value).toBe("10,010");
    await act(async () => fireEvent.click(screen.getByTestId("tick-down")));
    await act(async () => fireEvent.click(screen.getByTestId("tick-down")));
    expect(price().value).toBe("9,990");
  });

  it("refuses an off-tick price inline and sends nothing", async () => {
    ticket();
    await type("ticket-price", "10055");
    await submit();
    expect(screen.getByTestId("price-error").textContent).toBe("호가단위(10원)에 맞지 않는 가격입니다");
    expect(post).not.toHaveBeenCalled();
  });

  it("refuses a price above the upper limit inline and sends nothing", async () => {
    ticket();
    await type("ticket-price", "13,100");
    await submit();
    expect(screen.getByTestId("price-error").textContent).toBe("상한가(13,000원)보다 높습니다");
    expect(post).not.toHaveBeenCalled();
  });

  it("does not step past a limit", async () => {
    ticket();
    await type("ticket-price", "13000");
    await act(async () => fireEvent.click(screen.getByTestId("tick-up")));
    expect(price().value).toBe("13,000");
    await type("ticket-price", "7000");
    await act(async () => fireEvent.click(screen.getByTestId("tick-down")));
    expect(price().value).toBe("7,000");
  });

  it("shows the placed order", async () => {
    post.mockResolvedValue(order({ qty: 3, price: 10_050 }));
    ticket();
    await type("ticket-price", "10050");
    await type("ticket-qty", "3");
    await submit();
    expect(post).toHaveBeenCalledWith("/orders", { symbol: "005930", side: "buy", qty: 3, order_type: "limit", price: 10_050 });
    expect(screen.getByTestId("ticket-result").textContent).toContain("매수 3주 10,050 · 접수");
  });

  it("shows the server's refusal under the ticket", async () => {
    post.mockRejectedValue(new ApiError(422, "order_denied", "order qty 5 exceeds max_order_qty 1", { reason: "max_order_qty" }));
    ticket();
    await type("ticket-qty", "5");
    await submit();
    const error = screen.getByTestId("ticket-error");
    expect(error.textContent).toContain("order qty 5 exceeds max_order_qty 1");
    expect(error.textContent).toContain("max_order_qty");
    expect(screen.queryByTestId("ticket-result")).toBeNull();
  });

  it("sends a market order without a price", async () => {
    post.mockResolvedValue(order({ order_type: "market", price: null }));
    ticket();
    await type("order-type", "market");
    expect(screen.queryByTestId("ticket-price")).toBeNull();
    await submit();
    expect(post).toHaveBeenCalledWith("/orders", { symbol: "005930", side: "buy", qty: 1, order_type: "market" });
  });

  it("is disabled for a viewer", () => {
    useAuth.setState({ user: { id: 2, username: "lee", role: "viewer" } });
    ticket();
    expect((screen.getByTestId("ticket-submit") as HTMLButtonElement).disabled).toBe(true);
  });
});

const bar = (minute: number, close = 10_000, interval_s = 60): Bar => ({
  symbol: "005930",
  ts_ns: (1_795_737_600 + minute * 60) * 1e9,
  interval_s,
  open: 10_000,
  high: Math.max(close, 10_000),
  low: Math.min(close, 10_000),
  close,
  volume: 10,
});

describe("chart data", () => {
  it("shows UTC times as KST", () => {
    expect(chartTime(0)).toBe(9 * 3600);
  });
  it("replaces the forming bar and appends the next", () => {
    const bars = [bar(0), bar(1)];
    expect(mergeBar(bars, bar(1, 10_100)).map((b) => b.close)).toEqual([10_000, 10_100]);
    expect(mergeBar(bars, bar(2)).map((b) => b.ts_ns)).toEqual([bar(0).ts_ns, bar(1).ts_ns, bar(2).ts_ns]);
    expect(mergeBar([bar(0), bar(2)], bar(1)).map((b) => b.ts_ns)).toEqual([bar(0).ts_ns, bar(1).ts_ns, bar(2).ts_ns]);
  });
  it("marks each fill on the bar it happened in", () => {
    const bars = [bar(0), bar(1), bar(2)];
    const fill = (minute: number, side: "buy" | "sell") => ({ fill_id: `${minute}${side}`, side, qty: 2, price: 10_000, ts_ns: bar(minute).ts_ns + 30e9 });
    expect(barOf(bars, bar(1).ts_ns + 59e9)).toBe(bars[1]);
    expect(barOf(bars, bar(3).ts_ns + 1e9)).toBeUndefined(); // after the forming bar: not yet drawn
    const markers = fillMarkers([fill(2, "sell"), fill(0, "buy")], bars, { buy: "매수", sell: "매도" });
    expect(markers.map((m) => [m.time, m.position, m.shape, m.text])).toEqual([
      [chartTime(bar(0).ts_ns), "belowBar", "arrowUp", "매수 2"],
      [chartTime(bar(2).ts_ns), "aboveBar", "arrowDown", "매도 2"],
    ]);
  });
});

describe("open orders", () => {
  it("lists the symbol's working orders, newest first", () => {
    const orders = {
      a: order({ client_order_id: "a", created_ns: 1 }),
      b: order({ client_order_id: "b", created_ns: 2, status: "partially_filled" }),
      c: order({ client_order_id: "c", status: "filled" }),
      d: order({ client_order_id: "d", symbol: "000660" }),
    };
    expect(openOrdersOf(orders, "005930").map((o) => o.client_order_id)).toEqual(["b", "a"]);
  });
});
