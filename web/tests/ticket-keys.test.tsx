// The order ticket's grouped number fields and keyboard shortcuts.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { caretAfterDigits, groupDigits, parseDigits } from "@/components/GroupedNumberInput";
import { OrderTicket } from "@/components/symbol/OrderTicket";
import { formShortcut, pageShortcut } from "@/components/symbol/shortcuts";
import { useAuth } from "@/lib/auth";
import { useLocale } from "@/lib/i18n";

const post = vi.hoisted(() => vi.fn());
vi.mock("@/lib/api", async (original) => ({ ...(await original<typeof import("@/lib/api")>()), post }));

const RULES = { lower: 7_000, upper: 130_000, etf: false };

afterEach(cleanup);

describe("grouped digits", () => {
  it("groups thousands and reads them back", () => {
    expect(groupDigits(1_234_567)).toBe("1,234,567");
    expect(groupDigits(Number.NaN)).toBe("");
    expect(parseDigits("1,234,567")).toBe(1_234_567);
    expect(parseDigits("12a3")).toBe(123);
    expect(parseDigits(",")).toBeNaN();
  });
  it("puts the caret after the same digit once separators move", () => {
    // "1000|0" typed → "10,000": four digits before the caret land before the last 0
    expect(caretAfterDigits("10,000", 4)).toBe(5);
    expect(caretAfterDigits("10,000", 2)).toBe(2);
    expect(caretAfterDigits("10,000", 0)).toBe(0);
    expect(caretAfterDigits("10,000", 9)).toBe(6);
  });
});

describe("shortcut keys", () => {
  const input = document.createElement("input");
  const div = document.createElement("div");
  const button = document.createElement("button");
  const select = document.createElement("select");
  it("B and S switch side only outside a field", () => {
    expect(pageShortcut({ key: "b" }, div)).toBe("buy");
    expect(pageShortcut({ key: "S" }, document.body)).toBe("sell");
    expect(pageShortcut({ key: "b" }, input)).toBeNull();
    expect(pageShortcut({ key: "s" }, select)).toBeNull();
    expect(pageShortcut({ key: "b", ctrlKey: true }, div)).toBeNull();
    expect(pageShortcut({ key: "x" }, div)).toBeNull();
  });
  it("Esc clears from anywhere, Enter submits from a field but not from a button", () => {
    expect(pageShortcut({ key: "Escape" }, input)).toBe("clear");
    expect(formShortcut({ key: "Enter" }, input)).toBe("submit");
    expect(formShortcut({ key: "Enter" }, select)).toBe("submit");
    expect(formShortcut({ key: "Enter" }, button)).toBeNull();
    expect(formShortcut({ key: "Enter", isComposing: true }, input)).toBeNull();
  });
});

describe("order ticket keys", () => {
  const ticket = () =>
    render(
      <QueryClientProvider client={new QueryClient()}>
        <OrderTicket code="005930" last={10_000} rules={RULES} picked={null} />
      </QueryClientProvider>,
    );
  const price = () => screen.getByTestId("ticket-price") as HTMLInputElement;
  const qty = () => screen.getByTestId("ticket-qty") as HTMLInputElement;
  const key = async (target: Element, k: string) => {
    await act(async () => {
      fireEvent.keyDown(target, { key: k });
    });
  };

  beforeEach(() => {
    post.mockReset();
    post.mockResolvedValue({ client_order_id: "o1", side: "buy", qty: 1, price: 10_000, status: "accepted" });
    useLocale.setState({ locale: "ko" });
    useAuth.setState({ accessToken: "t", refreshToken: "r", user: { id: 1, username: "kim", role: "trader" } });
  });

  it("shows separators while typing", async () => {
    ticket();
    await act(async () => {
      fireEvent.change(price(), { target: { value: "123456" } });
    });
    expect(price().value).toBe("123,456");
    await act(async () => {
      fireEvent.change(qty(), { target: { value: "1500" } });
    });
    expect(qty().value).toBe("1,500");
  });

  it("steps the price by the KRX tick with the arrow keys", async () => {
    ticket();
    await waitFor(() => expect(price().value).toBe("10,000"));
    await key(price(), "ArrowUp");
    expect(price().value).toBe("10,010");
    await key(price(), "ArrowDown");
    await key(price(), "ArrowDown");
    expect(price().value).toBe("9,990");
    await act(async () => {
      fireEvent.change(price(), { target: { value: "49,950" } });
    });
    await key(price(), "ArrowUp"); // 50,000 starts the 100-won tick
    await key(price(), "ArrowUp");
    expect(price().value).toBe("50,100");
    await key(price(), "PageDown");
    expect(price().value).toBe("49,550"); // 50,100 → 50,000 (one 100 tick), then nine 50 ticks
  });

  it("switches side with B and S outside the fields only", async () => {
    ticket();
    const sell = screen.getByTestId("side-sell");
    await key(document.body, "s");
    expect(sell.getAttribute("aria-checked")).toBe("true");
    await key(price(), "b"); // typing in a field is not a shortcut
    expect(sell.getAttribute("aria-checked")).toBe("true");
    await key(document.body, "b");
    expect(screen.getByTestId("side-buy").getAttribute("aria-checked")).toBe("true");
  });

  it("sends with Enter from the form and clears with Esc", async () => {
    ticket();
    await act(async () => {
      fireEvent.change(qty(), { target: { value: "3" } });
    });
    await key(screen.getByTestId("order-type"), "Enter");
    await waitFor(() => expect(post).toHaveBeenCalledWith("/orders", { symbol: "005930", side: "buy", qty: 3, order_type: "limit", price: 10_000 }));
    await waitFor(() => expect(screen.getByTestId("ticket-result")).toBeTruthy());
    await act(async () => {
      fireEvent.change(price(), { target: { value: "12000" } });
    });
    await key(qty(), "Escape");
    expect(price().value).toBe("10,000");
    expect(qty().value).toBe("1");
    expect(screen.queryByTestId("ticket-result")).toBeNull();
  });

  it("lists the shortcuts in its help", () => {
    ticket();
    const help = screen.getByTestId("ticket-shortcuts").textContent ?? "";
    expect(help).toContain("단축키");
    expect(help).toContain("Enter");
    expect(help).toContain("Esc");
    expect(help).toContain("매수로 전환");
  });
});

describe("grouped field editing", () => {
  it("removes the digit before a separator deleted with backspace", async () => {
    const { GroupedNumberInput } = await import("@/components/GroupedNumberInput");
    const onValue = vi.fn();
    render(<GroupedNumberInput data-testid="n" value={12_345} onValue={onValue} />);
    const input = screen.getByTestId("n") as HTMLInputElement;
    expect(input.value).toBe("12,345");
    // "12|,345" → backspace over the comma leaves "12345" with the caret after "12"
    input.focus();
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set?.call(input, "12345"); // as the browser does, past React's tracker
    input.setSelectionRange(2, 2);
    fireEvent.input(input);
    expect(onValue.mock.calls).toEqual([[1_345]]);
  });
});
