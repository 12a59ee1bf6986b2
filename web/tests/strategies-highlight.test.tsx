import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FUNCTIONS, KEYWORDS, SERIES, tokenize, type Token } from "@/components/strategies/highlight";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const repo = (path: string) => readFileSync(resolve(root, path), "utf8");
const significant = (line: Token[]) => line.filter((t) => t.kind !== "space").map((t) => [t.kind, t.text]);

describe("the strategy language highlighter", () => {
  it("tells keywords, built-ins, names, numbers and operators apart", () => {
    const [line] = tokenize("when position == 0 and crosses_above(fast_ma, 3.5): buy 10 shares");
    expect(significant(line)).toEqual([
      ["keyword", "when"],
      ["series", "position"],
      ["operator", "=="],
      ["number", "0"],
      ["keyword", "and"],
      ["function", "crosses_above"],
      ["punct", "("],
      ["name", "fast_ma"],
      ["punct", ","],
      ["number", "3.5"],
      ["punct", ")"],
      ["punct", ":"],
      ["keyword", "buy"],
      ["number", "10"],
      ["keyword", "shares"],
    ]);
  });

  it("reads percents, grouped digits, times, intervals and codes as the lexer does", () => {
    const lines = tokenize("param sl = 3% in 1%..5% step 0.5%\nparam budget = 1_000_000 KRW\ntimeframe 5m\nuniverse [005930, 0037T0]\nwhen time between 09:05 and 15:00: close");
    expect(significant(lines[0]).filter(([k]) => k === "number").map(([, t]) => t)).toEqual(["3%", "1%", "5%", "0.5%"]);
    expect(significant(lines[0])).toContainEqual(["operator", ".."]);
    expect(significant(lines[1])).toContainEqual(["number", "1_000_000"]);
    expect(significant(lines[1])).toContainEqual(["keyword", "KRW"]);
    expect(significant(lines[2])).toContainEqual(["number", "5m"]);
    expect(significant(lines[3])).toEqual([
      ["keyword", "universe"],
      ["punct", "["],
      ["code", "005930"],
      ["punct", ","],
      ["code", "0037T0"],
      ["punct", "]"],
    ]);
    expect(significant(lines[4]).filter(([k]) => k === "time").map(([, t]) => t)).toEqual(["09:05", "15:00"]);
    expect(significant(lines[4])).toContainEqual(["series", "time"]);
  });

  it("colours comments and strings to their end, Korean included", () => {
    const [a, b] = tokenize('description "골든크로스 # 매수"  # 설명 "quoted"\n# whole line');
    expect(significant(a)).toEqual([
      ["keyword", "description"],
      ["string", '"골든크로스 # 매수"'],
      ["comment", '# 설명 "quoted"'],
    ]);
    expect(significant(b)).toEqual([["comment", "# whole line"]]);
  });

  it("reads close as the action after a rule's colon, even on the next line", () => {
    const lines = tokenize("when close > open:\n    close\nwhen x: sell all");
    expect(significant(lines[0])[1]).toEqual(["series", "close"]);
    expect(significant(lines[1])).toEqual([["keyword", "close"]]);
  });

  it("keeps every token's text and offset, so the colours line up with the text", () => {
    const source = repo("examples/strategies/opening_range_breakout.jts");
    const lines = tokenize(source);
    source.split("\n").forEach((text, i) => {
      expect(lines[i].map((t) => t.text).join("")).toBe(text);
      let at = 0;
      for (const token of lines[i]) {
        expect(token.start).toBe(at);
        at += token.text.length;
      }
    });
    expect(lines.flat().some((t) => t.kind === "unknown")).toBe(false);
  });

  it("knows every keyword of the grammar and every built-in of builtins.py", () => {
    const grammar = repo("src/jts/strategy/lang/grammar.py");
    const body = grammar.slice(grammar.indexOf('GRAMMAR: Final = r"""'), grammar.indexOf('"""\n\nFRIENDLY'));
    const words = new Set([...body.matchAll(/"([A-Za-z_]+)"/g)].map((m) => m[1]));
    expect(words.size).toBeGreaterThan(40);
    // `close` is a keyword only after a rule's colon: a series everywhere else
    for (const word of words) expect(KEYWORDS.has(word) || word === "close", word).toBe(true);
    const builtins = repo("src/jts/strategy/lang/builtins.py");
    const functions = [...builtins.matchAll(/Function\(\s*"([a-z_]+)"/g)].map((m) => m[1]);
    const series = [...builtins.matchAll(/Series\(\s*"([a-z_]+)"/g)].map((m) => m[1]);
    expect(new Set(functions)).toEqual(FUNCTIONS);
    expect(new Set(series)).toEqual(SERIES);
  });
});
