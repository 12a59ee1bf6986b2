"use client";
// The order ticket: buy or sell, limit or market, a price stepped by the KRX tick and held
// inside the day's limits (checked here, before the server's risk checks), and a quantity.
// The server's answer shows under it: the order placed, or why it was refused. Numbers show
// thousands separators while typed; keys: B / S side, ↑ ↓ tick, Enter send, Esc clear.
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useController, useForm, type Resolver } from "react-hook-form";
import { ApiError, post } from "@/lib/api";
import { can, useAuth } from "@/lib/auth";
import { fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import { stepPrice, tickSize } from "@/lib/krx";
import "@/lib/messages/symbol";
import { useAccount, type Order } from "@/lib/stores/account";
import { GroupedNumberInput } from "@/components/GroupedNumberInput";
import { formShortcut, pageShortcut } from "./shortcuts";
import { ShortcutHelp } from "./ShortcutHelp";
import { TicketOutcome } from "./TicketOutcome";
import { orderBody, problemVars, ticketSchema, type TicketForm, type TicketInput, type TicketRules } from "./ticketSchema";

type Props = {
  code: string;
  last: number | undefined;
  rules: TicketRules;
  /** A price picked in the order book; `n` changes on every pick. */
  picked: { price: number; n: number } | null;
};

/** A resolver that validates against the newest rules (the limits arrive with the quote). */
function useRulesResolver(rules: TicketRules): Resolver<TicketInput, unknown, TicketForm> {
  const current = useRef(rules);
  current.current = rules;
  return useCallback((values, context, options) => zodResolver(ticketSchema(current.current))(values, context, options), []);
}

export function OrderTicket({ code, last, rules, picked }: Props) {
  const t = useT();
  const trader = useAuth((s) => can(s.user, "trader"));
  const upsertOrder = useAccount((s) => s.upsertOrder);
  const resolver = useRulesResolver(rules);
  const form = useForm<TicketInput, unknown, TicketForm>({
    resolver,
    defaultValues: { side: "buy", order_type: "limit", price: Number.NaN, qty: 1 },
    mode: "onChange",
  });
  const { register, handleSubmit, setValue, getValues, watch, formState, control, reset } = form;
  const priceField = useController({ control, name: "price" }).field;
  const qtyField = useController({ control, name: "qty" }).field;
  const box = useRef<HTMLElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const [result, setResult] = useState<Order | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const side = watch("side");
  const orderType = watch("order_type");
  const price = watch("price");
  const qty = watch("qty");

  useEffect(() => {
    if (last && Number.isNaN(getValues("price"))) setValue("price", last);
  }, [last, getValues, setValue]);
  useEffect(() => {
    if (picked) setValue("price", picked.price, { shouldValidate: true });
  }, [picked, setValue]);

  const submit = useMutation({
    mutationFn: (body: Record<string, unknown>) => post<Order>("/orders", body),
    onMutate: () => {
      setError(null);
      setResult(null);
    },
    onSuccess: (order) => {
      upsertOrder(order);
      setResult(order);
    },
    onError: (e) => setError(e instanceof ApiError ? e : new ApiError(0, "error", String(e))),
  });

  const step = (steps: number) => {
    const now = Number(getValues("price"));
    let next = stepPrice(Number.isFinite(now) && now > 0 ? now : (last ?? 1), steps, rules.etf);
    if (rules.upper > 0) next = Math.min(next, rules.upper);
    if (rules.lower > 0) next = Math.max(next, rules.lower);
    setValue("price", next, { shouldValidate: true });
  };
  const stepQty = (steps: number) => {
    const now = Number(getValues("qty"));
    setValue("qty", Math.max(1, (Number.isFinite(now) ? now : 0) + steps), { shouldValidate: true });
  };

  /** Esc: back to a fresh ticket at the last price (the side stays), the answer cleared. */
  const clear = useCallback(() => {
    reset({ side: getValues("side"), order_type: "limit", price: last ?? Number.NaN, qty: 1 });
    setError(null);
    setResult(null);
  }, [reset, getValues, last]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = pageShortcut(event, event.target);
      if (action === null || document.querySelector("[role=dialog]")) return;
      const target = event.target as Node | null;
      if (action === "clear") {
        const inTicket = target !== null && box.current?.contains(target);
        if (!inTicket && target !== document.body && target !== null) return;
        clear();
      } else if (action === "buy" || action === "sell") {
        setValue("side", action);
      } else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [clear, setValue]);

  const onFormKey = (event: React.KeyboardEvent<HTMLFormElement>) => {
    if (formShortcut(event, event.target) !== "submit") return;
    event.preventDefault();
    formRef.current?.requestSubmit();
  };

  const fieldError = (name: "price" | "qty") => {
    const message = formState.errors[name]?.message;
    return message ? t(message, fmtVars(problemVars(Number(price), rules))) : null;
  };
  const priceError = orderType === "limit" ? fieldError("price") : null;
  const qtyError = fieldError("qty");
  const amount = orderType === "limit" && Number.isFinite(price) && Number.isFinite(qty) ? price * qty : null;
  const buy = side === "buy";
  const input = "w-full min-w-0 rounded border border-neutral-300 bg-white px-2 py-1.5 text-right tabular-nums dark:border-slate-700 dark:bg-slate-900";
  const sideButton = (value: "buy" | "sell") =>
    `flex-1 rounded py-1.5 font-semibold ${side === value ? (value === "buy" ? "bg-red-600 text-white" : "bg-blue-600 text-white") : "border border-neutral-300 text-neutral-600 dark:border-slate-700 dark:text-slate-300"}`;

  return (
    <section ref={box} className="rounded border border-neutral-200 p-3 text-sm dark:border-slate-800" data-testid="order-ticket">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 className="font-semibold">{t("symbol.ticket.title")}</h2>
        <ShortcutHelp />
      </div>
      <form ref={formRef} noValidate className="space-y-2" onKeyDown={onFormKey} onSubmit={handleSubmit((f) => submit.mutate(orderBody(code, f)))}>
        <div className="flex gap-2" role="radiogroup">
          <button type="button" role="radio" aria-checked={buy} data-testid="side-buy" className={sideButton("buy")} onClick={() => setValue("side", "buy")}>
            {t("symbol.ticket.buy")}
          </button>
          <button type="button" role="radio" aria-checked={!buy} data-testid="side-sell" className={sideButton("sell")} onClick={() => setValue("side", "sell")}>
            {t("symbol.ticket.sell")}
          </button>
        </div>
        <label className="flex items-center gap-2">
          <span className="w-16 shrink-0 text-neutral-500 dark:text-slate-400">{t("symbol.ticket.type")}</span>
          <select {...register("order_type")} data-testid="order-type" className="flex-1 rounded border border-neutral-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-900">
            <option value="limit">{t("symbol.ticket.limit")}</option>
            <option value="market">{t("symbol.ticket.market")}</option>
          </select>
        </label>
        {orderType === "limit" && (
          <div>
            <div className="flex items-center gap-2">
              <label htmlFor="ticket-price" className="w-16 shrink-0 text-neutral-500 dark:text-slate-400">
                {t("symbol.ticket.price")}
              </label>
              <button type="button" aria-label={t("symbol.ticket.tickDown")} data-testid="tick-down" onClick={() => step(-1)} className="rounded border border-neutral-300 px-2 py-1.5 dark:border-slate-700">
                ▼
              </button>
              <GroupedNumberInput
                id="ticket-price"
                data-testid="ticket-price"
                aria-invalid={!!priceError}
                className={input}
                name={priceField.name}
                ref={priceField.ref}
                onBlur={priceField.onBlur}
                value={Number(priceField.value)}
                onValue={priceField.onChange}
                onStep={step}
              />
              <button type="button" aria-label={t("symbol.ticket.tickUp")} data-testid="tick-up" onClick={() => step(1)} className="rounded border border-neutral-300 px-2 py-1.5 dark:border-slate-700">
                ▲
              </button>
            </div>
            <p className="mt-0.5 flex flex-wrap gap-x-2 pl-[4.5rem] text-[11px] text-neutral-500 dark:text-slate-400" data-testid="ticket-limits">
              <span className="whitespace-nowrap">{t("symbol.ticket.tick", { tick: fmtWon(tickSize(Number.isFinite(price) && price > 0 ? price : (last ?? 1), rules.etf)) })}</span>
              {rules.upper > 0 && <span className="whitespace-nowrap">{t("symbol.ticket.limits", { lower: fmtWon(rules.lower), upper: fmtWon(rules.upper) })}</span>}
            </p>
            {priceError && (
              <p role="alert" data-testid="price-error" className="pl-[4.5rem] text-xs text-red-500">
                {priceError}
              </p>
            )}
          </div>
        )}
        <div>
          <label className="flex items-center gap-2">
            <span className="w-16 shrink-0 text-neutral-500 dark:text-slate-400">{t("symbol.ticket.qty")}</span>
            <GroupedNumberInput
              data-testid="ticket-qty"
              aria-invalid={!!qtyError}
              className={input}
              name={qtyField.name}
              ref={qtyField.ref}
              onBlur={qtyField.onBlur}
              value={Number(qtyField.value)}
              onValue={qtyField.onChange}
              onStep={stepQty}
            />
          </label>
          {qtyError && (
            <p role="alert" data-testid="qty-error" className="pl-[4.5rem] text-xs text-red-500">
              {qtyError}
            </p>
          )}
        </div>
        {amount !== null && amount > 0 && <p className="text-right text-xs text-neutral-500 dark:text-slate-400">{t("symbol.ticket.amount", { amount: fmtWon(amount) })}</p>}
        {!trader && <p className="text-xs text-amber-600 dark:text-amber-400">{t("symbol.ticket.noRights")}</p>}
        <button
          type="submit"
          data-testid="ticket-submit"
          disabled={!trader || submit.isPending}
          className={`w-full rounded py-2 font-semibold text-white disabled:opacity-50 ${buy ? "bg-red-600 hover:bg-red-500" : "bg-blue-600 hover:bg-blue-500"}`}
        >
          {submit.isPending ? t("symbol.ticket.sending") : t(buy ? "symbol.ticket.submitBuy" : "symbol.ticket.submitSell")}
        </button>
      </form>
      <TicketOutcome error={error} result={result} />
    </section>
  );
}

/** Error message numbers, written as a Korean trader reads them. */
function fmtVars(vars: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, fmtWon(v)]));
}
