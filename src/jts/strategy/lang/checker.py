"""`syntax.Module` → `ast.Program`: every name, type, arity, unit and limit checked.

Parameters are visible everywhere; a `let` is visible from the statement after it on, so no
name can depend on itself. Problems are collected (up to `limits.MAX_ERRORS`, in source order)
and raised together as one `DslTypeError`.
"""

from __future__ import annotations

from dataclasses import replace

from jts.strategy.lang import syntax as s
from jts.strategy.lang.ast import (
    Action,
    ActionKind,
    Exit,
    ExitKind,
    ExitMode,
    Flat,
    Let,
    Order,
    OrderKind,
    Param,
    Program,
    Rounding,
    Rule,
    ScheduleKind,
    Selection,
    Size,
    SizeKind,
    Universe,
    UniverseKind,
)
from jts.strategy.lang.declcheck import (
    check_name,
    check_param,
    check_string,
    check_timeframe,
    check_universe,
)
from jts.strategy.lang.env import Env
from jts.strategy.lang.errors import DslTypeError
from jts.strategy.lang.expr import Expr, Number, Span
from jts.strategy.lang.exprcheck import ExprChecker
from jts.strategy.lang.limits import (
    MAX_ERRORS,
    MAX_GRID_POINTS,
    MAX_LETS,
    MAX_LOOKBACK,
    MAX_NODES,
    MAX_PARAMS,
    MAX_RULES,
    MAX_SELECT,
)
from jts.strategy.lang.typesys import Kind, Unit

_SINGLE = (s.StrategyDecl, s.UniverseDecl, s.TimeframeDecl, s.FlatDecl, s.SelectDecl)
_SINGLE_WORDS = {
    s.StrategyDecl: "strategy",
    s.UniverseDecl: "universe",
    s.TimeframeDecl: "timeframe",
    s.FlatDecl: "flat",
    s.SelectDecl: "select",
}
_WHOLE = Span(1, 1, 1, 2)
"""Where errors about the program as a whole point."""
_DEFAULT_ROUNDING = {
    ActionKind.BUY: Rounding.DOWN,
    ActionKind.SELL: Rounding.UP,
    ActionKind.CLOSE: Rounding.UP,
    ActionKind.TARGET: Rounding.PASSIVE,
}
_PRICE_UNITS = (Unit.KRW, Unit.PLAIN)
_SIZE_UNITS = {
    SizeKind.SHARES: (Unit.PLAIN, "a number of shares (10 shares, qty shares)"),
    SizeKind.KRW: (Unit.KRW, "in KRW (1_000_000 KRW) when it has no `shares` or `of equity`"),
    SizeKind.EQUITY_PERCENT: (Unit.PERCENT, "a percent of equity (10% of equity)"),
    SizeKind.TARGET_PERCENT: (Unit.PERCENT, "a percent of equity (target 10% of equity)"),
}


def check(module: s.Module, source: str) -> Program:
    """Type-check a parsed program; raises `DslTypeError` listing every problem found."""
    return _ProgramChecker(module, source).run()


class _ProgramChecker:
    def __init__(self, module: s.Module, source: str) -> None:
        self.module = module
        self.source = source
        statements = module.statements
        self.singles = {kind: [x for x in statements if isinstance(x, kind)] for kind in _SINGLE}
        timeframes = [x for x in statements if isinstance(x, s.TimeframeDecl)]
        intraday = not timeframes or timeframes[0].minutes is not None
        self.env = Env(source, {}, intraday, bool(self.singles[s.SelectDecl]))
        self.exprs = ExprChecker(self.env)
        self.lets: list[Let] = []
        self.rules: list[Rule] = []
        self.exits: list[Exit] = []
        self.selection: Selection | None = None

    def run(self) -> Program:
        self._singletons()
        meta = self._metadata()
        universe = self._universe()
        timeframe = self._timeframe()
        self._params()
        for stmt in self.module.statements:
            self._statement(stmt)
        flat = self._flat()
        params = self._bounded_params()
        self._limits(params)
        if self.env.diagnostics:
            ordered = sorted(self.env.diagnostics, key=lambda d: (d.line, d.column))
            raise DslTypeError(ordered[:MAX_ERRORS])
        assert universe is not None
        return Program(
            name=meta.get("strategy", ""),
            description=meta.get("description", ""),
            version=meta.get("version", ""),
            params=params,
            universe=universe,
            timeframe=timeframe,
            lets=tuple(self.lets),
            rules=tuple(self.rules),
            exits=tuple(self.exits),
            flat=flat,
            selection=self.selection,
            bindings=tuple((p.name, p.default) for p in params),
            source=self.source,
        )

    def _error(self, span: Span, message: str) -> None:
        self.env.error(span, message)

    def _singletons(self) -> None:
        for kind, found in self.singles.items():
            word = _SINGLE_WORDS[kind]
            for extra in found[1:]:
                self._error(extra.span, f"a second `{word}` statement (one is allowed)")
        for kind, example in (
            (s.StrategyDecl, 'strategy "my strategy"'),
            (s.UniverseDecl, "universe all"),
            (s.TimeframeDecl, "timeframe 1m"),
        ):
            if not self.singles[kind]:
                self._missing(f"`{_SINGLE_WORDS[kind]}` statement (e.g. {example})")
        if not any(isinstance(x, s.RuleDecl) for x in self.module.statements):
            self._missing("rule: add `when <condition>: <action>`")

    def _missing(self, what: str) -> None:
        self._error(_WHOLE, f"missing {what}")

    def _metadata(self) -> dict[str, str]:
        meta: dict[str, str] = {}
        for stmt in self.module.statements:
            if isinstance(stmt, s.StrategyDecl | s.MetaDecl):
                key = stmt.key if isinstance(stmt, s.MetaDecl) else "strategy"
                value = stmt.value if isinstance(stmt, s.MetaDecl) else stmt.name
                if key in meta and key != "strategy":
                    self._error(stmt.span, f"a second `{key}` statement (one is allowed)")
                if key == "strategy" and not value.strip():
                    self._error(stmt.span, "the strategy name is empty")
                meta.setdefault(key, check_string(self.env, value, stmt.span, key))
        return meta

    def _universe(self) -> Universe | None:
        found = self.singles[s.UniverseDecl]
        if not found:
            return Universe(kind=UniverseKind.ALL)
        assert isinstance(found[0], s.UniverseDecl)
        return check_universe(self.env, found[0].universe)

    def _timeframe(self) -> str:
        found = self.singles[s.TimeframeDecl]
        if not found:
            return "1m"
        assert isinstance(found[0], s.TimeframeDecl)
        return check_timeframe(self.env, found[0])

    def _params(self) -> None:
        seen = self.env.params
        for stmt in self.module.statements:
            if not isinstance(stmt, s.ParamDecl):
                continue
            if stmt.name in seen:
                self._error(stmt.span, f"param '{stmt.name}' is declared twice")
                continue
            param = check_param(self.env, stmt)
            if param is not None:
                seen[stmt.name] = param
        self.env.let_lines = {
            x.name: x.span.line for x in self.module.statements if isinstance(x, s.LetDecl)
        }

    def _statement(self, stmt: s.Statement) -> None:
        if isinstance(stmt, s.LetDecl):
            self._let(stmt)
        elif isinstance(stmt, s.RuleDecl):
            self._rule(stmt)
        elif isinstance(stmt, s.ExitDecl):
            self._exit(stmt)
        elif isinstance(stmt, s.SelectDecl):
            self._select(stmt)

    def _typed(self, expr: Expr) -> Expr:
        self.exprs.used_selection = False
        return self.exprs.check(expr)

    def _let(self, stmt: s.LetDecl) -> None:
        name = stmt.name
        expr = self._typed(stmt.expr)
        if name in self.env.lets or name in self.env.params:
            self._error(stmt.span, f"'{name}' is already defined")
            return
        if check_name(self.env, name, stmt.span, "let"):
            self.env.lets[name] = expr.type
            self.env.let_uses_selection[name] = self.exprs.used_selection
            self.lets.append(Let(name=name, expr=expr, span=stmt.span))

    def _rule(self, stmt: s.RuleDecl) -> None:
        condition = self._typed(stmt.condition)
        if not condition.type.is_error and condition.type.kind is not Kind.BOOL:
            self._error(condition.span, f"a rule needs a condition, not a {condition.type}")
        action = self._action(stmt.action)
        self.rules.append(Rule(condition=condition, action=action, span=stmt.span))

    def _action(self, action: Action) -> Action:
        size = action.size
        if size.amount is not None:
            amount = self._typed(size.amount)
            unit, what = _SIZE_UNITS[size.kind]
            if self._need_number(amount, unit, f"the size must be {what}"):
                self._check_size_literal(size.kind, amount)
            size = Size(kind=size.kind, amount=amount)
        order = action.order
        if order.kind is OrderKind.LIMIT and order.price is not None:
            price = self._typed(order.price)
            t = price.type
            if not t.is_error and (t.kind is not Kind.NUMBER or t.unit not in _PRICE_UNITS):
                self._error(price.span, f"a limit price must be a KRW price, not a {t}")
            rounding = order.rounding or _DEFAULT_ROUNDING[action.kind]
            order = Order(kind=OrderKind.LIMIT, price=price, rounding=rounding)
        return replace(action, size=size, order=order)

    def _need_number(self, expr: Expr, unit: Unit, message: str) -> bool:
        t = expr.type
        if t.is_error:
            return False
        if t.kind is not Kind.NUMBER or t.unit is not unit:
            self._error(expr.span, f"{message}, not a {t}")
            return False
        return True

    def _check_size_literal(self, kind: SizeKind, amount: Expr) -> None:
        if kind is SizeKind.SHARES and not amount.type.integer and not amount.type.is_series:
            self._error(amount.span, "shares are whole: use a whole number or an int param")
        if isinstance(amount, Number) and amount.value <= 0 and kind is not SizeKind.TARGET_PERCENT:
            self._error(amount.span, "a size must be above 0 (use sell or close to reduce)")
        if isinstance(amount, Number) and kind is SizeKind.TARGET_PERCENT and amount.value < 0:
            self._error(amount.span, "a target must be 0% or more (long only)")

    def _exit(self, stmt: s.ExitDecl) -> None:
        distance = self._typed(stmt.distance)
        words = stmt.kind.value.replace("_", " ")
        if any(e.kind is stmt.kind for e in self.exits):
            self._error(stmt.span, f"a second `{words}` (one is allowed)")
        t = distance.type
        mode = ExitMode.PERCENT if t.unit is Unit.PERCENT else ExitMode.PRICE
        if not t.is_error and (t.kind is not Kind.NUMBER or t.unit not in (Unit.PERCENT, Unit.KRW)):
            self._error(
                distance.span,
                f"{words} needs a percent (3%) or a KRW distance (2 * atr(14), 500 KRW), not a {t}",
            )
        elif isinstance(distance, Number) and distance.value <= 0:
            self._error(distance.span, f"{words} must be above 0")
        elif (
            isinstance(distance, Number)
            and mode is ExitMode.PERCENT
            and stmt.kind is not ExitKind.TAKE_PROFIT
            and distance.value >= 1
        ):
            self._error(distance.span, f"{words} of 100% or more never triggers")
        self.exits.append(Exit(kind=stmt.kind, distance=distance, mode=mode, span=stmt.span))

    def _flat(self) -> Flat | None:
        found = self.singles[s.FlatDecl]
        if not found:
            return None
        decl = found[0]
        assert isinstance(decl, s.FlatDecl)
        if not self.env.intraday:
            self._error(decl.span, "`flat` needs an intraday timeframe (timeframe 1m, 5m, ...)")
        if decl.time is None:
            return Flat(minute=None, span=decl.span)
        self.exprs.check(decl.time)
        return Flat(minute=decl.time.minute, span=decl.span)

    def _select(self, stmt: s.SelectDecl) -> None:
        if self.selection is not None:
            return
        count = self.exprs.count(stmt.count, "select's count", 1, MAX_SELECT)
        self.exprs.forbid_selection = True
        by = self._typed(stmt.by)
        self.exprs.forbid_selection = False
        t = by.type
        if not t.is_error and (t.kind is not Kind.NUMBER or not t.is_series):
            self._error(by.span, f"select ranks by a numeric series (roc(close, 20)), not a {t}")
        every = None
        if stmt.schedule is ScheduleKind.EVERY_N_BARS and stmt.every is not None:
            every = self.exprs.count(stmt.every, "a rebalance interval", 1, MAX_LOOKBACK)
        self.selection = Selection(
            direction=stmt.direction,
            count=count,
            by=by,
            schedule=stmt.schedule,
            every=every,
            span=stmt.span,
        )

    def _bounded_params(self) -> tuple[Param, ...]:
        """Params with the bounds their uses impose (checked on later overrides)."""
        out = []
        for param in self.env.params.values():
            low, high = self.env.param_bounds.get(param.name, (None, None))
            out.append(
                replace(
                    param,
                    minimum=low,
                    maximum=high if high is not None and high != float("inf") else None,
                )
            )
        return tuple(out)

    def _limits(self, params: tuple[Param, ...]) -> None:
        statements = self.module.statements
        for kind, limit, word in (
            (s.ParamDecl, MAX_PARAMS, "params"),
            (s.LetDecl, MAX_LETS, "lets"),
            (s.RuleDecl, MAX_RULES, "rules"),
        ):
            found = [x for x in statements if isinstance(x, kind)]
            if len(found) > limit:
                self._error(found[limit].span, f"too many {word}: at most {limit}")
        if self.exprs.nodes > MAX_NODES:
            self._error(_WHOLE, f"program too large: over {MAX_NODES:,} expression nodes")
        grid = 1
        for param in params:
            grid *= param.sweep_count()
            if grid > MAX_GRID_POINTS:
                self._error(
                    param.span, f"with this param the sweep passes {MAX_GRID_POINTS:,} combinations"
                )
                break
