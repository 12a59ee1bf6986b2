import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TradesTable } from "@/components/strategies/TradesTable";
import type { Trade } from "@/components/strategies/queries";
import { useLocale } from "@/lib/i18n";

const trade = (symbol: string, exit_ts: number, pnl: number, return_pct: number | null): Trade => ({
  symbol, side: "long", entry_ts: exit_ts - 600e9, exit_ts, qty: 10, entry_price: 70_050.5, exit_price: 71_000,
  pnl, costs: 120, return_pct, holding_seconds: 600,
});

describe("the backtest trades table", () => {
  beforeEach(() => useLocale.setState({ locale: "en" }));
  afterEach(cleanup);

  it("lists round trips newest first with signed, coloured P&L and says how many are shown", () => {
    render(<TradesTable trades={[trade("005930", 1.7e18, 9_380, 0.0134), trade("000660", 1.8e18, -2_000, null)]} total={740} />);
    const table = screen.getByTestId("backtest-trades");
    expect(within(table).getByText("last 2 of 740")).toBeTruthy();
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.querySelector("td")?.textContent)).toEqual(["000660", "005930"]);
    const first = within(rows[1]).getByText("+9,380");
    expect(first.className).toContain("text-red-500"); // Korean convention: gains in red
    expect(within(rows[1]).getByText("+1.34%")).toBeTruthy();
    expect(within(rows[0]).getByText("—")).toBeTruthy(); // no return: a dash, not NaN
    expect(within(rows[1]).getByText("70,051")).toBeTruthy();
    expect(within(rows[1]).getByText("10m")).toBeTruthy();
  });

  it("says so when nothing closed", () => {
    render(<TradesTable trades={[]} total={0} />);
    expect(screen.getByText("No round trip closed in this backtest.")).toBeTruthy();
  });
});
