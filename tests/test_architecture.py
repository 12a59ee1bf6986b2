"""Structural rules from STYLE.md, checked on the source: layers point one way, APIs are curated."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import jts

SRC = Path(jts.__file__).parent

# What each top-level package may import from jts (besides itself). Lower layers never import
# higher ones: core ← krx ← (bus, marketdata, strategy, risk, oms, venues) ← (backtest, gateway,
# app, cli).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "krx": {"core"},
    "bus": {"core"},
    "config": {"core"},
    "observability": {"core"},
    "marketdata": {"core", "krx", "bus"},
    "strategy": {"core", "krx", "marketdata"},  # reads bars; marketdata never imports strategy
    "oms": {"core", "krx"},
    "risk": {"core", "krx"},  # independent of oms: the caller passes what risk needs
    "venues": {"core", "krx", "marketdata"},  # the simulator's agents follow the synthetic market
    "storage": {"core", "krx", "oms"},  # SQL implementations of the oms store Protocol
    "trading": {  # the live runtime: strategy -> risk -> oms -> venue, on any Venue
        "core",
        "krx",
        "bus",
        "config",
        "marketdata",
        "strategy",
        "oms",
        "risk",
        "venues",
        "storage",
    },
    "backtest": {"core", "krx", "marketdata", "strategy", "oms", "risk"},
    "gateway": {"core", "krx", "bus", "config", "observability", "storage", "strategy", "jobs"},
    "jobs": {"core", "config", "krx", "storage", "backtest", "marketdata", "strategy"},
    "app": {
        "core",
        "krx",
        "bus",
        "config",
        "observability",
        "gateway",
        "marketdata",
        "strategy",
        "oms",
        "risk",
        "venues",
        "storage",
        "trading",
        "jobs",
    },
    "cli": {
        "core",
        "krx",
        "bus",
        "config",
        "observability",
        "gateway",
        "app",
        "marketdata",
        "strategy",
        "oms",
        "risk",
        "backtest",
        "venues",
        "storage",
        "trading",
        "jobs",
    },
    "__main__": {"cli"},
}


def _jts_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "jts" and len(parts) > 1:
                found.add(parts[1])
    return found


def _package_of(path: Path) -> str:
    relative = path.relative_to(SRC)
    return relative.parts[0].removesuffix(".py")


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_layers_point_one_way(path: Path) -> None:
    package = _package_of(path)
    if package == "__init__":
        return
    assert package in ALLOWED, f"new top-level package {package!r}: add it to ALLOWED"
    imported = _jts_imports(path) - {package}
    forbidden = imported - ALLOWED[package]
    assert not forbidden, f"{path.relative_to(SRC)} imports {sorted(forbidden)}"


def test_top_level_public_api_is_pinned() -> None:
    assert jts.__all__ == ["__version__"]


@pytest.mark.parametrize(
    "name", ["core", "krx", "bus", "config", "gateway", "observability", "marketdata"]
)
def test_every_exported_name_exists(name: str) -> None:
    module = importlib.import_module(f"jts.{name}")
    exported = module.__all__
    missing = [item for item in exported if not hasattr(module, item)]
    assert not missing


def test_no_module_is_a_god_file() -> None:
    too_long = {
        str(path.relative_to(SRC)): lines
        for path in SRC.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not too_long
