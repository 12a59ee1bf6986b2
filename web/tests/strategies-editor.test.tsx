import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { CodeEditor } from "@/components/strategies/CodeEditor";
import { buildLines, columnOffset, type Problem } from "@/components/strategies/editorModel";
import { useLocale } from "@/lib/i18n";

const PROGRAM = [
  'strategy "rsi"',
  "universe all",
  "timeframe 5m",
  "when position == 0 and rsi(close) < 30 buy 10 shares",
  "when position > 0 and clsoe > 1: close",
].join("\n");

const problem = (line: number, column: number, message = "bad"): Problem => ({ line, column, message, expected: [] });
const underlined = (source: string, problems: Problem[], line: number) =>
  buildLines(source, problems)[line - 1]
    .pieces.filter((p) => p.underlined)
    .map((p) => p.text)
    .join("");

describe("placing the validator's problems", () => {
  it("underlines the token at the 1-based line and column", () => {
    expect(underlined(PROGRAM, [problem(4, 40)], 4)).toBe("buy");
    expect(underlined(PROGRAM, [problem(5, 23)], 5)).toBe("clsoe");
    const lines = buildLines(PROGRAM, [problem(4, 40, "unexpected 'buy'")]);
    expect(lines[3].problems).toMatchObject([{ line: 4, column: 40, start: 39, end: 42, message: "unexpected 'buy'" }]);
    expect(lines.filter((l) => l.problems.length).map((l) => l.number)).toEqual([4]);
  });

  it("splits a token when the column points inside it", () => {
    expect(underlined("let x = crosses_above(a, b)", [problem(1, 16)], 1)).toBe("_above");
  });

  it("marks a column past the end of the line without losing the text", () => {
    const [line] = buildLines("when x > 1", [problem(1, 11, "expected ':'")]);
    expect(line.problems[0]).toMatchObject({ pastEnd: true, start: 10, end: 10 });
    expect(line.pieces.map((p) => p.text).join("")).toBe("when x > 1");
  });

  it("counts columns in characters as Python does, beyond the basic plane too", () => {
    expect(columnOffset("가나다 x", 5)).toBe(4);
    expect(columnOffset("😀 x", 3)).toBe(3);
    expect(underlined('description "😀" x', [problem(1, 17)], 1)).toBe("x");
  });

  it("clamps a line beyond the text onto the last line", () => {
    const lines = buildLines("a\nb", [problem(9, 1)]);
    expect(lines[1].problems).toHaveLength(1);
  });
});

describe("the editor", () => {
  afterEach(cleanup);
  it("shows each message next to its line, naming the line", () => {
    useLocale.setState({ locale: "en" });
    render(<CodeEditor value={PROGRAM} onChange={() => {}} problems={[problem(4, 40, "unexpected 'buy'")]} label="code" />);
    const [message] = screen.getAllByTestId("editor-error");
    expect(message.dataset.line).toBe("4");
    expect(message.textContent).toContain("line 4, col 40");
    expect(message.textContent).toContain("unexpected 'buy'");
    // drawn inside the fourth line of the highlighted copy, after the text
    const line = message.parentElement!;
    expect(line.textContent?.startsWith("when position == 0 and rsi(close) < 30 buy 10 shares")).toBe(true);
    expect([...line.parentElement!.children].indexOf(line)).toBe(3);
    expect(line.querySelector(".decoration-wavy")?.textContent).toBe("buy");
  });

  it("colours the text it draws and keeps it identical to the textarea's", () => {
    render(<CodeEditor value={PROGRAM} onChange={() => {}} problems={[]} label="code" />);
    const pre = screen.getByTestId("editor-highlight");
    expect([...pre.children].map((l) => l.textContent).join("\n")).toBe(PROGRAM);
    expect(pre.querySelector('[data-kind="keyword"]')?.textContent).toBe("strategy");
    expect((screen.getByTestId("strategy-editor") as HTMLTextAreaElement).value).toBe(PROGRAM);
    expect(screen.queryAllByTestId("editor-error")).toHaveLength(0);
  });
});
