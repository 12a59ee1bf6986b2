"""Round trips from fills: FIFO per symbol, one trip per closing order, costs exact in KRW."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.backtest.trades import (
    OPEN_POSITION_SCHEMA,
    TRADE_SCHEMA,
    empty_fills,
    open_positions,
    round_trips,
    walk_round_trips,
)
from jts.core.errors import InvalidInput

S = 1_000_000_000  # ns per second

Fill = tuple[
    int, str, str, int, int, int, int, str
]  # ts s, symbol, side, qty, price, comm, tax, id


def fills_frame(rows: list[Fill]) -> pl.DataFrame:
    if not rows:
        return empty_fills()
    ts, symbol, side, qty, price, commission, tax, order_id = zip(*rows, strict=True)
    return pl.DataFrame(
        {
            "ts": [t * S for t in ts],
            "symbol": list(symbol),
            "side": list(side),
            "qty": list(qty),
            "price": list(price),
            "commission": list(commission),
            "tax": list(tax),
            "order_id": list(order_id),
            "reason": [""] * len(rows),
        },
        schema=empty_fills().schema,
    )


def net_cash_flow(fills: pl.DataFrame) -> int:
    sign = pl.when(pl.col("side") == "sell").then(1).otherwise(-1)
    flow = sign * pl.col("qty") * pl.col("price") - pl.col("commission") - pl.col("tax")
    return int(fills.select(flow.sum()).item() or 0)


def open_cash_flow(positions: pl.DataFrame) -> int:
    total = 0
    for row in positions.iter_rows(named=True):
        basis = row["cost_basis"] if row["side"] == "short" else -row["cost_basis"]
        total += basis - row["costs"]
    return total


def test_long_round_trip_nets_commission_and_tax() -> None:
    fills = fills_frame(
        [(0, "005930", "buy", 10, 100, 5, 0, "a"), (60, "005930", "sell", 10, 110, 5, 20, "b")]
    )
    trips = round_trips(fills)
    assert trips.to_dicts() == [
        {
            "symbol": "005930",
            "side": "long",
            "entry_ts": 0,
            "exit_ts": 60 * S,
            "qty": 10,
            "entry_price": 100.0,
            "exit_price": 110.0,
            "pnl": 100 - 30,
            "costs": 30,
            "return_pct": 70 / 1000,
            "holding_seconds": 60,
        }
    ]


def test_partial_sells_close_oldest_lots_first_with_costs_split_pro_rata() -> None:
    fills = fills_frame(
        [
            (1, "A", "buy", 10, 100, 3, 0, "o1"),
            (2, "A", "buy", 10, 110, 3, 0, "o2"),
            (3, "A", "sell", 5, 120, 1, 1, "o3"),
            (4, "A", "sell", 10, 130, 2, 1, "o3"),  # same order: merged with the fill above
            (5, "A", "sell", 5, 90, 2, 1, "o4"),
        ]
    )
    first, second = round_trips(fills).to_dicts()
    # o3 closes o1's 10 @100 and 5 of o2's @110; costs 3 + 3*5//10 + 2 + 3.
    assert (first["qty"], first["entry_price"], first["exit_price"]) == (15, 1550 / 15, 1900 / 15)
    assert (first["costs"], first["pnl"]) == (9, 1900 - 1550 - 9)
    assert (first["entry_ts"], first["exit_ts"], first["holding_seconds"]) == (1 * S, 4 * S, 3)
    # o4 closes the other 5 of o2: the rest of o2's cost (3 - 1) plus all of o4's.
    assert (second["qty"], second["costs"], second["pnl"]) == (5, 2 + 3, 450 - 550 - 5)
    assert second["entry_ts"] == 2 * S
    assert open_positions(fills).height == 0


def test_round_trip_pnl_sums_to_the_cash_pnl_of_a_closed_book() -> None:
    fills = fills_frame(
        [
            (1, "A", "buy", 7, 1_013, 11, 0, "o1"),
            (2, "A", "buy", 3, 1_029, 7, 0, "o2"),
            (3, "A", "sell", 4, 1_041, 5, 9, "o3"),
            (4, "A", "sell", 6, 1_002, 3, 13, "o4"),
        ]
    )
    assert int(round_trips(fills)["pnl"].sum()) == net_cash_flow(fills)
    assert int(round_trips(fills)["costs"].sum()) == 11 + 7 + 5 + 9 + 3 + 13


def test_sell_from_flat_opens_a_short() -> None:
    fills = fills_frame([(0, "A", "sell", 5, 200, 1, 3, "s"), (9, "A", "buy", 5, 180, 1, 0, "c")])
    (trip,) = round_trips(fills).to_dicts()
    assert (trip["side"], trip["pnl"], trip["return_pct"]) == ("short", 100 - 5, 95 / 1000)


def test_an_order_larger_than_the_position_flips_it() -> None:
    fills = fills_frame([(0, "A", "buy", 10, 100, 0, 0, "a"), (1, "A", "sell", 15, 105, 3, 0, "b")])
    (trip,) = round_trips(fills).to_dicts()
    assert (trip["side"], trip["qty"], trip["costs"], trip["pnl"]) == ("long", 10, 2, 48)
    (position,) = open_positions(fills).to_dicts()
    assert position == {
        "symbol": "A",
        "side": "short",
        "qty": 5,
        "entry_ts": 1 * S,
        "entry_price": 105.0,
        "cost_basis": 525,
        "costs": 1,
    }


def test_fills_without_order_id_are_trips_of_their_own() -> None:
    fills = fills_frame(
        [
            (0, "A", "buy", 10, 100, 0, 0, ""),
            (1, "A", "sell", 4, 101, 0, 0, ""),
            (2, "A", "sell", 6, 102, 0, 0, ""),
        ]
    )
    assert round_trips(fills)["qty"].to_list() == [4, 6]


def test_symbols_are_matched_independently() -> None:
    fills = fills_frame(
        [
            (0, "A", "buy", 1, 100, 0, 0, "1"),
            (1, "B", "sell", 1, 50, 0, 0, "2"),
            (2, "A", "sell", 1, 90, 0, 0, "3"),
            (3, "B", "buy", 1, 40, 0, 0, "4"),
        ]
    )
    assert round_trips(fills).select("symbol", "side", "pnl").rows() == [
        ("A", "long", -10),
        ("B", "short", 10),
    ]


def test_open_position_at_the_end_is_not_a_round_trip() -> None:
    fills = fills_frame([(0, "A", "buy", 3, 100, 1, 0, "a"), (1, "A", "buy", 1, 120, 1, 0, "b")])
    assert round_trips(fills).height == 0
    (position,) = open_positions(fills).to_dicts()
    assert (position["qty"], position["cost_basis"], position["costs"]) == (4, 420, 2)
    assert position["entry_price"] == pytest.approx(105.0)


def test_no_fills_give_empty_frames_with_the_schemas() -> None:
    assert round_trips(empty_fills()).schema == pl.Schema(TRADE_SCHEMA)
    assert open_positions(empty_fills()).schema == pl.Schema(OPEN_POSITION_SCHEMA)


def test_unknown_side_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="side"):
        round_trips(fills_frame([(0, "A", "short", 1, 100, 0, 0, "a")]))


def test_missing_columns_are_named() -> None:
    with pytest.raises(InvalidInput, match="price"):
        round_trips(empty_fills().drop("price"))


_fill = st.tuples(
    st.sampled_from(["A", "B"]),
    st.sampled_from(["buy", "sell"]),
    st.integers(1, 40),
    st.integers(1, 5_000),
    st.integers(0, 97),
    st.integers(0, 53),
    st.sampled_from(["x", "y", ""]),
)


@given(st.lists(_fill, max_size=30))
def test_round_trips_and_open_positions_account_for_every_won(
    rows: list[tuple[str, str, int, int, int, int, str]],
) -> None:
    fills = fills_frame([(i, *row) for i, row in enumerate(rows)])
    trips, positions = round_trips(fills), open_positions(fills)
    pnl = int(trips["pnl"].sum()) if trips.height else 0
    assert pnl + open_cash_flow(positions) == net_cash_flow(fills)
    all_costs = sum(commission + tax for *_, commission, tax, _ in rows)
    assert int(trips["costs"].sum()) + int(positions["costs"].sum()) == all_costs
    for symbol in ("A", "B"):
        net = sum(qty if side == "buy" else -qty for s, side, qty, *_ in rows if s == symbol)
        held = positions.filter(pl.col("symbol") == symbol)
        signed = sum(q if side == "long" else -q for side, q in held.select("side", "qty").rows())
        assert signed == net


@st.composite
def _alternating_fills(draw: st.DrawFn) -> pl.DataFrame:
    rows = []
    for symbol in draw(st.lists(st.sampled_from(["000660", "005930", "035420"]), unique=True)):
        ts = draw(st.integers(0, 10**12))
        for _ in range(draw(st.integers(0, 4))):
            qty = draw(st.integers(1, 500))
            for side in ("buy", "sell")[: draw(st.integers(1, 2))]:
                ts += draw(st.integers(0, 10**11))
                price = draw(st.integers(1, 2_000_000))
                cost = draw(st.integers(0, 5_000)), draw(st.integers(0, 5_000))
                size = qty if side == "buy" else draw(st.sampled_from([qty, qty, max(1, qty - 1)]))
                rows.append((ts, symbol, side, size, price, *cost, f"o{len(rows)}", "r"))
                if side == "buy" and len(rows) % 3 == 0:
                    break
            else:
                continue
            break
    schema = ["ts", "symbol", "side", "qty", "price", "commission", "tax", "order_id", "reason"]
    return pl.DataFrame(rows, schema=schema, orient="row")


@settings(max_examples=200, deadline=None)
@given(_alternating_fills())
def test_the_columnar_path_equals_the_fifo_walk(fills: pl.DataFrame) -> None:
    fast = round_trips(fills)
    assert fast.equals(walk_round_trips(fills))
