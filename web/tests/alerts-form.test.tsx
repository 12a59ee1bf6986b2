import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AlertForm } from "@/components/alerts/AlertForm";
import { base64UrlBytes } from "@/components/alerts/push";
import { alertSchema, emptyForm, formOf, patchOf, type AlertFormValues } from "@/components/alerts/schema";
import { useLocale } from "@/lib/i18n";

const form = (over: Omit<Partial<AlertFormValues>, "params"> & { params?: Partial<AlertFormValues["params"]> } = {}): AlertFormValues => {
  const blank = emptyForm(over.kind);
  return { ...blank, ...over, params: { ...blank.params, ...over.params } };
};
const problems = (values: AlertFormValues) => {
  const result = alertSchema.safeParse(values);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("the alert rule schema (mirrors gateway/alerts/rules.py)", () => {
  it("takes a price rule and normalizes the code as the server does", () => {
    const spec = alertSchema.parse(form({ symbol: " a005930 ", params: { price: 70_000 }, note: "익절 검토" }));
    expect(spec).toEqual({ kind: "price_above", symbol: "005930", params: { price: 70_000 }, enabled: true, cooldown_s: 300, note: "익절 검토" });
  });

  it("keeps only the params of the chosen kind", () => {
    expect(alertSchema.parse(form({ kind: "pct_move", symbol: "000660", params: { price: 1, pct: 5, base: "open" } })).params).toEqual({ pct: 5, base: "open" });
    expect(alertSchema.parse(form({ kind: "volume_spike", symbol: "035720" })).params).toEqual({ multiple: 3, window_min: 20 });
    expect(alertSchema.parse(form({ kind: "vi", symbol: "005930", params: { price: 5 } })).params).toEqual({});
  });

  it("refuses what the server refuses, naming the field", () => {
    expect(problems(form({ symbol: "5930", params: { price: 70_000 } }))).toEqual({ symbol: "alerts.err.symbol" });
    expect(problems(form({ symbol: "005930" }))).toEqual({ "params.price": "alerts.err.number" }); // empty input
    expect(problems(form({ symbol: "005930", params: { price: 0 } }))).toEqual({ "params.price": "alerts.err.price" });
    expect(problems(form({ symbol: "005930", params: { price: 100_000_001 } }))).toEqual({ "params.price": "alerts.err.price" });
    expect(problems(form({ symbol: "005930", params: { price: 70_000.5 } }))).toEqual({ "params.price": "alerts.err.whole" });
    expect(problems(form({ kind: "pct_move", symbol: "005930", params: { pct: 100.5 } }))).toEqual({ "params.pct": "alerts.err.pct" });
    expect(problems(form({ kind: "volume_spike", symbol: "005930", params: { multiple: 1 } }))).toEqual({ "params.multiple": "alerts.err.multiple" });
    expect(problems(form({ kind: "volume_spike", symbol: "005930", params: { window_min: 391 } }))).toEqual({ "params.window_min": "alerts.err.window" });
    expect(problems(form({ kind: "vi", symbol: "" }))).toEqual({ symbol: "alerts.err.symbol" });
    expect(problems(form({ symbol: "005930", params: { price: 1 }, cooldown_s: 7 * 86_400 + 1 }))).toEqual({ cooldown_s: "alerts.err.cooldown" });
    expect(problems(form({ symbol: "005930", params: { price: 1 }, note: "x".repeat(201) }))).toEqual({ note: "alerts.err.note" });
  });

  it("treats the symbol of order_filled as an optional filter and refuses one for risk_halt", () => {
    expect(alertSchema.parse(form({ kind: "order_filled" }))).toMatchObject({ symbol: null, params: {}, cooldown_s: 0 });
    expect(alertSchema.parse(form({ kind: "order_filled", symbol: "000660" })).symbol).toBe("000660");
    expect(alertSchema.parse(form({ kind: "risk_halt" })).symbol).toBeNull();
    expect(problems(form({ kind: "risk_halt", symbol: "005930" }))).toEqual({ symbol: "alerts.err.noSymbol" });
  });

  it("edits a stored rule through a PATCH without its kind", () => {
    const values = formOf({ id: 3, kind: "pct_move", symbol: "000660", params: { pct: 5, base: "open" }, enabled: false, cooldown_s: 60, note: "n", created_ns: 1, last_fired_ns: null });
    expect(patchOf(alertSchema.parse(values))).toEqual({ symbol: "000660", params: { pct: 5, base: "open" }, enabled: false, cooldown_s: 60, note: "n" });
  });
});

describe("the alert form", () => {
  beforeEach(() => useLocale.setState({ locale: "en" }));
  afterEach(cleanup);

  it("shows each field's problem and sends nothing", async () => {
    const submit = vi.fn(async () => {});
    render(<AlertForm initial={emptyForm()} editing={false} onSubmit={submit} />);
    fireEvent.change(screen.getByTestId("alert-symbol"), { target: { value: "59" } });
    fireEvent.click(screen.getByTestId("alert-submit"));
    const shown = await screen.findAllByTestId("alert-field-error");
    expect(shown.map((e) => e.textContent)).toEqual(["A 6-character code such as 005930", "Enter a number"]);
    expect(submit).not.toHaveBeenCalled();
  });

  it("shows the fields of the chosen kind and submits its spec", async () => {
    const submit = vi.fn(async () => {});
    render(<AlertForm initial={emptyForm()} editing={false} onSubmit={submit} />);
    fireEvent.change(screen.getByTestId("alert-kind"), { target: { value: "volume_spike" } });
    expect(screen.queryByTestId("alert-price")).toBeNull();
    fireEvent.change(screen.getByTestId("alert-symbol"), { target: { value: "035720" } });
    fireEvent.change(screen.getByTestId("alert-multiple"), { target: { value: "4" } });
    fireEvent.change(screen.getByTestId("alert-window"), { target: { value: "30" } });
    fireEvent.click(screen.getByTestId("alert-submit"));
    await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
    expect(submit.mock.calls[0]).toEqual([
      { kind: "volume_spike", symbol: "035720", params: { multiple: 4, window_min: 30 }, enabled: true, cooldown_s: 300, note: "" },
    ]);
  });

  it("gives order_filled its own default cooldown and no required symbol", async () => {
    const submit = vi.fn(async () => {});
    render(<AlertForm initial={emptyForm()} editing={false} onSubmit={submit} />);
    fireEvent.change(screen.getByTestId("alert-kind"), { target: { value: "order_filled" } });
    expect((screen.getByTestId("alert-cooldown") as HTMLInputElement).value).toBe("0");
    fireEvent.click(screen.getByTestId("alert-submit"));
    await waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
    expect(submit.mock.calls[0]).toEqual([{ kind: "order_filled", symbol: null, params: {}, enabled: true, cooldown_s: 0, note: "" }]);
  });

  it("keeps the kind of a rule being edited", () => {
    const rule = { id: 7, kind: "price_below" as const, symbol: "005930", params: { price: 60_000 }, enabled: true, cooldown_s: 600, note: "", created_ns: 1, last_fired_ns: null };
    render(<AlertForm initial={formOf(rule)} editing onSubmit={async () => {}} />);
    expect((screen.getByTestId("alert-kind") as HTMLSelectElement).disabled).toBe(true);
    expect((screen.getByTestId("alert-price") as HTMLInputElement).value).toBe("60000");
    expect((screen.getByTestId("alert-cooldown") as HTMLInputElement).value).toBe("600");
  });
});

describe("the VAPID key", () => {
  it("decodes base64url into the bytes pushManager.subscribe takes", () => {
    expect([...base64UrlBytes("AQID_-8")]).toEqual([1, 2, 3, 255, 239]);
  });
});
