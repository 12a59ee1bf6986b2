"use client";
// What the server answered to the ticket: the order placed, or the refusal — a risk denial
// names the limit in `details.reason` (shown in the chosen language, with its code), and the
// server's own words follow, since they carry the numbers.
import type { ApiError } from "@/lib/api";
import { fmtWon } from "@/lib/format";
import { useT } from "@/lib/i18n";
import "@/lib/messages/symbol";
import { useServerText } from "@/lib/serverText";
import type { Order } from "@/lib/stores/account";

export function TicketOutcome({ error, result }: { error: ApiError | null; result: Order | null }) {
  const t = useT();
  const server = useServerText();
  if (error)
    return (
      <div role="alert" data-testid="ticket-error" data-code={error.code} className="mt-2 rounded border border-red-300 bg-red-50 p-2 text-xs text-red-700 dark:border-red-900 dark:bg-red-950/50 dark:text-red-300">
        {error.code === "order_denied" ? (
          <>
            <p className="font-semibold">
              {t("symbol.ticket.denied", { reason: server.reason(String(error.details.reason ?? "")) })}{" "}
              <span className="font-mono text-[10px] font-normal opacity-70">{String(error.details.reason ?? "")}</span>
            </p>
            <p className="opacity-80">{error.message}</p>
          </>
        ) : (
          <p>{server.error(error)}</p>
        )}
      </div>
    );
  if (!result) return null;
  return (
    <div role="status" data-testid="ticket-result" data-order-id={result.client_order_id} className="mt-2 rounded border border-emerald-300 bg-emerald-50 p-2 text-xs text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-300">
      <p>
        {t("symbol.ticket.accepted", {
          side: t(result.side === "buy" ? "symbol.ticket.buy" : "symbol.ticket.sell"),
          qty: result.qty.toLocaleString("ko-KR"),
          price: result.price === null ? t("symbol.ticket.atMarket") : fmtWon(result.price),
          status: t(`symbol.status.${result.status}`),
        })}
      </p>
      <p className="font-mono text-[10px] opacity-70">{result.client_order_id}</p>
    </div>
  );
}
