// The strategy language's tokens, for colouring the editor. It mirrors the lexer of
// src/jts/strategy/lang/grammar.py (terminals and keywords) and the built-in names of
// builtins.py; tests/strategies-highlight.test.tsx reads both files and fails when a keyword
// or a built-in is missing here. Tokens never span lines (strings are one line, comments end
// at the newline), so the result is a list of lines, each a list of tokens.

export type TokenKind =
  | "keyword"
  | "function"
  | "series"
  | "number"
  | "time"
  | "code"
  | "string"
  | "comment"
  | "operator"
  | "punct"
  | "name"
  | "space"
  | "unknown";

/** One token: `start` is its UTF-16 offset within its line. */
export type Token = { kind: TokenKind; text: string; start: number };

/** Every word the grammar reserves somewhere (statement keywords, actions, units, markets). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "strategy", "description", "version", "param", "in", "step", "universe", "all", "index",
  "timeframe", "day", "let", "when", "buy", "sell", "target", "of", "equity", "shares", "at",
  "market", "limit", "round", "stop", "loss", "take", "profit", "trailing", "flat", "end",
  "select", "by", "rebalance", "daily", "weekly", "monthly", "every", "bars", "if", "then",
  "else", "or", "and", "not", "between", "true", "false", "KRW", "KOSPI", "KOSDAQ", "KONEX",
  "top", "bottom", "down", "up", "nearest",
]);

/** Indicators and functions (builtins.FUNCTIONS). */
export const FUNCTIONS: ReadonlySet<string> = new Set([
  "sma", "ema", "wma", "rsi", "macd", "bollinger", "atr", "stochastic", "vwap", "highest",
  "lowest", "roc", "stdev", "obv", "crosses_above", "crosses_below", "rising", "falling",
  "value_when", "abs", "min", "max",
]);

/** Built-in series (builtins.SERIES). */
export const SERIES: ReadonlySet<string> = new Set([
  "open", "high", "low", "close", "volume", "value", "time", "first_bar_of_day", "bar_of_day",
  "last_bar_of_day", "day_of_week", "days_to_year_end", "position", "entry_price",
  "bars_since_entry", "unrealized_pnl_pct", "selected", "rank", "rebalancing",
]);

// Order matters: the grammar gives TIME, INTERVAL and CODE priority over NUMBER and NAME.
const RULES: ReadonlyArray<[TokenKind, RegExp]> = [
  ["space", /[ \t\f\r]+/y],
  ["comment", /#.*/y],
  ["string", /"[^"\n]*"?/y],
  ["time", /[0-9]{2}:[0-9]{2}(?![0-9])/y],
  ["number", /[0-9]+m(?![A-Za-z0-9_])/y], // a bar interval (1m, 5m)
  ["code", /[0-9A-Z]{6}(?![A-Za-z0-9_])/y],
  ["number", /[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?%?/y],
  ["name", /[A-Za-z_][A-Za-z0-9_]*/y],
  ["operator", /<=|>=|==|!=|\.\.|[<>+\-*/=%]/y],
  ["punct", /[()[\],.:]/y],
];

function wordKind(word: string, previous: Token | undefined): TokenKind {
  // `close` is the close-position action right after `when <condition>:`, a series elsewhere.
  if (word === "close" && previous?.text === ":") return "keyword";
  if (KEYWORDS.has(word)) return "keyword";
  if (FUNCTIONS.has(word)) return "function";
  if (SERIES.has(word)) return "series";
  return "name";
}

/** The tokens of `source`, line by line (lines split on "\n"). */
export function tokenize(source: string): Token[][] {
  let previous: Token | undefined; // the last token that is not space or comment
  return source.split("\n").map((line) => {
    const tokens: Token[] = [];
    let at = 0;
    while (at < line.length) {
      let token: Token | null = null;
      for (const [kind, pattern] of RULES) {
        pattern.lastIndex = at;
        const found = pattern.exec(line);
        if (found && found[0].length > 0) {
          token = { kind, text: found[0], start: at };
          break;
        }
      }
      token ??= { kind: "unknown", text: line[at], start: at };
      if (token.kind === "name") token.kind = wordKind(token.text, previous);
      // A code is only a code where one is expected; all-digit ones read as numbers elsewhere.
      if (token.kind === "code" && /^[0-9]+$/.test(token.text) && previous?.text !== "[" && previous?.text !== ",") {
        token.kind = "number";
      }
      if (token.kind !== "space" && token.kind !== "comment") previous = token;
      tokens.push(token);
      at += token.text.length;
    }
    return tokens;
  });
}

/** Tailwind classes of each kind, light and dark. */
export const TOKEN_CLASS: Record<TokenKind, string> = {
  keyword: "text-violet-700 dark:text-violet-300 font-semibold",
  function: "text-sky-700 dark:text-sky-300",
  series: "text-teal-700 dark:text-teal-300",
  number: "text-amber-700 dark:text-amber-300",
  time: "text-amber-700 dark:text-amber-300",
  code: "text-emerald-700 dark:text-emerald-300",
  string: "text-emerald-700 dark:text-emerald-300",
  comment: "text-neutral-500 italic dark:text-slate-500",
  operator: "text-rose-700 dark:text-rose-300",
  punct: "text-neutral-600 dark:text-slate-400",
  name: "text-neutral-900 dark:text-slate-100",
  space: "",
  unknown: "text-red-600 dark:text-red-400",
};
