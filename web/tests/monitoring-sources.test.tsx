import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FeedSources, stalestFirst } from "@/components/monitoring/FeedSources";
import { RateLimits } from "@/components/monitoring/RateLimits";
import type { FeedSource, Venue } from "@/components/overview/system";
import { useLocale } from "@/lib/i18n";

const row = (code: string, source: "stream" | "poll", bound_s: number, age_s: number | null): FeedSource => ({
  code, source, key: "k1", book: false, bound_s, age_s, worst_s: source === "poll" ? 4 : null, p95_s: source === "poll" ? 3 : null,
});

const venue = (symbols: FeedSource[]): Venue => ({
  name: "kis", account: "50000000-01", connected: true, trading_state: "active", clock_ns: 0, symbols: symbols.length,
  broker_keys: [{ key_id: "a1b2c3", limit_per_s: 20, last_second: 19, granted: 1234, waiting: { QUOTE: 2, ORDER: 1 }, waited_s: 0.5 }],
  subscriptions: { plan_ns: 1, streamed: 1, polled: symbols.length - 1, registrations: { k1: 1 }, poll_rate: { k1: 15 }, budget_free: { k1: 0.25 }, symbols },
});

describe("feed sources on the monitoring page", () => {
  beforeEach(() => useLocale.setState({ locale: "en" }));
  afterEach(cleanup);

  it("puts the quotes furthest past their bound first; missing quotes before all", () => {
    const rows = [row("A", "poll", 5, 1), row("B", "poll", 5, 9), row("C", "stream", 0, 2), row("D", "poll", 5, null)];
    expect(stalestFirst(rows).map((r) => r.code)).toEqual(["D", "B", "A", "C"]);
  });

  it("shows counts, the reserve, each symbol's source and flags late ones; filters by code", () => {
    render(<FeedSources venues={[venue([row("005930", "stream", 0, 0.4), row("000660", "poll", 5, 7.5), row("035420", "poll", 5, 1)])]} />);
    expect(screen.getByTestId("streamed").textContent).toBe("1 streamed");
    expect(screen.getByTestId("polled").textContent).toBe("2 polled");
    expect(screen.getByText("25% kept for orders")).toBeTruthy();
    const table = screen.getByTestId("feed-sources-table");
    const late = table.querySelector("[data-code='000660']") as HTMLElement;
    expect(within(late).getByText("7.5 s").className).toContain("text-red-600");
    expect(table.querySelector("[data-code='005930']")?.getAttribute("data-source")).toBe("stream");
    fireEvent.change(screen.getByLabelText("Filter by code"), { target: { value: "0354" } });
    expect(table.querySelectorAll("tbody tr")).toHaveLength(1);
  });

  it("says so on the simulated exchange, which has no broker subscriptions", () => {
    render(<FeedSources venues={[{ name: "sim", account: "paper", connected: true, trading_state: "active", clock_ns: 0, symbols: 200 }]} />);
    expect(screen.getByText(/No broker subscriptions/)).toBeTruthy();
  });

  it("shows each broker key's use of its REST limit", () => {
    render(<RateLimits budget={null} refusals={0} checked keys={venue([]).broker_keys} />);
    const key = screen.getByTestId("broker-budget").querySelector("[data-key='a1b2c3']") as HTMLElement;
    expect(within(key).getByText("19 in the last second of 20/s")).toBeTruthy();
    expect(within(key).getByText("1234 granted · 3 waiting")).toBeTruthy();
  });
});
