from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from jts.core import ClientOrderIdGenerator, InvalidInput
from jts.core.ids import base36

ID_SHAPE = re.compile(r"[a-z0-9]{1,8}-[0-9a-z]+-[0-9a-f]{6}-[0-9a-z]+")


def test_ids_have_a_safe_short_shape() -> None:
    new_id = ClientOrderIdGenerator("strat1").next_id()
    assert ID_SHAPE.fullmatch(new_id)
    assert len(new_id) <= 32


def test_ids_from_many_threads_never_repeat() -> None:
    generator = ClientOrderIdGenerator()
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda _: generator.next_id(), range(20_000)))
    assert len(set(ids)) == len(ids)


def test_generators_created_back_to_back_do_not_collide() -> None:
    ids = {ClientOrderIdGenerator().next_id() for _ in range(1_000)}
    assert len(ids) == 1_000


def test_ids_from_separate_processes_never_repeat() -> None:
    script = (
        "from jts.core import ClientOrderIdGenerator as G\n"
        "g = G()\n"
        "print('\\n'.join(g.next_id() for _ in range(2000)))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(3)
    ]
    ids = [line for run in runs for line in run.stdout.split()]
    assert len(ids) == 6_000
    assert len(set(ids)) == 6_000


@pytest.mark.parametrize("prefix", ["", "has-dash", "waytoolongprefix", "한글"])
def test_bad_prefix_is_rejected(prefix: str) -> None:
    with pytest.raises(InvalidInput, match="prefix"):
        ClientOrderIdGenerator(prefix)


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (35, "z"), (36, "10"), (1295, "zz")])
def test_base36(n: int, text: str) -> None:
    assert base36(n) == text
