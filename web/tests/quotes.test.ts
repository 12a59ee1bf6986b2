// The quote store: bursts applied once per frame, change direction for the flashes.
import { describe, expect, it, vi } from "vitest";
import { pushQuote, useQuotes, type Quote } from "@/lib/stores/quotes";

const quote = (symbol: string, last: number): Quote => ({
  symbol, name: "", last, open: last, high: last, low: last, volume: 0, value: 0, prev_close: last,
  change: 0, change_pct: 0, upper_limit: last * 2, lower_limit: 1, state: "continuous", vi: false, ts_ns: 0,
});

describe("quotes store", () => {
  it("applies a burst of messages in one update, the newest per symbol winning", async () => {
    useQuotes.getState().replaceAll([quote("005930", 100)]);
    const updates = vi.fn();
    const off = useQuotes.subscribe(updates);
    for (let i = 1; i <= 50; i++) pushQuote(quote("005930", 100 + i));
    await new Promise((r) => setTimeout(r, 50));
    off();
    expect(updates).toHaveBeenCalledTimes(1);
    expect(useQuotes.getState().quotes["005930"].last).toBe(150);
    expect(useQuotes.getState().direction["005930"]).toBe(1);
  });

  it("marks a fall for the flash", () => {
    useQuotes.getState().replaceAll([quote("000660", 200)]);
    useQuotes.getState().applyMany([quote("000660", 190)]);
    expect(useQuotes.getState().direction["000660"]).toBe(-1);
    expect(useQuotes.getState().changedAt["000660"]).toBeGreaterThanOrEqual(0);
  });
});

describe("quote order", () => {
  it("keeps the newest quote per symbol when an older one arrives late", async () => {
    useQuotes.getState().replaceAll([]);
    const at = (last: number, ts_ns: number) => ({ ...quote("035720", last), ts_ns });
    pushQuote(at(50_000, 30));
    pushQuote(at(49_000, 10)); // late: older than the one before it in the same batch
    await new Promise((r) => setTimeout(r, 20));
    expect(useQuotes.getState().quotes["035720"].last).toBe(50_000);
    useQuotes.getState().applyMany([at(48_000, 20)]); // late, in a later batch
    expect(useQuotes.getState().quotes["035720"].last).toBe(50_000);
    expect(useQuotes.getState().direction["035720"]).toBeUndefined(); // no flash for a dropped quote
    useQuotes.getState().applyMany([at(51_000, 40), at(52_000, 40)]); // same time: the later message wins
    expect(useQuotes.getState().quotes["035720"].last).toBe(52_000);
  });
});
