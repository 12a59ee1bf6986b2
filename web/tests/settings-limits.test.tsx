import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RiskLimits, RiskState } from "@/components/overview/risk";
import { credentialSchema } from "@/components/settings/BrokerAccounts";
import { limitsSchema, toForm } from "@/components/settings/limitsSchema";
import { RiskLimitsForm } from "@/components/settings/RiskLimitsForm";
import { newUserSchema } from "@/components/settings/Users";
import { get, put } from "@/lib/api";
import { useAuth, type User } from "@/lib/auth";
import { useLocale } from "@/lib/i18n";

vi.mock("@/lib/api", async (original) => ({ ...(await original<typeof import("@/lib/api")>()), get: vi.fn(), put: vi.fn() }));

const NONE: RiskLimits = {
  max_order_qty: null, max_order_value: null, max_position_qty: null, max_gross_exposure: null,
  fat_finger_pct: null, max_orders_per_second: null, max_orders_per_minute: null, daily_loss_limit: null,
  check_cash: true, allow_short: false, prevent_self_cross: true, block_identical_orders: false,
};
const STATE: RiskState = { state: "active", reason: "", killed: "", limits: { ...NONE, max_order_qty: 1_000, fat_finger_pct: 5.5 } };
const form = (changes: Partial<ReturnType<typeof toForm>>) => ({ ...toForm(NONE), ...changes });
const problems = (changes: Partial<ReturnType<typeof toForm>>) => {
  const result = limitsSchema.safeParse(form(changes));
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("the risk-limits rules (as jts.risk.limits.RiskLimits)", () => {
  it("reads blank as no limit and accepts grouped digits", () => {
    const parsed = limitsSchema.parse(form({ max_order_value: "10,000,000", max_order_qty: " 500 ", fat_finger_pct: "7.5" }));
    expect(parsed).toEqual({ ...NONE, max_order_value: 10_000_000, max_order_qty: 500, fat_finger_pct: 7.5 });
  });

  it("refuses zero, negatives, fractions and words for whole-number limits", () => {
    expect(problems({ max_order_qty: "0" })).toEqual({ max_order_qty: "set.err.whole" });
    expect(problems({ daily_loss_limit: "-5" })).toEqual({ daily_loss_limit: "set.err.whole" });
    expect(problems({ max_orders_per_second: "1.5" })).toEqual({ max_orders_per_second: "set.err.whole" });
    expect(problems({ max_gross_exposure: "lots" })).toEqual({ max_gross_exposure: "set.err.whole" });
    expect(problems({ max_order_value: "99999999999999999999" })).toEqual({ max_order_value: "set.err.whole" });
  });

  it("holds the fat-finger band inside (0, 1000) percent", () => {
    expect(problems({ fat_finger_pct: "0" })).toEqual({ fat_finger_pct: "set.err.pct" });
    expect(problems({ fat_finger_pct: "1000" })).toEqual({ fat_finger_pct: "set.err.pct" });
    expect(problems({ fat_finger_pct: "999.9" })).toEqual({});
  });

  it("shows the server's limits grouped, blank for none, and parses them back unchanged", () => {
    const limits = { ...NONE, max_order_value: 10_000_000, fat_finger_pct: 5.5, allow_short: true };
    const shown = toForm(limits);
    expect(shown.max_order_value).toBe("10,000,000");
    expect(shown.max_order_qty).toBe("");
    expect(limitsSchema.parse(shown)).toEqual(limits);
  });
});

describe("the other settings forms' rules", () => {
  it("asks a broker account for a valid number and at least one secret", () => {
    const blank = { broker: "kis", account: "12345678-01", app_key: "", app_secret: "", account_password: "", hts_id: "" } as const;
    expect(credentialSchema.safeParse(blank).success).toBe(false);
    expect(credentialSchema.safeParse({ ...blank, app_key: "k" }).success).toBe(true);
    expect(credentialSchema.safeParse({ ...blank, app_key: "k", account: "12/34" }).success).toBe(false);
  });

  it("checks a new user's name and password as the API does", () => {
    expect(newUserSchema.safeParse({ username: "ops.1", password: "12345678", role: "trader" }).success).toBe(true);
    expect(newUserSchema.safeParse({ username: "ab", password: "12345678", role: "trader" }).success).toBe(false);
    expect(newUserSchema.safeParse({ username: "ops", password: "short", role: "trader" }).success).toBe(false);
  });
});

describe("the risk-limits form", () => {
  function show(role: User["role"]) {
    useAuth.setState({ accessToken: "t", refreshToken: "r", user: { id: 1, username: role, role } });
    const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return render(
      <QueryClientProvider client={queries}>
        <RiskLimitsForm />
      </QueryClientProvider>,
    );
  }
  const field = (name: string) => screen.getByTestId(`limit-${name}`) as HTMLInputElement;

  beforeEach(() => {
    useLocale.setState({ locale: "en" });
    vi.mocked(get).mockResolvedValue(STATE);
    vi.mocked(put).mockReset();
    vi.mocked(put).mockImplementation(async (_path, body) => ({ ...STATE, limits: body as RiskLimits }));
  });
  afterEach(cleanup);

  it("shows an error under a bad field and sends nothing", async () => {
    show("admin");
    await waitFor(() => expect(field("max_order_qty").value).toBe("1,000"));
    fireEvent.change(field("max_order_qty"), { target: { value: "0" } });
    fireEvent.click(screen.getByTestId("limits-save"));
    await screen.findByText("A whole number above 0 (blank: no limit)");
    expect(put).not.toHaveBeenCalled();
  });

  it("sends every limit, as numbers, when the form is valid", async () => {
    show("admin");
    await waitFor(() => expect(field("fat_finger_pct").value).toBe("5.5"));
    fireEvent.change(field("daily_loss_limit"), { target: { value: "3,000,000" } });
    fireEvent.click(field("allow_short"));
    fireEvent.click(screen.getByTestId("limits-save"));
    await waitFor(() =>
      expect(put).toHaveBeenCalledWith("/risk/limits", { ...STATE.limits, daily_loss_limit: 3_000_000, allow_short: true }),
    );
  });

  it("is read-only for a viewer: fields disabled, no save button", async () => {
    show("viewer");
    await waitFor(() => expect(field("max_order_qty").value).toBe("1,000"));
    expect(field("max_order_qty").matches(":disabled")).toBe(true); // by its fieldset
    expect(screen.queryByTestId("limits-save")).toBeNull();
    expect(screen.getByText("Only admins can change these")).toBeTruthy();
  });
});
