"""`jts strategy check`: ok with a summary, compiler-style errors, exit 2, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jts.cli.strategy_cmd import app

EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"
GOOD = 'strategy "t"\nuniverse all\ntimeframe 1m\nparam n = 5 in 2..9\n'


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_prints_ok_and_a_summary(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "sma_cross.jts")])
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert line.endswith(
        'sma_cross.jts: ok: strategy "sma_cross", params fast=5 slow=20 qty=10'
        " (88 combinations), universe all, timeframe 1m, 2 rules"
    )


def test_summary_shows_units_exits_and_flat(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "opening_range_breakout.jts")])
    assert result.exit_code == 0, result.output
    assert "weight=10%" in result.stdout
    assert "universe KOSPI+KOSDAQ" in result.stdout
    assert result.stdout.rstrip().endswith("2 rules, trailing stop, flat daily")


def test_errors_print_like_a_compiler_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jts", GOOD + "when sma(close, n) > 3% : close\nlet a = nope\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}:5:6: error: cannot compare KRW and a percent" + (
        " (to move a price by a percent, multiply: close * (1 + 2%))"
    )
    assert lines[1] == "    when sma(close, n) > 3% : close"
    assert lines[2] == "         ^~~~~~~~~~~~~~~~~~"
    assert lines[3].startswith(f"{path}:6:9: error: unknown name 'nope'")
    assert result.stdout == ""


def test_syntax_error_lists_expected_words(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jts", GOOD + "when close > 1 buy 1 shares\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:5:16: error: unexpected 'buy'; expected" in result.stderr


def test_several_files_report_each_and_count_failures(runner: CliRunner, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.jts", "when")
    result = runner.invoke(app, ["check", str(EXAMPLES / "momentum_topn.jts"), str(bad)])
    assert result.exit_code == 2
    assert "momentum_topn.jts: ok:" in result.stdout
    assert result.stderr.rstrip().endswith("1 of 2 files have errors")


def test_missing_file_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "none.jts")])
    assert result.exit_code == 2
    assert "none.jts: error: cannot read" in result.stderr


def test_json_output(runner: CliRunner, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.jts", GOOD + "when close: close\n")
    result = runner.invoke(app, ["check", "--json", str(EXAMPLES / "sma_cross.jts"), str(bad)])
    assert result.exit_code == 2
    good_result, bad_result = json.loads(result.stdout)
    assert good_result["ok"] is True
    assert good_result["summary"]["params"] == {"fast": 5, "slow": 20, "qty": 10}
    assert good_result["summary"]["grid_size"] == 88
    assert good_result["summary"]["warmup_bars"] == 60
    assert bad_result["ok"] is False
    (error,) = bad_result["errors"]
    assert error["kind"] == "type"
    assert (error["line"], error["column"]) == (5, 6)
    assert error["source_line"] == "when close: close"
