from __future__ import annotations

import json
import logging

import pytest
import structlog

from jts.observability import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_json_format_writes_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json_format=True)
    structlog.get_logger("jts.test").info("order.sent", symbol="005930", qty=10)
    logging.getLogger("uvicorn.error").warning("from the standard library")
    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["event"] == "order.sent"
    assert first["symbol"] == "005930"
    assert first["level"] == "info"
    assert first["logger"] == "jts.test"
    assert first["timestamp"].endswith("Z")
    assert second["event"] == "from the standard library"
    assert second["level"] == "warning"


def test_console_format_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json_format=False)
    structlog.get_logger("jts.test").info("hello", n=1)
    err = capsys.readouterr().err
    assert "hello" in err
    assert "n=1" in err
    assert not err.lstrip().startswith("{")


def test_level_filters_lower_messages(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning", json_format=True)
    structlog.get_logger("jts.test").info("hidden")
    structlog.get_logger("jts.test").error("shown")
    err = capsys.readouterr().err
    assert "hidden" not in err
    assert "shown" in err


def test_exceptions_are_rendered_into_the_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json_format=True)
    try:
        raise ValueError("bad tick")
    except ValueError:
        structlog.get_logger("jts.test").exception("failed")
    record = json.loads(capsys.readouterr().err.strip())
    assert "ValueError: bad tick" in record["exception"]
