"""What a backtest or sweep job asks for, checked at submit, and turned into the backtester's
inputs: the compiled program, a `BacktestConfig` and the loaded bars.

Params are typed `msgspec` structs that refuse unknown fields, so a typo (`"csh": 1000`) is a
422 naming the field instead of a default silently used. A msgspec error says where the
problem is as a JSON path (`$.data.days`); `convert` turns that into an `InvalidInput` whose
field is the dotted param name (`data.days`), the shape every other JTS refusal has.

A strategy is program text (`strategy`) or the name of a `.jts` file in the configured
strategy folder (`example`). Python-API strategies are not accepted: a job request comes over
the network, and importing a `.py` file it names or carries would run arbitrary code.

Data is the configured store (`"store"`, the default), or a small synthetic market generated
for the job (`{"source": "synth", ...}`): deterministic by seed, so a demo or a test runs a
real backtest with nothing downloaded. Codes the run names (`symbols`, or a program's
`universe [005930, ...]`) are made part of the synthetic universe.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar

import msgspec

from jts.backtest import BacktestConfig, FillModel, LoadedBars, load_bars
from jts.core.codes import normalize_symbol
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.jobs.kinds.config import KindsConfig
from jts.marketdata.frames import BarFrame
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import SynthSpec, make_universe, minute_bars
from jts.strategy.lang import Program, compile_program
from jts.strategy.lang.ast import UniverseKind

__all__ = [
    "MAX_SYNTH_DAYS",
    "MAX_SYNTH_SYMBOLS",
    "RunParams",
    "SynthData",
    "backtest_config",
    "check_run",
    "convert",
    "invalid",
    "load",
    "program_of",
    "report_path",
]

S = TypeVar("S", bound=msgspec.Struct)

MAX_SYNTH_SYMBOLS: Final = 50
MAX_SYNTH_DAYS: Final = 60
"""A synthetic market for one job is at most 50 symbols × 60 days (~1.1 M minute bars, a few
hundred MB while it runs): enough for a demo, too small to exhaust a server by request."""
MAX_SOURCE: Final = 100_000
"""Characters of program text a request may carry."""

_AT: Final = re.compile(r"^(?P<problem>.*) - at `\$\.?(?P<path>[^`]*)`$")
_NAME: Final = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")


class SynthData(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="synth",
    tag_field="source",
):  # fmt: skip
    """A synthetic market made for the job: `symbols` instruments, `days` trading days of
    minute bars from `start` (default: ending on the last trading day), under `seed`."""

    symbols: Annotated[int, msgspec.Meta(ge=1, le=MAX_SYNTH_SYMBOLS)] = 5
    days: Annotated[int, msgspec.Meta(ge=1, le=MAX_SYNTH_DAYS)] = 5
    seed: Annotated[int, msgspec.Meta(ge=0)] = 1
    start: dt.date | None = None


class RunParams(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The params every backtest-like job shares; units and meanings as `jts backtest`."""

    strategy: Annotated[str, msgspec.Meta(max_length=MAX_SOURCE)] | None = None
    """Program text in the JTS strategy language."""
    example: str | None = None
    """Or: the name of a .jts file in the strategy folder (`sma_cross`)."""
    params: dict[str, int | float] = msgspec.field(default_factory=dict)
    """Program params to bind (`{"fast": 8}`)."""
    data: Literal["store"] | SynthData = "store"
    symbols: list[str] | None = None
    """Codes to run on, replacing the program's universe."""
    start: dt.date | None = None
    end: dt.date | None = None
    timeframe: str | None = None
    fill: str = "next_open"
    costs: str = "krx"
    cash: Annotated[int, msgspec.Meta(gt=0)] = 100_000_000
    """Initial cash, KRW."""
    slippage_ticks: Annotated[int, msgspec.Meta(ge=0)] = 0
    participation: float | None = None
    commission_rate: float | None = None
    settlement: bool = False
    record: bool = True
    """Record the run under `<data_dir>/runs/` (listed by `jts backtests`)."""


def convert(params: Mapping[str, Any], kind: type[S]) -> S:
    """`params` as a `kind` struct; a mismatch is `InvalidInput` naming the param."""
    try:
        return msgspec.convert(params, kind)
    except msgspec.ValidationError as exc:
        raise invalid(exc) from None


def invalid(exc: msgspec.ValidationError) -> InvalidInput:
    """A msgspec validation error as `InvalidInput`: `$.data.days` becomes field `data.days`."""
    text = str(exc)
    found = _AT.match(text)
    if found is None:
        return InvalidInput("params", text)
    return InvalidInput(found["path"] or "params", found["problem"])


def check_run(spec: RunParams, config: KindsConfig, engine: str = "vector") -> dict[str, Any]:
    """Everything about a run that can be checked without data; the params with codes
    normalized and defaults filled in, as JSON builtins (what the job stores)."""
    program = program_of(spec, config)
    backtest_config(spec, config, engine)
    if spec.start is not None and spec.end is not None and spec.start > spec.end:
        raise InvalidInput("start", f"{spec.start} is after end {spec.end}")
    symbols = _symbols(spec)
    if isinstance(spec.data, SynthData):
        codes = tuple(symbols or _program_codes(program))
        if len(codes) > MAX_SYNTH_SYMBOLS:
            raise InvalidInput("symbols", f"a synthetic market has at most {MAX_SYNTH_SYMBOLS}")
        _synth_spec(spec.data, codes).first_day()  # the days must fit the calendar
    clean: dict[str, Any] = msgspec.to_builtins(spec)
    return clean | {"symbols": symbols}


def program_of(spec: RunParams, config: KindsConfig) -> Program:
    """The compiled program with `spec.params` bound (`DslError` names line and column)."""
    if (spec.strategy is None) == (spec.example is None):
        raise InvalidInput("strategy", "give exactly one of strategy (program text) or example")
    text = spec.strategy if spec.strategy is not None else _example(spec.example or "", config)
    return compile_program(text, params=spec.params or None)


def backtest_config(spec: RunParams, config: KindsConfig, engine: str = "vector") -> BacktestConfig:
    """The backtest options (`InvalidInput` for an unknown fill, cost model or engine)."""
    rate = spec.commission_rate
    if rate is not None and not 0 <= rate < 1:
        raise InvalidInput("commission_rate", f"{rate} is not a fraction in [0, 1)")
    return BacktestConfig(
        engine=engine,
        fill=FillModel(spec.fill, spec.slippage_ticks, spec.participation),
        costs=spec.costs,
        commission_rate=config.commission_rate if rate is None else Decimal(str(rate)),
        cash=spec.cash,
        settlement=spec.settlement,
    )


def load(spec: RunParams, program: Program, config: KindsConfig) -> LoadedBars:
    """The bars of the run: from the store, or a synthetic market made now."""
    options: dict[str, Any] = {
        "program": program,
        "symbols": _symbols(spec),
        "start": spec.start,
        "end": spec.end,
        "timeframe": spec.timeframe,
        "strategy_dir": config.strategy_dir,
    }
    if isinstance(spec.data, SynthData):
        codes = tuple(options["symbols"] or _program_codes(program))
        bars, universe = _synth_bars(spec.data, codes)
        return load_bars(bars, instruments={i.symbol: i for i in universe}, **options)
    if not ParquetStore(config.data_dir).datasets():
        raise InvalidInput("data", f"the store {config.data_dir} holds no bars: backfill first")
    return load_bars(config.data_dir, **options)


def _example(name: str, config: KindsConfig) -> str:
    folder = config.strategy_dir
    if folder is None:
        raise InvalidInput("example", "no strategy folder is configured: send the program text")
    if not _NAME.match(name):
        raise InvalidInput("example", f"{name!r} is not a strategy name (letters, digits, _ -)")
    path = folder / f"{name}.jts"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.jts"))) or "none"
        raise InvalidInput("example", f"no strategy {name!r}; known: {known}")
    return path.read_text(encoding="utf-8-sig")


def _symbols(spec: RunParams) -> list[str] | None:
    if spec.symbols is None:
        return None
    codes = list(dict.fromkeys(normalize_symbol(code) for code in spec.symbols))
    if not codes:
        raise InvalidInput("symbols", "no codes given (leave it out to use the universe)")
    return codes


def _program_codes(program: Program) -> list[str]:
    universe = program.universe
    if universe.kind is not UniverseKind.CODES:
        return []
    return [normalize_symbol(code) for code in universe.items]


def _synth_spec(data: SynthData, codes: tuple[str, ...]) -> SynthSpec:
    size = max(data.symbols, len(codes))
    return SynthSpec(symbols=size, days=data.days, seed=data.seed, start=data.start, codes=codes)


def _synth_bars(data: SynthData, codes: tuple[str, ...]) -> tuple[BarFrame, list[Instrument]]:
    synth = _synth_spec(data, codes)
    universe = make_universe(synth.symbols, seed=synth.seed, codes=synth.codes)
    chunks = minute_bars(universe, synth.first_day(), days=synth.days, seed=synth.seed)
    return BarFrame.concat(list(chunks)), universe


def report_path(config: KindsConfig, job_id: str, suffix: str = "") -> Path:
    """Where a job's HTML file goes: `<reports_dir>/<job_id><suffix>.html`."""
    return config.reports_dir / f"{job_id}{suffix}.html"
