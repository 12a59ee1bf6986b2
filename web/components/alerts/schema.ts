// Alert rules as the server checks them (src/jts/gateway/alerts/rules.py): one schema per
// kind, told apart by `kind`, with the same bounds, so the form refuses what the API would.
// Messages are i18n keys (lib/messages/alerts.ts).
import { z } from "zod";

export const KINDS = ["price_above", "price_below", "pct_move", "volume_spike", "vi", "order_filled", "risk_halt"] as const;
export type Kind = (typeof KINDS)[number];

export const DEFAULT_COOLDOWN_S = 300;
export const MAX_COOLDOWN_S = 7 * 86_400;
export const MAX_PRICE = 100_000_000;
export const MAX_WINDOW_MIN = 390;

/** `A005930`, ` 005930 `, lower case: the code as `jts.core.codes.normalize_symbol` makes it. */
export function normalizeSymbol(raw: string): string {
  const code = raw.trim().toUpperCase();
  return code.length === 7 && "AQJU".includes(code[0]) ? code.slice(1) : code;
}

const symbol = z
  .string()
  .transform(normalizeSymbol)
  .pipe(z.string().regex(/^[0-9A-Z]{6}$/, "alerts.err.symbol"));
const optionalSymbol = z
  .string()
  .transform((s) => (s.trim() ? normalizeSymbol(s) : null))
  .pipe(z.string().regex(/^[0-9A-Z]{6}$/, "alerts.err.symbol").nullable());
const noSymbol = z
  .string()
  .refine((s) => !s.trim(), "alerts.err.noSymbol")
  .transform(() => null);

const common = {
  enabled: z.boolean(),
  cooldown_s: z.number("alerts.err.number").int("alerts.err.whole").min(0, "alerts.err.cooldown").max(MAX_COOLDOWN_S, "alerts.err.cooldown"),
  note: z.string().max(200, "alerts.err.note").regex(/^[^\x00]*$/, "alerts.err.note"),
};

const price = z.object({
  price: z.number("alerts.err.number").int("alerts.err.whole").gt(0, "alerts.err.price").max(MAX_PRICE, "alerts.err.price"),
});
const pctMove = z.object({
  pct: z.number("alerts.err.number").gt(0, "alerts.err.pct").max(100, "alerts.err.pct"),
  base: z.enum(["prev_close", "open"]),
});
const volumeSpike = z.object({
  multiple: z.number("alerts.err.number").gt(1, "alerts.err.multiple").max(1_000, "alerts.err.multiple"),
  window_min: z.number("alerts.err.number").int("alerts.err.whole").min(1, "alerts.err.window").max(MAX_WINDOW_MIN, "alerts.err.window"),
});
const none = z.object({});

export const alertSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("price_above"), symbol, params: price, ...common }),
  z.object({ kind: z.literal("price_below"), symbol, params: price, ...common }),
  z.object({ kind: z.literal("pct_move"), symbol, params: pctMove, ...common }),
  z.object({ kind: z.literal("volume_spike"), symbol, params: volumeSpike, ...common }),
  z.object({ kind: z.literal("vi"), symbol, params: none, ...common }),
  z.object({ kind: z.literal("order_filled"), symbol: optionalSymbol, params: none, ...common }),
  z.object({ kind: z.literal("risk_halt"), symbol: noSymbol, params: none, ...common }),
]);

/** What POST /alerts takes. */
export type AlertSpec = z.output<typeof alertSchema>;

/** The form holds every kind's fields at once; the kind picks which of them count. */
export type AlertFormValues = {
  kind: Kind;
  symbol: string;
  params: { price: number; pct: number; base: "prev_close" | "open"; multiple: number; window_min: number };
  enabled: boolean;
  cooldown_s: number;
  note: string;
};

/** A stored rule as GET /alerts answers. */
export type AlertRule = {
  id: number;
  kind: Kind;
  symbol: string | null;
  params: Record<string, number | string>;
  enabled: boolean;
  cooldown_s: number;
  note: string;
  created_ns: number;
  last_fired_ns: number | null;
};

export const needsSymbol = (kind: Kind) => kind !== "order_filled" && kind !== "risk_halt";
export const defaultCooldown = (kind: Kind) => (kind === "order_filled" ? 0 : DEFAULT_COOLDOWN_S);

export function emptyForm(kind: Kind = "price_above"): AlertFormValues {
  return {
    kind,
    symbol: "",
    params: { price: NaN, pct: 5, base: "prev_close", multiple: 3, window_min: 20 },
    enabled: true,
    cooldown_s: defaultCooldown(kind),
    note: "",
  };
}

/** The form's values for editing `rule`. */
export function formOf(rule: AlertRule): AlertFormValues {
  const blank = emptyForm(rule.kind);
  return {
    ...blank,
    symbol: rule.symbol ?? "",
    params: { ...blank.params, ...(rule.params as Partial<AlertFormValues["params"]>) },
    enabled: rule.enabled,
    cooldown_s: rule.cooldown_s,
    note: rule.note,
  };
}

/** PATCH /alerts/{id}: everything but the kind (which a PATCH cannot change). */
export function patchOf(spec: AlertSpec): Record<string, unknown> {
  const { kind: _kind, ...rest } = spec;
  return rest;
}
