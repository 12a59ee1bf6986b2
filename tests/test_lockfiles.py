"""Lock files name no download hosts (ARCHITECTURE.md, 'Dependencies'): pinned versions only,
so installs go to whatever registry the machine is configured for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"https?://")


@pytest.mark.parametrize("name", ["requirements.lock", "web/package-lock.json"])
def test_lock_file_holds_no_addresses(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    hits = [line.strip() for line in text.splitlines() if URL.search(line)]
    assert hits == [], f"{name} names hosts (web: node web/scripts/strip-lock-urls.mjs): {hits[:3]}"
