"""`JobRegistry`: kinds by name, params checked at submit; JSON in and out."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jts.core.errors import ConfigError, InvalidInput
from jts.jobs import JobHandler, JobInfo, JobNotFound, JobRegistry, JobStatus
from jts.jobs.registry import decode_json, encode_json
from tests.jobs.conftest import steps_handler


def _noop(params: dict[str, Any], ctx: object) -> None:
    return None


def test_an_unknown_kind_names_the_known_ones() -> None:
    registry = JobRegistry([steps_handler(), JobHandler(kind="other", run=_noop)])
    with pytest.raises(InvalidInput, match="unknown job kind 'nope'; known kinds: other, steps"):
        registry.validate("nope", {})


def test_the_handlers_check_refuses_bad_params_with_the_field() -> None:
    registry = JobRegistry([steps_handler()])
    with pytest.raises(InvalidInput) as caught:
        registry.validate("steps", {"steps": 0})
    assert caught.value.field == "steps"


def test_params_must_be_an_object_and_json() -> None:
    registry = JobRegistry([JobHandler(kind="any", run=_noop)])
    with pytest.raises(InvalidInput, match="must be a JSON object"):
        registry.validate("any", [1, 2])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="not JSON-able"):
        registry.validate("any", {"when": object()})


def test_validated_params_come_back_as_json_builtins() -> None:
    registry = JobRegistry([JobHandler(kind="any", run=_noop)])
    clean = registry.validate("any", {"day": dt.date(2025, 11, 3), "codes": ("005930",)})
    assert clean == {"day": "2025-11-03", "codes": ["005930"]}


def test_a_kind_is_registered_once_and_named_like_an_identifier() -> None:
    with pytest.raises(ConfigError, match="registered twice"):
        JobRegistry([steps_handler(), steps_handler()])
    with pytest.raises(ConfigError, match="lowercase name"):
        JobHandler(kind="Back Test", run=_noop)
    with pytest.raises(ConfigError, match="lowercase name"):
        JobHandler(kind="k" * 33, run=_noop)


def test_results_encode_nan_as_null_and_numpy_and_paths_as_plain_values() -> None:
    value = {"sharpe": math.nan, "n": np.int64(3), "x": np.float32(0.5), "p": Path("/r/a.html")}
    assert decode_json(encode_json(value)) == {"sharpe": None, "n": 3, "x": 0.5, "p": "/r/a.html"}
    with pytest.raises(TypeError, match="object is not JSON-able"):
        encode_json({"x": object()})


def test_job_info_is_json_for_the_api() -> None:
    info = JobInfo(
        job_id="a" * 32, kind="steps", owner="kim", status=JobStatus.RUNNING, created_ns=1
    )
    assert info.to_dict()["status"] == "running"
    assert not info.done
    assert decode_json(encode_json(info)) == info.to_dict()


def test_job_not_found_is_a_key_error_with_a_readable_message() -> None:
    error = JobNotFound("abc")
    assert isinstance(error, KeyError)
    assert str(error) == "no job 'abc'"
