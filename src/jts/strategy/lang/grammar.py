"""The grammar of the strategy language (lark, LALR(1), contextual lexer).

Statements start with a keyword and need no separator; newlines are whitespace. Keywords are
reserved only where the grammar expects them, so `close` is the close-price series in an
expression and the close-position action right after `when <condition>:`. `FRIENDLY` names
the terminals in error messages.
"""

from __future__ import annotations

from typing import Final

GRAMMAR: Final = r"""
start: _statement*

_statement: strategy_decl | description_decl | version_decl | param_decl | universe_decl
          | timeframe_decl | let_decl | rule_decl | exit_decl | flat_decl | select_decl

strategy_decl: "strategy" STRING
description_decl: "description" STRING
version_decl: "version" STRING
param_decl: "param" NAME "=" expr ["in" expr ".." expr ["step" expr]]

universe_decl: "universe" "all"                      -> universe_all
             | "universe" MARKET ("," MARKET)*       -> universe_markets
             | "universe" "[" CODE ("," CODE)* "]"   -> universe_codes
             | "universe" "index" STRING             -> universe_index

timeframe_decl: "timeframe" INTERVAL                 -> timeframe_minutes
              | "timeframe" "day"                    -> timeframe_day

let_decl: "let" NAME "=" expr

rule_decl: "when" expr ":" action
action: "buy" size [order]                           -> buy
      | "sell" size [order]                          -> sell
      | "sell" "all" [order]                         -> sell_all
      | "close" [order]                              -> close_position
      | "target" expr "of" "equity" [order]          -> target
size: expr "shares"                                  -> size_shares
    | expr "of" "equity"                             -> size_equity
    | expr                                           -> size_amount
order: "at" "market"                                 -> at_market
     | "at" "limit" expr ["round" ROUNDING]          -> at_limit

exit_decl: "stop" "loss" expr                        -> stop_loss
         | "take" "profit" expr                      -> take_profit
         | "trailing" "stop" expr                    -> trailing_stop
flat_decl: "flat" "at" TIME                          -> flat_at_time
         | "flat" "at" "end" "of" "day"              -> flat_at_day_end

select_decl: "select" DIRECTION expr "by" expr "rebalance" schedule
schedule: "daily"                                    -> daily
        | "weekly"                                   -> weekly
        | "monthly"                                  -> monthly
        | "every" expr "bars"                        -> every_bars

?expr: or_expr
     | "if" expr "then" expr "else" expr             -> if_else
?or_expr: and_expr
        | or_expr "or" and_expr                      -> or_op
?and_expr: not_expr
         | and_expr "and" not_expr                   -> and_op
?not_expr: cmp_expr
         | "not" not_expr                            -> not_op
?cmp_expr: sum_expr
         | sum_expr CMP sum_expr                     -> compare
         | sum_expr "between" sum_expr "and" sum_expr -> between
?sum_expr: product
         | sum_expr (PLUS | MINUS) product           -> arith
?product: unary
        | product (STAR | SLASH) unary               -> arith
?unary: postfix
      | MINUS unary                                  -> neg
?postfix: atom
        | postfix "[" expr "]"                       -> lookback
        | postfix "." NAME                           -> field
        | NAME "(" [arg ("," arg)*] ")"              -> call
?arg: expr
    | NAME "=" expr                                  -> kwarg
?atom: NUMBER                                        -> number
     | NUMBER "%"                                    -> percent
     | NUMBER "KRW"                                  -> krw
     | TIME                                          -> time
     | "true"                                        -> true
     | "false"                                       -> false
     | NAME                                          -> name
     | "(" expr ")"

MARKET: "KOSPI" | "KOSDAQ" | "KONEX"
DIRECTION: "top" | "bottom"
ROUNDING: "down" | "up" | "nearest"
CMP: "<=" | ">=" | "==" | "!=" | "<" | ">"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /[0-9]+(_[0-9]+)*(\.[0-9]+(_[0-9]+)*)?/
TIME.2: /[0-9]{2}:[0-9]{2}(?![0-9])/
INTERVAL.2: /[0-9]+m(?![A-Za-z0-9_])/
CODE.2: /[0-9A-Z]{6}(?![A-Za-z0-9_])/
STRING: /"[^"\n]*"/
COMMENT: /#[^\n]*/

%ignore /[ \t\f\r\n]+/
%ignore COMMENT
"""

FRIENDLY: Final = {
    "NAME": "a name",
    "NUMBER": "a number",
    "TIME": "a time like 09:05",
    "INTERVAL": "a bar interval like 1m or 5m",
    "CODE": "a 6-character code like 005930",
    "STRING": 'a "quoted string"',
    "MARKET": "KOSPI, KOSDAQ or KONEX",
    "DIRECTION": "'top' or 'bottom'",
    "ROUNDING": "'down', 'up' or 'nearest'",
    "CMP": "a comparison (<, <=, >, >=, ==, !=)",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "$END": "the end of the program",
}
"""Error-message names of the named terminals; keywords and symbols show as themselves."""

OPERATORS: Final = frozenset({"CMP", "PLUS", "MINUS", "STAR", "SLASH", "between", "[", "."})
"""Terminals (by name or literal) folded into "an operator" when several are expected."""

STATEMENT_KEYWORDS: Final = (
    "strategy",
    "description",
    "version",
    "param",
    "universe",
    "timeframe",
    "let",
    "when",
    "stop",
    "take",
    "trailing",
    "flat",
    "select",
)
