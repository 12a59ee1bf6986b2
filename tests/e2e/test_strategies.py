"""The strategies page: the validator's error drawn at its line, saving versions, starting
and controlling a strategy on the paper account, and a backtest from launch to its report."""

from __future__ import annotations

import uuid
from typing import Any

from tests.e2e.conftest import System

EDITOR = "[data-testid=strategy-editor]"


def _open(page: Any, system: System) -> None:
    page.goto(f"{system.url}/strategies/")
    page.wait_for_selector(EDITOR)


def _type_program(page: Any, text: str) -> None:
    page.fill(EDITOR, text)


def _wait_valid(page: Any) -> None:
    page.wait_for_function(
        "document.querySelector('[data-testid=editor-verdict]').textContent.startsWith('✓')"
    )


def _program(name: str, fast: int = 5) -> str:
    return "\n".join(
        [
            f'strategy "{name}"',
            "universe all",
            "timeframe 1m",
            f"param fast = {fast} in 3..10",
            "let fast_ma = sma(close, fast)",
            "when position == 0 and crosses_above(close, fast_ma): buy 1 shares",
            "when position > 0 and crosses_below(close, fast_ma): sell all",
        ]
    )


def test_a_validation_error_is_shown_at_its_line(page: Any, system: System) -> None:
    _open(page, system)
    _type_program(
        page,
        'strategy "broken"\nuniverse all\ntimeframe 1m\n'
        "when position == 0 and rsi(close) < 30 buy 10 shares\n",
    )
    error = page.wait_for_selector("[data-testid=editor-error]")
    assert error.get_attribute("data-line") == "4"
    assert "4" in error.inner_text()
    assert "buy" in error.inner_text()
    # drawn in the fourth line of the highlighted text, with the offending token underlined
    line = error.evaluate_handle("e => e.parentElement")
    assert line.evaluate("l => [...l.parentElement.children].indexOf(l)") == 3
    assert line.evaluate("l => l.querySelector('.decoration-wavy').textContent") == "buy"
    assert page.locator("[data-testid=editor-problems] li").count() == 1
    _type_program(page, _program("fixed"))
    _wait_valid(page)
    assert page.locator("[data-testid=editor-error]").count() == 0


def test_saving_an_edit_makes_version_2(page: Any, system: System) -> None:
    name = f"e2e_{uuid.uuid4().hex[:8]}"
    _open(page, system)
    _type_program(page, _program(name))
    _wait_valid(page)
    page.click("[data-testid=strategy-save]")
    page.wait_for_selector("[data-testid=strategy-version][data-version='1']")
    page.wait_for_selector(f"[data-testid=strategy-item][data-name={name}]")

    _type_program(page, _program(name, fast=7))
    _wait_valid(page)
    page.click("[data-testid=strategy-save]")
    page.wait_for_selector("[data-testid=strategy-version][data-version='2'][aria-current=true]")
    assert "v2" in page.inner_text(f"[data-testid=strategy-item][data-name={name}]")

    page.click("[data-testid=strategy-version][data-version='1']")
    page.wait_for_selector("[data-testid=strategy-version][data-version='1'][aria-current=true]")
    assert "param fast = 5 in" in page.input_value(EDITOR)


def test_a_saved_strategy_starts_pauses_resumes_and_stops(page: Any, system: System) -> None:
    name = f"e2e_{uuid.uuid4().hex[:8]}"
    page.on("dialog", lambda dialog: dialog.accept())
    _open(page, system)
    _type_program(page, _program(name))
    _wait_valid(page)
    page.click("[data-testid=strategy-save]")
    page.wait_for_selector("[data-testid=strategy-version][data-version='1']")
    page.click("[data-testid=strategy-start]")
    running = f"[data-testid=running-item][data-name={name}]"
    page.wait_for_selector(f"{running}[data-state=active]")
    page.click(f"{running} [data-action=pause]")
    page.wait_for_selector(f"{running}[data-state=paused]")
    page.click(f"{running} [data-action=resume]")
    page.wait_for_selector(f"{running}[data-state=active]")
    page.click(f"{running} [data-action=stop]")
    page.wait_for_selector(running, state="detached")


def test_a_backtest_runs_to_its_results_and_report(page: Any, system: System) -> None:
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    _open(page, system)  # the new-strategy template: a moving-average cross on every symbol
    _wait_valid(page)
    page.fill("[data-testid=backtest-form] input[type=date]", "2025-11-03")
    page.click("[data-testid=backtest-submit]")
    job_id = page.wait_for_selector("[data-testid=backtest-job]").get_attribute("data-job")
    page.wait_for_selector("[data-testid=backtest-job][data-status=succeeded]", timeout=120_000)
    assert page.get_attribute("[data-testid=backtest-progress]", "aria-valuenow") == "100"
    # the progress came over the realtime `jobs` channel (polling is only the fallback)
    assert any('"channel":"jobs"' in f and job_id in f for f in frames)
    metrics = page.wait_for_selector("[data-testid=backtest-metrics]")
    total = metrics.query_selector("[data-metric=total_return] dd")
    assert total is not None
    assert total.inner_text().endswith("%")
    assert metrics.query_selector("[data-metric=trades]") is not None
    # the equity/drawdown chart draws the result's own curve, and its round trips are listed
    page.wait_for_selector("[data-testid=backtest-results] [data-testid=equity-chart] canvas")
    traded = metrics.query_selector("[data-metric=trades] dd")
    assert traded is not None
    if traded.inner_text().strip() not in ("0", "—"):
        rows = page.query_selector_all("[data-testid=backtest-trades] tbody tr")
        assert len(rows) == min(500, int(traded.inner_text().replace(",", "")))

    with page.context.expect_page() as opened:
        page.click("[data-testid=backtest-report]")
    report = opened.value
    report.wait_for_load_state()
    report.wait_for_function("document.title === 'my_strategy'")
    assert report.url.startswith("blob:")
    report.close()

    page.click("[data-testid=backtest-report-inline]")
    frame = page.wait_for_selector("[data-testid=backtest-report-frame]")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    assert frame.content_frame().title() == "my_strategy"
