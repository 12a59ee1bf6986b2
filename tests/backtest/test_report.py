"""The HTML report: one offline file, every section present, user text escaped, no-trade runs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

from jts.backtest import report
from jts.backtest.metrics import compute_metrics
from jts.backtest.report import figure_equity, write_report
from jts.backtest.report_charts import daily_bars
from jts.backtest.trades import empty_fills, round_trips
from jts.core.clock import kst_ns
from jts.marketdata.frames import BarFrame

CASH = 10_000_000
DAYS = [dt.date(2024, 3, 4) + dt.timedelta(days=i) for i in range(5)]  # Mon…Fri
SYMBOLS = ["000660", "005930", "035720"]
HEADINGS = [
    "Summary",
    "Equity and drawdown",
    "Monthly returns",
    "Trades on price",
    "By symbol",
    "Open positions at the end",
    "Trade list",
]


def _at(day: int, minute: int) -> int:
    return kst_ns(DAYS[day], dt.time(9, minute))


def minute_bars() -> BarFrame:
    """Three minute bars a day per symbol; close climbs 10 KRW a bar from 1,000."""
    rows = [
        (symbol, _at(day, minute), 1_000 + 10 * (3 * day + minute))
        for symbol in SYMBOLS
        for day in range(len(DAYS))
        for minute in range(3)
    ]
    symbol, ts, close = (list(column) for column in zip(*rows, strict=True))
    close_array = np.array(close)
    return BarFrame(
        {
            "symbol": symbol,
            "ts": ts,
            "open": close_array - 5,
            "high": close_array + 7,
            "low": close_array - 9,
            "close": close_array,
            "volume": np.full(len(rows), 100),
        },
        interval_s=60,
    )


def sample_fills() -> pl.DataFrame:
    rows = [
        (_at(0, 1), "005930", "buy", 100, 1_010, 150, 0, "1"),
        (_at(2, 1), "005930", "sell", 100, 1_070, 160, 1_926, "2"),
        (_at(1, 0), "000660", "buy", 50, 1_030, 80, 0, "3"),
        (_at(3, 2), "000660", "sell", 50, 1_110, 80, 999, "4"),
        (_at(4, 0), "035720", "buy", 10, 1_120, 20, 0, "5"),
    ]
    reason = [("signal",) for _ in rows]
    frame = [(*row, *why) for row, why in zip(rows, reason, strict=True)]
    return pl.DataFrame(frame, schema=empty_fills().schema, orient="row").sort("ts")


def sample_equity(values: list[int] | None = None) -> pl.DataFrame:
    equity = values or [CASH - 150, CASH + 2_000, CASH + 5_800, CASH + 8_500, CASH + 8_900]
    return pl.DataFrame(
        {
            "date": DAYS,
            "ts": [_at(day, 2) for day in range(len(DAYS))],
            "cash": equity,
            "positions_value": [101_000, 155_000, 55_000, 0, 11_300],
            "equity": equity,
        }
    )


def render(tmp_path: Path, fills: pl.DataFrame | None = None, **kw: object) -> str:
    fills = sample_fills() if fills is None else fills
    trades = round_trips(fills)
    equity = sample_equity()
    arguments: dict[str, object] = {
        "title": "SMA cross",
        "stats": compute_metrics(equity, fills, trades, CASH),
        "equity": equity,
        "fills": fills,
        "trades": trades,
        "initial_cash": CASH,
        "bars": minute_bars(),
        **kw,
    }
    path = write_report(tmp_path / "out" / "report.html", **arguments)  # type: ignore[arg-type]
    return path.read_text(encoding="utf-8")


def test_report_is_one_file_with_plotly_inline_exactly_once(tmp_path: Path) -> None:
    page = render(tmp_path)
    assert (tmp_path / "out" / "report.html").is_file()
    assert page.count(get_plotlyjs()) == 1


def test_report_loads_nothing_from_the_network(tmp_path: Path) -> None:
    page = render(tmp_path).replace(get_plotlyjs(), "")
    external = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//")
    assert not external.search(page)


def test_report_has_every_section_heading(tmp_path: Path) -> None:
    page = render(tmp_path)
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in page


def test_user_text_is_escaped(tmp_path: Path) -> None:
    attack = "<script>alert(1)</script>"
    page = render(tmp_path, title=attack, params={"x": attack}, meta={attack: "<b>run</b>"})
    assert attack not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>run</b>" not in page


def test_report_without_trades_says_so(tmp_path: Path) -> None:
    page = render(tmp_path, fills=empty_fills())
    assert "No trades" in page
    assert 'id="chart-equity"' in page
    assert 'id="chart-price-0"' not in page


def test_report_without_equity_marks_still_renders(tmp_path: Path) -> None:
    empty = sample_equity().clear()
    fills = empty_fills()
    stats = compute_metrics(empty, fills, round_trips(fills), CASH)
    path = write_report(
        tmp_path / "r.html",
        title="t",
        stats=stats,
        equity=empty,
        fills=fills,
        trades=round_trips(fills),
        initial_cash=CASH,
    )
    assert "No equity marks." in path.read_text(encoding="utf-8")


def test_price_charts_are_capped_at_max_chart_symbols(tmp_path: Path) -> None:
    page = render(tmp_path, max_chart_symbols=2)
    assert 'id="chart-price-1"' in page
    assert 'id="chart-price-2"' not in page
    assert "2 of 3 traded symbols" in page


def test_trade_list_is_cut_and_says_how_many_there_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "MAX_TABLE_ROWS", 1)
    assert "Showing the first 1 of 2 round trips." in render(tmp_path)


def test_open_positions_are_listed(tmp_path: Path) -> None:
    section = render(tmp_path).split('<section id="open">')[1].split("</section>")[0]
    assert "035720" in section


def test_report_is_deterministic(tmp_path: Path) -> None:
    assert render(tmp_path) == render(tmp_path)


def test_minute_bars_are_resampled_to_one_candle_per_kst_day() -> None:
    daily = daily_bars(minute_bars(), ["005930"])
    assert daily.height == len(DAYS)
    first = daily.row(0, named=True)
    assert (first["date"], first["open"], first["high"], first["low"], first["close"]) == (
        DAYS[0],
        995,
        1_027,
        991,
        1_020,
    )
    assert first["volume"] == 300


def test_polars_bars_with_datetime_ts_resample_like_a_barframe() -> None:
    frame = minute_bars().to_polars()  # ts is a UTC Datetime here
    assert daily_bars(frame, SYMBOLS).equals(daily_bars(minute_bars(), SYMBOLS))


def test_figure_equity_is_equity_over_drawdown() -> None:
    figure = figure_equity(sample_equity(), CASH)
    assert [trace.name for trace in figure.data] == ["Equity", "Drawdown"]
    assert (figure.data[0].xaxis, figure.data[1].xaxis) == ("x", "x2")
    assert min(figure.data[1].y) == pytest.approx(-150 / CASH * 100)


def test_weekends_and_holidays_are_cut_from_the_date_axis() -> None:
    without_wednesday = sample_equity().filter(pl.col("date") != DAYS[2])
    breaks = figure_equity(without_wednesday, CASH).layout.xaxis.rangebreaks
    assert breaks[0].bounds == ("sat", "mon")
    assert breaks[1].values == ("2024-03-06",)
