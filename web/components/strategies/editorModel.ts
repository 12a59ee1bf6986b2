// What the editor draws on each line: coloured pieces of text, the stretch under a
// validator problem, and the problems' messages. Kept apart from the component so the
// placement of errors (the server's 1-based line and column, counted in characters) can be
// tested without a browser.
import { tokenize, type Token, type TokenKind } from "./highlight";

/** A problem as POST /strategies/validate reports it. */
export type Problem = { line: number; column: number; message: string; expected: string[] };

/** A problem placed on its line: `start`..`end` is the underlined UTF-16 range; `pastEnd`
 * when the column lies beyond the line's text (a missing token at the end). */
export type Placed = Problem & { start: number; end: number; pastEnd: boolean };

export type Piece = { text: string; kind: TokenKind; underlined: boolean };

export type Line = { number: number; pieces: Piece[]; problems: Placed[] };

/** UTF-16 offset of the 1-based `column`, counted in code points as Python counts. */
export function columnOffset(text: string, column: number): number {
  let offset = 0;
  let chars = 1;
  for (const ch of text) {
    if (chars >= column) return offset;
    offset += ch.length;
    chars += 1;
  }
  return offset + Math.max(0, column - chars);
}

/** Where `problem` goes: its line (clamped into the text) and the token it points at. */
export function place(problem: Problem, lines: string[], tokens: Token[][]): Placed {
  const index = Math.min(Math.max(problem.line, 1), lines.length) - 1;
  const text = lines[index];
  const start = columnOffset(text, Math.max(problem.column, 1));
  if (start >= text.length) return { ...problem, line: index + 1, start: text.length, end: text.length, pastEnd: true };
  const token = tokens[index].find((t) => t.start <= start && start < t.start + t.text.length);
  const end = token && token.kind !== "space" ? token.start + token.text.length : start + 1;
  return { ...problem, line: index + 1, start, end, pastEnd: false };
}

/** Cut a line's tokens where underlines begin and end. */
function pieces(tokens: Token[], marks: Placed[]): Piece[] {
  const cuts = new Set<number>();
  for (const m of marks) {
    cuts.add(m.start);
    cuts.add(m.end);
  }
  const out: Piece[] = [];
  for (const token of tokens) {
    let from = 0;
    const inner = [...cuts].filter((c) => c > token.start && c < token.start + token.text.length).sort((a, b) => a - b);
    for (const cut of [...inner, token.start + token.text.length]) {
      const at = token.start + from;
      const text = token.text.slice(from, cut - token.start);
      out.push({ text, kind: token.kind, underlined: marks.some((m) => m.start <= at && at < m.end) });
      from = cut - token.start;
    }
  }
  return out;
}

/** The lines of `source` ready to draw, with `problems` placed on them. */
export function buildLines(source: string, problems: Problem[]): Line[] {
  const texts = source.split("\n");
  const tokens = tokenize(source);
  const placed = problems.map((p) => place(p, texts, tokens));
  return texts.map((_, i) => {
    const mine = placed.filter((p) => p.line === i + 1);
    return { number: i + 1, pieces: pieces(tokens[i], mine), problems: mine };
  });
}
