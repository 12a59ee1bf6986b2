"""The shown symbols reach the trading service when they change, and only then."""

from __future__ import annotations

from jts.trading.interest import ShownSymbols


async def test_changes_are_passed_on_once() -> None:
    shown: set[str] = set()
    passed: list[set[str]] = []

    async def sink(symbols: set[str]) -> None:
        passed.append(symbols)

    watcher = ShownSymbols(lambda: shown, sink, period_s=60)
    await watcher.check()
    assert passed == []  # nothing shown, nothing changed
    shown = {"005930"}
    await watcher.check()
    await watcher.check()
    assert passed == [{"005930"}]
    shown = {"000660", "005930"}
    await watcher.check()
    shown = set()
    await watcher.check()
    assert passed == [{"005930"}, {"000660", "005930"}, set()]
    await watcher.start()
    await watcher.stop()
