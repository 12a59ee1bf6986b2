"use client";
// A whole-number field that shows thousands separators while typing ("12,345") and keeps the
// caret after the same digit it was after, so typing in the middle of a price feels normal.
// Arrow keys step (by the KRX tick for a price: the caller's `onStep`), PageUp/PageDown by ten.
import { forwardRef, useImperativeHandle, useLayoutEffect, useRef } from "react";

const grouping = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0, useGrouping: true });

/** The text a number shows as: grouped digits, or "" for no number. */
export const groupDigits = (n: number) => (Number.isFinite(n) ? grouping.format(n) : "");

/** The number typed, ignoring separators and stray characters; NaN when there is no digit. */
export function parseDigits(text: string): number {
  const digits = text.replace(/[^\d]/g, "");
  return digits === "" ? Number.NaN : Number(digits);
}

/** Where the caret goes in `formatted` so that `digitsBefore` digits stand left of it. */
export function caretAfterDigits(formatted: string, digitsBefore: number): number {
  if (digitsBefore <= 0) return 0;
  let seen = 0;
  for (let i = 0; i < formatted.length; i++) {
    if (/\d/.test(formatted[i])) seen++;
    if (seen === digitsBefore) return i + 1;
  }
  return formatted.length;
}

type Props = Omit<React.InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "type"> & {
  value: number;
  onValue: (n: number) => void;
  /** Step by `steps` (±1 for the arrows, ±10 for PageUp/PageDown). */
  onStep?: (steps: number) => void;
};

export const GroupedNumberInput = forwardRef<HTMLInputElement, Props>(function GroupedNumberInput(
  { value, onValue, onStep, onKeyDown, ...rest },
  outer,
) {
  const input = useRef<HTMLInputElement>(null);
  const caret = useRef<number | null>(null); // digits left of the caret after the last edit
  useImperativeHandle(outer, () => input.current as HTMLInputElement);
  const text = groupDigits(value);

  useLayoutEffect(() => {
    const el = input.current;
    if (el === null || caret.current === null || document.activeElement !== el) return;
    const at = caretAfterDigits(text, caret.current);
    el.setSelectionRange(at, at);
    caret.current = null;
  }, [text]);

  return (
    <input
      {...rest}
      ref={input}
      type="text"
      inputMode="numeric"
      autoComplete="off"
      value={text}
      onChange={(e) => {
        let typed = e.target.value;
        const at = e.target.selectionStart ?? typed.length;
        let before = typed.slice(0, at).replace(/[^\d]/g, "").length;
        // Backspace on a separator removes the digit before it, as in any money field.
        if (typed.length < text.length && typed.replace(/[^\d]/g, "") === text.replace(/[^\d]/g, "") && before > 0) {
          const digits = typed.replace(/[^\d]/g, "");
          typed = digits.slice(0, before - 1) + digits.slice(before);
          before -= 1;
        }
        caret.current = before;
        const next = parseDigits(typed);
        // the text cannot change if the number does not: put the caret back ourselves
        if (Object.is(next, value) || (Number.isNaN(next) && Number.isNaN(value))) {
          requestAnimationFrame(() => {
            const el = input.current;
            if (el && document.activeElement === el) el.setSelectionRange(caretAfterDigits(text, before), caretAfterDigits(text, before));
          });
        }
        onValue(next);
      }}
      onKeyDown={(e) => {
        onKeyDown?.(e);
        if (e.defaultPrevented || !onStep) return;
        const steps = { ArrowUp: 1, ArrowDown: -1, PageUp: 10, PageDown: -10 }[e.key];
        if (steps === undefined) return;
        e.preventDefault();
        onStep(steps);
      }}
    />
  );
});
