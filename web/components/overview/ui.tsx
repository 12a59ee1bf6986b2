"use client";
// Small building blocks the overview, monitoring and settings screens share: a card, table
// cells that scroll sideways on a phone, a modal dialog, buttons and an error line.
import { useEffect, useRef } from "react";
import { createPortal } from "react-dom";
import { useServerText } from "@/lib/serverText";

export function Card({
  title,
  action,
  children,
  className = "",
  testId,
}: {
  title?: React.ReactNode;
  action?: React.ReactNode;
  children: React.ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section
      data-testid={testId}
      className={`min-w-0 rounded-lg border border-neutral-200 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900 sm:p-4 ${className}`}
    >
      {(title || action) && (
        <header className="mb-2 flex flex-wrap items-center justify-between gap-2">
          {title && <h2 className="text-sm font-semibold text-neutral-700 dark:text-slate-300">{title}</h2>}
          {action}
        </header>
      )}
      {children}
    </section>
  );
}

/** A table that scrolls horizontally inside its card instead of widening the page. */
export function Table({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <div className="-mx-3 overflow-x-auto sm:mx-0">
      <table data-testid={testId} className="w-full min-w-max border-collapse text-sm">
        {children}
      </table>
    </div>
  );
}

export function Th({ children, num = false }: { children?: React.ReactNode; num?: boolean }) {
  return (
    <th
      className={`whitespace-nowrap border-b border-neutral-200 px-3 py-1.5 text-xs font-medium text-neutral-500 dark:border-slate-800 dark:text-slate-400 ${num ? "text-right" : "text-left"}`}
    >
      {children}
    </th>
  );
}

/** A header that sorts its table: a click flips the direction, an arrow shows it. */
export function SortTh({
  children,
  num = false,
  active,
  onSort,
  testId,
}: {
  children: React.ReactNode;
  num?: boolean;
  /** "asc" / "desc" when the table is sorted by this column, else null. */
  active: "asc" | "desc" | null;
  onSort: () => void;
  testId?: string;
}) {
  return (
    <th
      aria-sort={active === "asc" ? "ascending" : active === "desc" ? "descending" : "none"}
      className={`whitespace-nowrap border-b border-neutral-200 px-3 py-1.5 text-xs font-medium text-neutral-500 dark:border-slate-800 dark:text-slate-400 ${num ? "text-right" : "text-left"}`}
    >
      <button
        type="button"
        onClick={onSort}
        data-testid={testId}
        data-sort={active ?? undefined}
        className={`relative inline-flex items-center hover:text-neutral-900 dark:hover:text-white ${active ? "text-neutral-900 dark:text-white" : ""}`}
      >
        {children}
        <span aria-hidden className={`absolute top-1/2 -translate-y-1/2 text-[9px] ${num ? "-left-3" : "-right-3"}`}>
          {active === "asc" ? "▲" : active === "desc" ? "▼" : ""}
        </span>
      </button>
    </th>
  );
}

export function Td({ children, num = false, className = "" }: { children?: React.ReactNode; num?: boolean; className?: string }) {
  return (
    <td
      className={`whitespace-nowrap border-b border-neutral-100 px-3 py-1.5 dark:border-slate-800/60 ${num ? "text-right tabular-nums" : ""} ${className}`}
    >
      {children}
    </td>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="py-4 text-center text-sm text-neutral-500 dark:text-slate-400">{children}</p>;
}

const BUTTON = {
  primary: "bg-slate-800 text-white hover:bg-slate-700 dark:bg-slate-200 dark:text-slate-900 dark:hover:bg-white",
  secondary:
    "border border-neutral-300 bg-white hover:bg-neutral-100 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800",
  danger: "bg-red-600 text-white hover:bg-red-700",
} as const;

export function Button({
  variant = "secondary",
  className = "",
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof BUTTON }) {
  return (
    <button
      type="button"
      {...props}
      className={`rounded px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50 ${BUTTON[variant]} ${className}`}
    />
  );
}

export const inputClass =
  "w-full rounded border border-neutral-300 bg-white px-2 py-1.5 text-sm disabled:bg-neutral-100 disabled:text-neutral-500 dark:border-slate-700 dark:bg-slate-950 dark:disabled:bg-slate-900 dark:disabled:text-slate-400";

/** The message of a failed request, once, in red (known server codes in the chosen language). */
export function ErrorLine({ error }: { error: unknown }) {
  const server = useServerText();
  if (!error) return null;
  const text = server.error(error);
  return (
    <p role="alert" className="text-sm text-red-600 dark:text-red-400">
      {text}
    </p>
  );
}

/** A modal dialog over the page (a portal into body): Escape or the backdrop closes it; the
 * first field (or button) gets focus. */
export function Dialog({
  title,
  onClose,
  children,
  testId,
}: {
  title: React.ReactNode;
  onClose: () => void;
  children: React.ReactNode;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    box.current?.querySelector<HTMLElement>("input, button")?.focus();
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return createPortal(
    <div className="fixed inset-0 z-50 flex items-end justify-center bg-black/50 p-3 sm:items-center" onClick={onClose}>
      <div
        ref={box}
        role="dialog"
        aria-modal="true"
        aria-label={typeof title === "string" ? title : undefined}
        data-testid={testId}
        className="w-full max-w-md rounded-lg border border-neutral-200 bg-white p-4 text-left text-neutral-900 shadow-xl dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
        onClick={(event) => event.stopPropagation()}
      >
        <h2 className="mb-3 text-lg font-bold">{title}</h2>
        {children}
      </div>
    </div>,
    document.body,
  );
}

/** A coloured dot with a label: green healthy, amber degraded, red down. */
export function StatusDot({ tone, children }: { tone: "ok" | "warn" | "bad" | "idle"; children?: React.ReactNode }) {
  const colour = { ok: "bg-emerald-500", warn: "bg-amber-400", bad: "bg-red-500", idle: "bg-neutral-400" }[tone];
  return (
    <span className="inline-flex items-center gap-1.5">
      <span className={`inline-block h-2 w-2 shrink-0 rounded-full ${colour}`} />
      {children}
    </span>
  );
}
