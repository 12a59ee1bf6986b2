"use client";
// Badges of a quote's state: VI, limit up / down, halted (shared with the symbol page).
import { useT } from "@/lib/i18n";
import "@/lib/messages/market";
import type { Quote } from "@/lib/stores/quotes";
import { quoteFlags, type Flag } from "./flags";

const STYLE: Record<Flag, string> = {
  vi: "bg-amber-400 text-black",
  upper: "bg-red-600 text-white",
  lower: "bg-blue-600 text-white",
  halted: "bg-neutral-500 text-white",
};

export function QuoteFlags({ quote }: { quote: Quote }) {
  const t = useT();
  return (
    <>
      {quoteFlags(quote).map((flag) => (
        <span key={flag} data-flag={flag} className={`rounded px-1 text-[10px] font-bold leading-4 ${STYLE[flag]}`}>
          {t(`market.flag.${flag}`)}
        </span>
      ))}
    </>
  );
}
