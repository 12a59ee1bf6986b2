// What the order ticket accepts, before the server's risk checks: a limit price on the KRX
// tick grid and inside the day's price limits, a whole number of shares. Errors carry
// message keys (lib/messages/symbol.ts) with the numbers to put in them.
import { z } from "zod";
import { isOnTick, tickSize } from "@/lib/krx";

export type TicketRules = {
  /** Lower / upper price limit of the day, KRW (0 when unknown: not enforced). */
  lower: number;
  upper: number;
  /** ETFs and ETNs tick by 5 KRW above 2,000. */
  etf: boolean;
};

export function ticketSchema(rules: TicketRules) {
  return z
    .object({
      side: z.enum(["buy", "sell"]),
      order_type: z.enum(["limit", "market"]),
      price: z.number().or(z.nan()),
      qty: z.number().or(z.nan()),
    })
    .superRefine((form, ctx) => {
      if (!Number.isInteger(form.qty) || form.qty < 1) ctx.addIssue({ code: "custom", path: ["qty"], message: "symbol.ticket.err.qty" });
      if (form.order_type !== "limit") return;
      const message = priceProblem(form.price, rules);
      if (message) ctx.addIssue({ code: "custom", path: ["price"], message });
    });
}

/** The message key of what is wrong with a limit price, or null when it may be sent. */
export function priceProblem(price: number, rules: TicketRules): string | null {
  if (!Number.isFinite(price) || price <= 0) return "symbol.ticket.err.priceRequired";
  if (rules.lower > 0 && price < rules.lower) return "symbol.ticket.err.belowLower";
  if (rules.upper > 0 && price > rules.upper) return "symbol.ticket.err.aboveUpper";
  if (!isOnTick(price, rules.etf)) return "symbol.ticket.err.offTick";
  return null;
}

/** The numbers an error message may name. */
export function problemVars(price: number, rules: TicketRules): Record<string, number> {
  return { tick: tickSize(Number.isFinite(price) && price > 0 ? price : 1, rules.etf), lower: rules.lower, upper: rules.upper };
}

export type TicketInput = z.input<ReturnType<typeof ticketSchema>>;
export type TicketForm = z.output<ReturnType<typeof ticketSchema>>;

/** The POST /orders body of a valid ticket. */
export function orderBody(symbol: string, form: TicketForm): Record<string, unknown> {
  const body: Record<string, unknown> = { symbol, side: form.side, qty: form.qty, order_type: form.order_type };
  if (form.order_type === "limit") body.price = form.price;
  return body;
}
