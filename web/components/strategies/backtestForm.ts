// The backtest launch form's rules (the `backtest` job's params, docs/jobs.md) and the request
// it becomes. Messages are i18n keys, translated where they are shown.
import { z } from "zod";

export const MAX_SYNTH_SYMBOLS = 50;
export const MAX_SYNTH_DAYS = 60;
const DATE = /^(\d{4}-\d{2}-\d{2})?$/;
const CODE = /^[0-9A-Z]{6}$/;

/** Codes as people type them: commas or spaces between, `A005930` and lower case accepted. */
export function parseCodes(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean)
    .map((c) => (c.length === 7 && "AQJU".includes(c[0]) ? c.slice(1) : c));
}

const whole = (min: number, max: number, range: string) =>
  z.number("bt.err.number").int("bt.err.whole").min(min, range).max(max, range);

export const backtestSchema = z
  .object({
    source: z.enum(["synth", "store"]),
    symbols: whole(1, MAX_SYNTH_SYMBOLS, "bt.err.symbols"),
    days: whole(1, MAX_SYNTH_DAYS, "bt.err.days"),
    seed: whole(0, Number.MAX_SAFE_INTEGER, "bt.err.seed"),
    start: z.string().regex(DATE, "bt.err.date"),
    end: z.string().regex(DATE, "bt.err.date"),
    codes: z.string().refine((s) => parseCodes(s).every((c) => CODE.test(c)), "bt.err.codes"),
    cash: z.number("bt.err.number").int("bt.err.whole").positive("bt.err.cash").max(1e15, "bt.err.cash"),
    params: z.record(z.string(), z.number("bt.err.number")),
  })
  .refine((f) => f.source === "synth" || !f.start || !f.end || f.start <= f.end, { path: ["end"], message: "bt.err.order" })
  .refine((f) => f.source === "store" || parseCodes(f.codes).length <= MAX_SYNTH_SYMBOLS, { path: ["codes"], message: "bt.err.symbols" });

export type BacktestForm = z.infer<typeof backtestSchema>;

export const DEFAULT_FORM: BacktestForm = {
  source: "synth",
  symbols: 5,
  days: 5,
  seed: 1,
  start: "",
  end: "",
  codes: "",
  cash: 100_000_000,
  params: {},
};

/** The body of POST /backtests for `form` running the program text `strategy`. */
export function backtestRequest(form: BacktestForm, strategy: string): Record<string, unknown> {
  const body: Record<string, unknown> = { strategy, cash: form.cash, params: form.params };
  const codes = parseCodes(form.codes);
  if (codes.length) body.symbols = codes;
  if (form.source === "synth") {
    const data: Record<string, unknown> = { source: "synth", symbols: form.symbols, days: form.days, seed: form.seed };
    if (form.start) data.start = form.start;
    body.data = data;
  } else {
    body.data = "store";
    if (form.start) body.start = form.start;
    if (form.end) body.end = form.end;
  }
  return body;
}
