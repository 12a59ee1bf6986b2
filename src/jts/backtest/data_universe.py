"""Which symbols a backtest runs on: a strategy's `universe` resolved against the data.

A program says *what* to trade (`universe all`, `universe KOSPI, KOSDAQ`, `universe [005930]`,
`universe index "kospi200.csv"`) without knowing what the data holds; the backtest must turn
that into concrete codes before it reads bars, so a store read touches only the files needed.

- `all`: every symbol the source holds.
- markets: the symbols of the source whose instrument (store master or the caller's
  `instruments`) is listed on one of the markets. Without an instrument master this is an
  error: guessing KOSPI for unknown codes would silently run on the wrong universe.
- codes and index files: exactly those codes; a code the data lacks is an error listing up to
  `MAX_LISTED` of them, because a backtest on a silently shrunken universe reads as a result.
- `symbols=` (the CLI's `--symbols`) *replaces* the program's universe: it is how a user
  narrows a run to a few names, so it must not need the master a market universe would.

Index membership files are plain text or CSV: one code per line, or a column named `symbol`
or `code`; blank lines and `#` comments are skipped; codes keep their leading zeros and
letters (`0037T0`), broker prefixes are dropped (`A005930`). Parquet files need a `symbol`
column. The language allows only a plain file name; the runtime looks for it in the strategy's
folder, the current directory and the data directory, in that order.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq

from jts.core.codes import normalize_symbol
from jts.core.enums import InstrumentKind, Market
from jts.core.errors import InvalidInput, InvalidSymbol
from jts.core.models import Instrument
from jts.strategy.lang.ast import Program, UniverseKind

MAX_LISTED: Final = 10
"""Missing codes named in an error; the rest are counted."""
_CODE_HEADERS: Final = ("symbol", "code")


@dataclass(frozen=True, slots=True)
class Wanted:
    """The symbols a run asks for, before they meet the data.

    `codes` None means every symbol of the source (filtered by `markets` when set); otherwise
    exactly these codes, each of which must be in the data. `label` names the request in
    messages ("universe KOSPI", "--symbols (2 codes)").
    """

    label: str
    codes: tuple[str, ...] | None = None
    markets: frozenset[Market] | None = None

    def pick(self, available: Sequence[str], master: Mapping[str, Instrument]) -> list[str]:
        """The requested symbols among `available` (sorted); raises for missing codes."""
        if self.codes is not None:
            present = set(available)
            missing = [code for code in self.codes if code not in present]
            if missing:
                raise InvalidInput("universe", _missing_message(self.label, missing))
            return sorted(self.codes)
        if self.markets is None:
            return sorted(available)
        return sorted(s for s in available if s in master and master[s].market in self.markets)


def wanted_symbols(
    program: Program | None,
    symbols: Sequence[str] | None,
    master: Mapping[str, Instrument],
    index_dirs: Sequence[Path],
) -> Wanted:
    """What the run asks for: `symbols` when given (it replaces the universe), else the
    program's `universe`, else everything. Codes are normalized (`a005930` → `005930`)."""
    if symbols is not None:
        codes = _unique(_normalize(symbols, "symbols"))
        if not codes:
            raise InvalidInput("symbols", "no codes given")
        return Wanted(f"--symbols ({_count(codes)})", codes=codes)
    if program is None:
        return Wanted("all symbols")
    universe = program.universe
    if universe.kind is UniverseKind.ALL:
        return Wanted("universe all")
    if universe.kind is UniverseKind.CODES:
        codes = _unique(_normalize(universe.items, "universe"))
        return Wanted(f"universe [{_count(codes)}]", codes=codes)
    if universe.kind is UniverseKind.INDEX:
        path = find_index_file(universe.items[0], index_dirs)
        return Wanted(f'universe index "{universe.items[0]}"', codes=read_index_file(path))
    markets = frozenset(_market(item) for item in universe.items)
    label = f"universe {', '.join(sorted(m.value for m in markets))}"
    if not master:
        raise InvalidInput(
            "universe",
            f"{label} needs the instrument master to know each code's market: load one with"
            " `jts data instruments --load FILE` or pass instruments=",
        )
    return Wanted(label, markets=markets)


def instruments_for(
    symbols: Iterable[str], master: Mapping[str, Instrument]
) -> tuple[dict[str, Instrument], tuple[str, ...]]:
    """The instrument of each symbol, and the symbols that got a default one.

    A symbol missing from the master is taken for a KOSPI stock (stock ticks, stock taxes): a
    backtest of imported files must run without a master, but the report should say which
    names were assumed (the returned tuple)."""
    found: dict[str, Instrument] = {}
    defaulted: list[str] = []
    for symbol in symbols:
        instrument = master.get(symbol)
        if instrument is None:
            instrument = Instrument(
                symbol=symbol, name=symbol, market=Market.KOSPI, kind=InstrumentKind.STOCK
            )
            defaulted.append(symbol)
        found[symbol] = instrument
    return found, tuple(defaulted)


def etf_symbols(instruments: Mapping[str, Instrument]) -> frozenset[str]:
    """Codes validated on the ETF tick table, as `jts data import` does with the master."""
    kinds = (InstrumentKind.ETF, InstrumentKind.ETN)
    return frozenset(s for s, i in instruments.items() if i.kind in kinds)


def find_index_file(name: str, dirs: Sequence[Path]) -> Path:
    """The membership file `name`: as given when absolute, else the first of `dirs` holding
    it; raises naming every place looked at."""
    given = Path(name)
    if given.is_absolute():
        candidates = [given]
    else:
        candidates = [folder / given for folder in dict.fromkeys(dirs)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates) or "(no folders to search)"
    raise InvalidInput("universe", f'index file "{name}" not found; looked for {looked}')


def read_index_file(path: Path) -> tuple[str, ...]:
    """The codes of a membership file (see the module docstring), in file order, unique."""
    if path.suffix.lower() in (".parquet", ".pq"):
        return _unique(_parquet_codes(path))
    text = _read_text(path)
    rows = [row for row in csv.reader(io.StringIO(text))]
    column = 0
    numbered = [(n, row) for n, row in enumerate(rows, start=1) if _is_data(row)]
    if numbered:
        header = [cell.strip().lower() for cell in numbered[0][1]]
        named = [i for i, cell in enumerate(header) if cell in _CODE_HEADERS]
        if named:
            column = named[0]
            numbered = numbered[1:]
    codes = []
    for line, row in numbered:
        cell = row[column] if column < len(row) else ""
        try:
            codes.append(normalize_symbol(cell))
        except InvalidSymbol:
            raise InvalidInput(
                str(path), f"line {line}: {cell.strip()!r} is not a KRX short code"
            ) from None
    if not codes:
        raise InvalidInput(str(path), "the index file lists no codes")
    return _unique(codes)


# -- helpers ----------------------------------------------------------------------------------


def default_index_dirs(
    strategy_dir: str | os.PathLike[str] | None, data_dir: Path | None
) -> list[Path]:
    """Where `universe index` files are looked for: the strategy's folder, the current
    directory, the data directory."""
    dirs = [Path(strategy_dir)] if strategy_dir is not None else []
    dirs.append(Path.cwd())
    if data_dir is not None:
        dirs.append(data_dir)
    return dirs


def _is_data(row: list[str]) -> bool:
    first = row[0].strip() if row else ""
    return bool(first) and not first.startswith("#")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(str(path), f"cannot read the index file: {exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp949", errors="replace")  # Korean HTS exports


def _parquet_codes(path: Path) -> list[str]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInput(str(path), f"not a readable Parquet file: {exc}") from None
    names = {name.strip().lower(): name for name in table.column_names}
    column = next((names[h] for h in _CODE_HEADERS if h in names), None)
    if column is None:
        raise InvalidInput(str(path), "the index file has no 'symbol' or 'code' column")
    cells = [str(value) for value in table.column(column).to_pylist() if value is not None]
    return _normalize(cells, str(path))


def _normalize(codes: Iterable[str], what: str) -> list[str]:
    normalized = []
    for code in codes:
        try:
            normalized.append(normalize_symbol(str(code)))
        except InvalidSymbol:
            raise InvalidInput(what, f"{code!r} is not a KRX short code") from None
    return normalized


def _market(item: str) -> Market:
    try:
        return Market(item.upper())
    except ValueError:
        known = ", ".join(m.value for m in Market)
        raise InvalidInput("universe", f"unknown market {item!r} (known: {known})") from None


def _unique(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def _count(codes: Sequence[str]) -> str:
    return codes[0] if len(codes) == 1 else f"{len(codes)} codes"


def listed(codes: Sequence[str]) -> str:
    """Up to `MAX_LISTED` codes for a message, then how many more."""
    more = f" and {len(codes) - MAX_LISTED} more" if len(codes) > MAX_LISTED else ""
    return ", ".join(codes[:MAX_LISTED]) + more


def _missing_message(label: str, missing: Sequence[str]) -> str:
    return f"{len(missing)} code(s) of {label} are not in the data: {listed(missing)}"
