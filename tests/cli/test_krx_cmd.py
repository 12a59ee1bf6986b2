from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import RunJts


def test_tick_shows_size_and_validity(run_jts: RunJts) -> None:
    result = run_jts("krx", "tick", "12345")
    assert result.returncode == 0, result.stderr
    assert "tick at 12,345 KRW = 10 KRW" in result.stdout
    assert "12,340 below, 12,350 above" in result.stdout


def test_tick_for_etf(run_jts: RunJts) -> None:
    assert "= 5 KRW (valid)" in run_jts("krx", "tick", "12345", "--etf").stdout


def test_limits_use_the_exchange_algorithm(run_jts: RunJts) -> None:
    result = run_jts("krx", "limits", "9980")
    assert result.returncode == 0, result.stderr
    assert "lower 6,990" in result.stdout
    assert "upper 12,970" in result.stdout


def test_costs_of_a_sell_include_2026_tax(run_jts: RunJts) -> None:
    result = run_jts("krx", "costs", "sell", "100", "71500", "2026-03-05")
    assert result.returncode == 0, result.stderr
    # 7,150,000 KRW × 0.20% tax = 14,300; commission 7,150,000 × 0.0140527% = 1,004.77 → 1,004
    assert "14,300" in result.stdout
    assert "1,004" in result.stdout
    assert "15,304" in result.stdout


def test_calendar_month_marks_closures_and_late_open(run_jts: RunJts) -> None:
    result = run_jts("krx", "calendar", "2026-11")
    assert result.returncode == 0, result.stderr
    line = next(row for row in result.stdout.splitlines() if "2026-11-19" in row)
    assert "late open" in line
    assert "regular 10:00-16:30" in line
    weekend = next(row for row in result.stdout.splitlines() if "2026-11-21" in row)
    assert "weekend" in weekend


def test_calendar_shows_holiday_names(run_jts: RunJts) -> None:
    result = run_jts("krx", "calendar", "2026-09")
    line = next(row for row in result.stdout.splitlines() if "2026-09-24" in row)
    assert "closed" in line


def test_bad_input_exits_2_with_one_line(run_jts: RunJts) -> None:
    result = run_jts("krx", "calendar", "2026-13")
    assert result.returncode == 2
    assert "not a month like 2026-11" in result.stderr
    assert "Traceback" not in result.stderr
    negative = run_jts("krx", "tick", "--", "-5")
    assert negative.returncode == 2
    assert "Traceback" not in negative.stderr


def test_calendar_honours_the_configured_override_file(run_jts: RunJts, tmp_path: Path) -> None:
    overrides = tmp_path / "closures.toml"
    overrides.write_text('[[closed]]\ndate = 2026-12-28\nreason = "Snow emergency (test)"\n')
    (tmp_path / "jts.toml").write_text(f'[krx]\ncalendar_overrides = "{overrides}"\n')
    result = run_jts("krx", "calendar", "2026-12")
    assert result.returncode == 0, result.stderr
    line = next(row for row in result.stdout.splitlines() if "2026-12-28" in row)
    assert "closed" in line
    assert "Snow emergency" in line


def test_a_malformed_override_file_is_a_configuration_error(
    run_jts: RunJts, tmp_path: Path
) -> None:
    overrides = tmp_path / "closures.toml"
    overrides.write_text('[[closed]]\ndate = "not a date"\n')
    result = run_jts(
        "krx", "calendar", "2026-12", extra_env={"JTS_KRX__CALENDAR_OVERRIDES": str(overrides)}
    )
    assert result.returncode == 2
    assert "closures.toml" in result.stderr
    assert "Traceback" not in result.stderr
