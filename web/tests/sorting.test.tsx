// Column sorting: the shared rules, the market watch's rows, and the overview's tables.
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sortListings } from "@/components/market/filter";
import { MarketTable } from "@/components/market/MarketTable";
import { OpenOrders } from "@/components/overview/OpenOrders";
import { PositionsTable } from "@/components/overview/PositionsTable";
import { sortOrders, sortPositions } from "@/components/overview/tableSort";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useAuth } from "@/lib/auth";
import { useLocale } from "@/lib/i18n";
import { nextSort, sortArrow, sortRows } from "@/lib/sort";
import { useAccount, type Order, type Position } from "@/lib/stores/account";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn() }) }));

afterEach(cleanup);

describe("sort rules", () => {
  it("flips the same column and starts another at its first direction", () => {
    expect(nextSort(null, "last", "desc")).toEqual({ key: "last", dir: "desc" });
    expect(nextSort({ key: "last", dir: "desc" }, "last", "desc")).toEqual({ key: "last", dir: "asc" });
    expect(nextSort({ key: "last", dir: "asc" }, "last", "desc")).toEqual({ key: "last", dir: "desc" });
    expect(nextSort({ key: "last", dir: "asc" }, "name")).toEqual({ key: "name", dir: "asc" });
    expect(sortArrow({ key: "last", dir: "asc" }, "last")).toBe("▲");
    expect(sortArrow({ key: "last", dir: "desc" }, "last")).toBe("▼");
    expect(sortArrow({ key: "last", dir: "desc" }, "name")).toBe("");
  });
  it("sorts numbers as numbers, Korean names in dictionary order, ties stable, missing last both ways", () => {
    const rows = [
      { id: "a", v: 10 as number | undefined },
      { id: "b", v: 9 },
      { id: "c", v: undefined },
      { id: "d", v: 100 },
      { id: "e", v: 9 },
    ];
    expect(sortRows(rows, (r) => r.v, "asc").map((r) => r.id)).toEqual(["b", "e", "a", "d", "c"]);
    expect(sortRows(rows, (r) => r.v, "desc").map((r) => r.id)).toEqual(["d", "a", "b", "e", "c"]);
    const names = ["현대차", "SK하이닉스", "삼성전자", "LG에너지솔루션", "기아"];
    // the Korean collation: Hangul names first (가나다 order), then Latin
    expect(sortRows(names, (n) => n, "asc")).toEqual(["기아", "삼성전자", "현대차", "LG에너지솔루션", "SK하이닉스"]);
  });
});

const UNIVERSE = [
  { symbol: "005930", name: "삼성전자" },
  { symbol: "000660", name: "SK하이닉스" },
  { symbol: "005380", name: "현대차" },
  { symbol: "035720", name: "카카오" },
];
const QUOTES = {
  "005930": { last: 70_000, change_pct: 1.5, volume: 9_000_000 },
  "000660": { last: 180_000, change_pct: -2.1, volume: 3_000_000 },
  "005380": { last: 240_000, change_pct: 0.2, volume: 500_000 },
};

describe("market watch order", () => {
  const codes = (rows: { symbol: string }[]) => rows.map((r) => r.symbol);
  it("keeps the given order without a sort", () => {
    expect(sortListings(UNIVERSE, QUOTES, null)).toBe(UNIVERSE);
  });
  it("sorts by code, name, last, change and volume; symbols without a quote go last", () => {
    expect(codes(sortListings(UNIVERSE, QUOTES, { key: "code", dir: "desc" }))).toEqual(["035720", "005930", "005380", "000660"]);
    // codes compare character by character, as the exchange lists them (not 228 < 4260)
    const lettered = [{ symbol: "0228A0", name: "" }, { symbol: "004260", name: "" }];
    expect(codes(sortListings(lettered, {}, { key: "code", dir: "asc" }))).toEqual(["004260", "0228A0"]);
    expect(codes(sortListings(UNIVERSE, QUOTES, { key: "name", dir: "asc" }))).toEqual(["005930", "035720", "005380", "000660"]);
    expect(codes(sortListings(UNIVERSE, QUOTES, { key: "last", dir: "desc" }))).toEqual(["005380", "000660", "005930", "035720"]);
    expect(codes(sortListings(UNIVERSE, QUOTES, { key: "change_pct", dir: "asc" }))).toEqual(["000660", "005380", "005930", "035720"]);
    expect(codes(sortListings(UNIVERSE, QUOTES, { key: "volume", dir: "desc" }))).toEqual(["005930", "000660", "005380", "035720"]);
  });
  it("sorts 1,800 rows once, not per cell (fast enough for every re-sort)", () => {
    const many = Array.from({ length: 1_800 }, (_, i) => ({ symbol: String(100_000 + i), name: `종목${i}` }));
    const quotes = Object.fromEntries(many.map((r, i) => [r.symbol, { last: (i * 7919) % 1000, change_pct: 0, volume: 0 }]));
    const sorted = sortListings(many, quotes, { key: "last", dir: "asc" });
    expect(sorted).toHaveLength(1_800);
    for (let i = 1; i < sorted.length; i++) expect(quotes[sorted[i - 1].symbol].last).toBeLessThanOrEqual(quotes[sorted[i].symbol].last);
  });
  it("asks for a sort from each header and shows the arrow of the sorted one", () => {
    const onSort = vi.fn();
    render(<MarketTable rows={UNIVERSE} starred={new Set()} listName="관심" onStar={() => {}} empty="없음" sort={{ key: "change_pct", dir: "desc" }} onSort={onSort} />);
    for (const key of ["code", "name", "last", "change_pct", "volume"]) fireEvent.click(screen.getByTestId(`sort-${key}`));
    expect(onSort.mock.calls.map((c) => c[0])).toEqual(["code", "name", "last", "change_pct", "volume"]);
    expect(screen.getByTestId("sort-change_pct").textContent).toContain("▼");
    expect(screen.getByTestId("sort-change_pct").getAttribute("data-sort")).toBe("desc");
    expect(screen.getByTestId("sort-last").textContent).not.toMatch(/[▲▼]/);
  });
});

const position = (symbol: string, qty: number, market_value: number, unrealized_pnl: number): Position => ({
  symbol, name: symbol, qty, avg_price: 1_000, last: 1_000, market_value, unrealized_pnl, realized_pnl: 0,
});
const order = (id: string, symbol: string, price: number | null, created_ns: number): Order => ({
  client_order_id: id, symbol, side: "buy", qty: 1, order_type: price === null ? "market" : "limit", price, tif: "day",
  strategy: null, status: "accepted", filled_qty: 0, remaining_qty: 1, avg_fill_price: 0, reject_reason: null, created_ns, updated_ns: created_ns,
});

describe("overview tables", () => {
  const positions = [position("A", 10, 5_000, -100), position("B", 5, 90_000, 300), position("C", 0, 0, 0), position("D", -3, -20_000, 50)];
  const orders = [order("o3", "005930", 70_000, 3), order("o2", "000660", null, 2), order("o1", "005380", 240_000, 1)];

  beforeEach(() => {
    useLocale.setState({ locale: "ko" });
    useAuth.setState({ user: { id: 1, username: "kim", role: "viewer" } });
    useAccount.setState({ positions, orders: Object.fromEntries(orders.map((o) => [o.client_order_id, o])) });
  });

  it("sorts held positions by the biggest first, then by any column", () => {
    expect(sortPositions(positions, null).map((p) => p.symbol)).toEqual(["B", "D", "A"]);
    expect(sortPositions(positions, { key: "unrealized", dir: "asc" }).map((p) => p.symbol)).toEqual(["A", "D", "B"]);
    expect(sortPositions(positions, { key: "qty", dir: "desc" }).map((p) => p.symbol)).toEqual(["A", "B", "D"]);
  });

  it("sorts open orders by a column, market orders last by price", () => {
    expect(sortOrders(orders, null).map((o) => o.client_order_id)).toEqual(["o3", "o2", "o1"]);
    expect(sortOrders(orders, { key: "price", dir: "asc" }).map((o) => o.client_order_id)).toEqual(["o3", "o1", "o2"]);
    expect(sortOrders(orders, { key: "price", dir: "desc" }).map((o) => o.client_order_id)).toEqual(["o1", "o3", "o2"]);
    expect(sortOrders(orders, { key: "symbol", dir: "asc" }).map((o) => o.client_order_id)).toEqual(["o2", "o1", "o3"]);
  });

  it("toggles the positions table's order with a header click", async () => {
    render(<PositionsTable />);
    const symbols = () => screen.getAllByTestId("position-row").map((r) => r.getAttribute("data-symbol"));
    expect(symbols()).toEqual(["B", "D", "A"]);
    await act(async () => fireEvent.click(screen.getByTestId("sort-position-unrealized")));
    expect(symbols()).toEqual(["B", "D", "A"]); // numbers start with the biggest
    expect(screen.getByTestId("sort-position-unrealized").textContent).toContain("▼");
    await act(async () => fireEvent.click(screen.getByTestId("sort-position-unrealized")));
    expect(symbols()).toEqual(["A", "D", "B"]);
    expect(screen.getByTestId("sort-position-unrealized").textContent).toContain("▲");
  });

  it("toggles the open orders table's order with a header click", async () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <OpenOrders />
      </QueryClientProvider>,
    );
    const ids = () => screen.getAllByTestId("order-row").map((r) => r.getAttribute("data-order"));
    expect(ids()).toEqual(["o3", "o2", "o1"]);
    await act(async () => fireEvent.click(screen.getByTestId("sort-order-symbol")));
    expect(ids()).toEqual(["o2", "o1", "o3"]);
    await act(async () => fireEvent.click(screen.getByTestId("sort-order-symbol")));
    expect(ids()).toEqual(["o3", "o1", "o2"]);
  });
});
