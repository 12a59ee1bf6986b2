import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { filterListings, toListings } from "@/components/market/filter";
import { quoteFlags } from "@/components/market/flags";
import { FLASH_MS, flashClass } from "@/components/market/flash";
import { MarketRow } from "@/components/market/MarketRow";
import { MarketTable } from "@/components/market/MarketTable";
import { newest } from "@/components/market/useUniverse";
import { DEFAULT_LIST, useWatchlists } from "@/components/market/watchlists";
import { useQuotes, type Quote } from "@/lib/stores/quotes";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }) }));

const quote = (symbol: string, last: number, extra: Partial<Quote> = {}): Quote => ({
  symbol,
  name: `종목${symbol}`,
  last,
  open: last,
  high: last,
  low: last,
  volume: 100,
  value: last * 100,
  prev_close: 10_000,
  change: last - 10_000,
  change_pct: ((last - 10_000) / 100) | 0,
  upper_limit: 13_000,
  lower_limit: 7_000,
  state: "continuous",
  vi: false,
  ts_ns: 1,
  ...extra,
});

const UNIVERSE = [
  { symbol: "005930", name: "삼성전자" },
  { symbol: "005380", name: "현대차" },
  { symbol: "000660", name: "SK하이닉스" },
  { symbol: "0228A0", name: "미래솔루션" },
  { symbol: "373220", name: "LG에너지솔루션" },
];

afterEach(cleanup);

describe("search", () => {
  it("finds a code by its prefix", () => {
    expect(filterListings(UNIVERSE, "0053").map((l) => l.symbol)).toEqual(["005380"]);
    expect(filterListings(UNIVERSE, "00").map((l) => l.symbol)).toEqual(["005930", "005380", "000660"]);
  });
  it("does not match a code in its middle", () => {
    expect(filterListings(UNIVERSE, "5930")).toEqual([]);
  });
  it("finds a Korean name by any part of it", () => {
    expect(filterListings(UNIVERSE, "솔루션").map((l) => l.symbol)).toEqual(["0228A0", "373220"]);
    expect(filterListings(UNIVERSE, " 전자 ").map((l) => l.symbol)).toEqual(["005930"]);
  });
  it("matches letters in codes and names regardless of case", () => {
    expect(filterListings(UNIVERSE, "0228a").map((l) => l.symbol)).toEqual(["0228A0"]);
    expect(filterListings(UNIVERSE, "sk").map((l) => l.symbol)).toEqual(["000660"]);
  });
  it("keeps everything for an empty query and narrows to a watchlist", () => {
    expect(filterListings(UNIVERSE, "")).toHaveLength(5);
    expect(filterListings(UNIVERSE, "", ["373220", "005930"]).map((l) => l.symbol)).toEqual(["005930", "373220"]);
    expect(filterListings(UNIVERSE, "솔루션", ["373220", "005930"]).map((l) => l.symbol)).toEqual(["373220"]);
  });
  it("sorts the universe by code", () => {
    expect(toListings(UNIVERSE).map((l) => l.symbol)).toEqual(["000660", "005380", "005930", "0228A0", "373220"]);
  });
});

describe("watchlist store", () => {
  beforeEach(() => {
    localStorage.clear();
    useWatchlists.setState({ lists: [DEFAULT_LIST] });
  });
  it("starts with one unnamed list", () => {
    expect(useWatchlists.getState().lists).toEqual([{ id: "default", name: "", symbols: [] }]);
  });
  it("adds a symbol once and removes it", () => {
    const s = useWatchlists.getState();
    s.add("default", "005930");
    s.add("default", "005930");
    s.add("default", "000660");
    expect(useWatchlists.getState().lists[0].symbols).toEqual(["005930", "000660"]);
    useWatchlists.getState().drop("default", "005930");
    expect(useWatchlists.getState().lists[0].symbols).toEqual(["000660"]);
  });
  it("toggles membership", () => {
    useWatchlists.getState().toggle("default", "005930");
    expect(useWatchlists.getState().lists[0].symbols).toEqual(["005930"]);
    useWatchlists.getState().toggle("default", "005930");
    expect(useWatchlists.getState().lists[0].symbols).toEqual([]);
  });
  it("creates named lists, reusing a taken name, and removes them", () => {
    const id = useWatchlists.getState().create(" 반도체 ");
    expect(useWatchlists.getState().create("반도체")).toBe(id);
    useWatchlists.getState().add(id, "000660");
    expect(useWatchlists.getState().lists.map((l) => [l.name, l.symbols])).toEqual([
      ["", []],
      ["반도체", ["000660"]],
    ]);
    useWatchlists.getState().remove(id);
    expect(useWatchlists.getState().lists).toHaveLength(1);
  });
  it("keeps the lists in localStorage", () => {
    useWatchlists.getState().add("default", "005930");
    const saved = JSON.parse(localStorage.getItem("jts-watchlists") ?? "{}");
    expect(saved.state.lists[0].symbols).toEqual(["005930"]);
  });
});

describe("flash", () => {
  it("is red up, blue down, and only while fresh", () => {
    expect(flashClass(1, 1_000, 1_100)).toBe("flash-up");
    expect(flashClass(-1, 1_000, 1_100)).toBe("flash-down");
    expect(flashClass(1, 1_000, 1_000 + FLASH_MS + 1)).toBe("");
    expect(flashClass(undefined, undefined, 0)).toBe("");
  });
  it("follows the direction of the last price change in the store", () => {
    useQuotes.setState({ quotes: {}, changedAt: {}, direction: {} });
    useQuotes.getState().replaceAll([quote("005930", 10_000)]);
    render(<MarketRow symbol="005930" name="삼성전자" top={0} starred={false} listName="관심" onStar={() => {}} onOpen={() => {}} />);
    expect(screen.getByTestId("last").className).not.toMatch(/flash/);
    act(() => useQuotes.getState().applyMany([quote("005930", 10_100)]));
    expect(screen.getByTestId("last").className).toMatch(/flash-up/);
    expect(screen.getByTestId("last").textContent).toBe("10,100");
    act(() => useQuotes.getState().applyMany([quote("005930", 10_050)]));
    expect(screen.getByTestId("last").className).toMatch(/flash-down/);
  });
  it("re-renders a row only for its own symbol", () => {
    useQuotes.setState({ quotes: {}, changedAt: {}, direction: {} });
    useQuotes.getState().replaceAll([quote("005930", 10_000), quote("000660", 10_000)]);
    let renders = 0;
    const Counted = (props: React.ComponentProps<typeof MarketRow>) => {
      renders++;
      return <MarketRow {...props} />;
    };
    render(<Counted symbol="005930" name="삼성전자" top={0} starred={false} listName="관심" onStar={() => {}} onOpen={() => {}} />);
    const before = screen.getByTestId("last");
    act(() => useQuotes.getState().applyMany([quote("000660", 10_500)]));
    expect(screen.getByTestId("last")).toBe(before); // untouched: same element, no flash
    expect(before.className).not.toMatch(/flash/);
    expect(renders).toBe(1);
  });
});

describe("flags", () => {
  it("marks VI, limit up, limit down and halts", () => {
    expect(quoteFlags(quote("A", 10_000))).toEqual([]);
    expect(quoteFlags(quote("A", 10_000, { vi: true }))).toEqual(["vi"]);
    expect(quoteFlags(quote("A", 10_000, { state: "vi" }))).toEqual(["vi"]);
    expect(quoteFlags(quote("A", 13_000))).toEqual(["upper"]);
    expect(quoteFlags(quote("A", 7_000))).toEqual(["lower"]);
    expect(quoteFlags(quote("A", 10_000, { state: "halted" }))).toEqual(["halted"]);
    expect(quoteFlags(quote("A", 0, { upper_limit: 0, lower_limit: 0 }))).toEqual([]);
  });
});

describe("market table", () => {
  // jsdom lays nothing out: give every box the size of a laptop's table (shadowing Element's getters)
  const sizes = { clientHeight: 600, clientWidth: 1000 };
  beforeAll(() => {
    for (const [key, value] of Object.entries(sizes)) Object.defineProperty(HTMLElement.prototype, key, { configurable: true, get: () => value });
  });
  afterAll(() => {
    for (const key of Object.keys(sizes)) delete (HTMLElement.prototype as unknown as Record<string, unknown>)[key]; // Element's own getters show again
  });
  const many = Array.from({ length: 1_800 }, (_, i) => ({ symbol: String(100_000 + i), name: `종목${i}` }));
  it("renders only the rows in view of 1,800", () => {
    render(<MarketTable rows={many} starred={new Set()} listName="관심" onStar={() => {}} empty="없음" />);
    const rows = screen.getAllByTestId("market-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
  });
  it("opens the symbol page on a row click and stars without opening", () => {
    const onStar = vi.fn();
    push.mockClear();
    render(<MarketTable rows={many.slice(0, 3)} starred={new Set(["100001"])} listName="관심" onStar={onStar} empty="없음" />);
    fireEvent.click(screen.getAllByTestId("star")[1]);
    expect(onStar).toHaveBeenCalledWith("100001");
    expect(push).not.toHaveBeenCalled();
    expect(screen.getAllByTestId("star")[1].getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getAllByTestId("market-row")[2]);
    expect(push).toHaveBeenCalledWith("/symbol/?code=100002");
  });
  it("says so when nothing matches", () => {
    render(<MarketTable rows={[]} starred={new Set()} listName="관심" onStar={() => {}} empty="조건에 맞는 종목이 없습니다" />);
    expect(screen.getByText("조건에 맞는 종목이 없습니다")).toBeTruthy();
  });
});

describe("universe load", () => {
  it("keeps a newer live quote over the fetched one", () => {
    const live = quote("005930", 10_100, { ts_ns: 5 });
    const merged = newest([quote("005930", 10_000, { ts_ns: 3 }), quote("000660", 9_000, { ts_ns: 3 })], { "005930": live });
    expect(merged.map((q) => q.last)).toEqual([10_100, 9_000]);
  });
});
