"""Many streaming indicators over many symbols, updated from one bar per symbol.

The streaming executor builds one `IndicatorSet` for a program: every (indicator, params,
input columns) it uses, times every symbol. Per bar it calls `update(symbol, row)` with that
symbol's input columns in `columns` order, and reads the results from `values[symbol]`, one
float per output in `outputs` order (the boolean helpers write 1.0 / 0.0). Nothing is
allocated per bar: the states, the bindings and the output array all exist from the start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jts.core.errors import InvalidInput
from jts.strategy.indicators.spec import SPECS, ParamValue, resolve
from jts.strategy.indicators.stream import State, new_state


@dataclass(frozen=True, slots=True)
class IndicatorRequest:
    """One indicator to keep: `inputs` name the row columns feeding `SPECS[name].inputs`.

    Left empty, `inputs` are the spec's bar fields, with a single series argument read from
    "close" (so `IndicatorRequest("atr", {"n": 14})` and `IndicatorRequest("sma", {"n": 5})` work).
    """

    name: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()

    def columns(self) -> tuple[str, ...]:
        spec = SPECS[self.name]
        if self.inputs:
            if len(self.inputs) != len(spec.inputs):
                raise InvalidInput(
                    f"{self.name}.inputs", f"needs {len(spec.inputs)} columns, got {self.inputs}"
                )
            return self.inputs
        if len(spec.args) > 1:
            raise InvalidInput(f"{self.name}.inputs", f"name the columns for {spec.args}")
        return ("close",) * len(spec.args) + spec.fields

    def label(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in resolve(self.name, self.params).items())
        inner = ", ".join(self.columns()) + (f"; {params}" if params else "")
        return f"{self.name}({inner})"


class _Binding:
    """One state of one symbol, wired to its input columns and output slots."""

    __slots__ = ("_a", "_arity", "_b", "_c", "_cols", "_first", "_more", "_state", "_update")

    def __init__(self, state: State, cols: Sequence[int], first: int, more: Sequence[str]):
        self._state = state
        self._update = state.update
        self._cols = tuple(cols)
        self._arity = len(cols)
        self._a, self._b, self._c = (*self._cols, 0, 0, 0)[:3]
        self._first = first
        self._more = tuple((name, first + 1 + i) for i, name in enumerate(more))

    def __call__(self, row: Sequence[float], out: npt.NDArray[np.float64]) -> None:
        arity = self._arity
        if arity == 1:
            value = self._update(row[self._a])
        elif arity == 2:
            value = self._update(row[self._a], row[self._b])
        elif arity == 3:
            value = self._update(row[self._a], row[self._b], row[self._c])
        else:
            cols = self._cols
            value = self._update(
                row[cols[0]], row[cols[1]], row[cols[2]], row[cols[3]], row[cols[4]]
            )
        out[self._first] = value
        for name, slot in self._more:
            out[slot] = getattr(self._state, name)


class IndicatorSet:
    """States for `requests` × `n_symbols`, with their outputs in `values` (symbols × outputs)."""

    def __init__(self, requests: Sequence[IndicatorRequest], n_symbols: int) -> None:
        if n_symbols < 0:
            raise InvalidInput("n_symbols", f"must be >= 0, got {n_symbols}")
        self.requests = tuple(requests)
        for r in self.requests:
            resolve(r.name, r.params)
        columns: dict[str, int] = {}
        outputs: list[str] = []
        for r in self.requests:
            for col in r.columns():
                columns.setdefault(col, len(columns))
            names = SPECS[r.name].outputs
            label = r.label()
            outputs += [label] if names == ("value",) else [f"{label}.{o}" for o in names]
        self.columns: tuple[str, ...] = tuple(columns)
        self.outputs: tuple[str, ...] = tuple(outputs)
        self.values = np.full((n_symbols, len(outputs)), np.nan)
        self._rows = list(self.values)
        self._column_of = columns
        self._bindings = [self._bind() for _ in range(n_symbols)]

    def _bind(self) -> list[_Binding]:
        bindings = []
        first = 0
        for r in self.requests:
            names = SPECS[r.name].outputs
            cols = [self._column_of[c] for c in r.columns()]
            state = new_state(r.name, r.params)
            bindings.append(_Binding(state, cols, first, names[1:]))
            first += len(names)
        return bindings

    def output(self, request: int, name: str = "value") -> int:
        """Where output `name` of request #`request` is in `outputs` and in rows of `values`."""
        names = SPECS[self.requests[request].name].outputs
        first = sum(len(SPECS[r.name].outputs) for r in self.requests[:request])
        return first + names.index(name)

    def update(self, symbol: int, row: Sequence[float]) -> None:
        """Feed one bar of `symbol` (its values in `columns` order) to all its states."""
        out = self._rows[symbol]
        for binding in self._bindings[symbol]:
            binding(row, out)

    def update_all(self, rows: Sequence[Sequence[float]]) -> npt.NDArray[np.float64]:
        """Feed one bar per symbol (`rows[symbol]` in `columns` order); returns `values`."""
        for symbol, row in enumerate(rows):
            self.update(symbol, row)
        return self.values

    def reset(self, symbol: int) -> None:
        """Start `symbol` over (fresh states, outputs NaN), e.g. after a corporate action."""
        self._bindings[symbol] = self._bind()
        self.values[symbol] = np.nan
