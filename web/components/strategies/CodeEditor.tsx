"use client";
// The strategy editor without an editor library: a transparent textarea (which does the
// typing, selection, undo and the keyboard of phones) over a <pre> that draws the same text
// coloured, both with the same font metrics, no wrapping, and the <pre> and the line numbers
// moved with the textarea's scroll. The validator's problems are underlined at their line
// and column, with the message after the line's text and listed below the editor.
import { useMemo, useRef } from "react";
import { useT } from "@/lib/i18n";
import "@/lib/messages/strategies";
import { buildLines, columnOffset, type Placed, type Problem } from "./editorModel";
import { TOKEN_CLASS } from "./highlight";

/** Shared by the textarea, the <pre> and the gutter: any difference misplaces the colours.
 * 16px on phones keeps iOS from zooming into the textarea. */
const METRICS = "font-mono text-[16px] leading-6 sm:text-[13px] sm:leading-5 [tab-size:4]";
const PAD = "px-3 py-2";

type Props = {
  value: string;
  onChange: (value: string) => void;
  problems: Problem[];
  label: string;
};

export function CodeEditor({ value, onChange, problems, label }: Props) {
  const t = useT();
  const area = useRef<HTMLTextAreaElement>(null);
  const pre = useRef<HTMLPreElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => buildLines(value, problems), [value, problems]);
  const placed = lines.flatMap((l) => l.problems);

  const sync = () => {
    const el = area.current;
    if (!el) return;
    if (pre.current) pre.current.style.transform = `translate(${-el.scrollLeft}px, ${-el.scrollTop}px)`;
    if (gutter.current) gutter.current.style.transform = `translateY(${-el.scrollTop}px)`;
  };

  const jump = (p: Placed) => {
    const el = area.current;
    if (!el) return;
    const texts = value.split("\n");
    const before = texts.slice(0, p.line - 1).reduce((n, s) => n + s.length + 1, 0);
    const start = before + columnOffset(texts[p.line - 1], p.column);
    el.focus();
    el.setSelectionRange(start, before + Math.max(p.end, p.start));
    sync();
  };

  return (
    <div>
      <div className="flex h-[55vh] min-h-64 max-h-[40rem] overflow-hidden rounded border border-neutral-300 bg-white dark:border-slate-700 dark:bg-slate-900">
        <div aria-hidden className="relative w-11 shrink-0 overflow-hidden border-r border-neutral-200 bg-neutral-100 text-right text-neutral-400 select-none dark:border-slate-800 dark:bg-slate-950 dark:text-slate-600">
          <div ref={gutter} className={`py-2 pr-2 ${METRICS}`}>
            {lines.map((line) => (
              <div key={line.number} className={line.problems.length ? "font-bold text-red-600 dark:text-red-400" : ""}>
                {line.number}
              </div>
            ))}
          </div>
        </div>
        <div className="relative min-w-0 flex-1 overflow-hidden">
          <pre ref={pre} aria-hidden data-testid="editor-highlight" className={`pointer-events-none absolute top-0 left-0 m-0 min-w-full ${PAD} ${METRICS}`}>
            {lines.map((line) => (
              <div key={line.number} className={line.problems.length ? "bg-red-500/10" : undefined}>
                {line.pieces.map((piece, i) => (
                  <span
                    key={i}
                    data-kind={piece.kind}
                    className={`${TOKEN_CLASS[piece.kind]} ${piece.underlined ? "underline decoration-red-500 decoration-wavy [text-decoration-skip-ink:none]" : ""}`}
                  >
                    {piece.text}
                  </span>
                ))}
                {line.problems.some((p) => p.pastEnd) && <span className="underline decoration-red-500 decoration-wavy">{"\u00a0\u00a0"}</span>}
                {line.problems.map((p, i) => (
                  <span key={i} data-testid="editor-error" data-line={p.line} data-column={p.column} className="ml-6 text-red-600 dark:text-red-400">
                    {`◀ ${t("editor.at", { line: p.line, column: p.column })}: ${p.message}`}
                  </span>
                ))}
                {line.pieces.length === 0 && line.problems.length === 0 ? " " : null}
              </div>
            ))}
          </pre>
          <textarea
            ref={area}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            onScroll={sync}
            aria-label={label}
            aria-invalid={placed.length > 0}
            data-testid="strategy-editor"
            wrap="off"
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            autoComplete="off"
            className={`absolute inset-0 h-full w-full resize-none overflow-auto bg-transparent whitespace-pre text-transparent caret-neutral-900 outline-none selection:bg-sky-300/40 dark:caret-white ${PAD} ${METRICS}`}
          />
        </div>
      </div>
      {placed.length > 0 && (
        <ul data-testid="editor-problems" className="mt-2 space-y-1 text-sm">
          {placed.map((p, i) => (
            <li key={i}>
              <button type="button" onClick={() => jump(p)} className="text-left text-red-600 hover:underline dark:text-red-400">
                <span className="font-mono">{t("editor.at", { line: p.line, column: p.column })}</span> {p.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
