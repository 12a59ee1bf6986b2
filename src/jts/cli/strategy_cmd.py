"""`jts strategy ...`: check strategy programs (.jts files) before they run.

`jts strategy check FILE...` compiles each file and prints `ok` with a one-line summary, or
every error compiler style (`file.jts:3:14: error: ...`, the line, a caret). Exit status 2
when any file has an error; `--json` prints one object per file instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from jts.cli.state import console
from jts.strategy.lang import DslError, Program, compile_program, warmup_bars
from jts.strategy.lang.ast import Param, UniverseKind
from jts.strategy.lang.printer import literal

app = typer.Typer(
    help="Strategy programs in the JTS strategy language (.jts files).", no_args_is_help=True
)


@app.callback()
def _strategy() -> None:
    """Strategy programs in the JTS strategy language (.jts files)."""


@app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Strategy files to check.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list, one object per file.")
    ] = False,
) -> None:
    """Parse and type-check each FILE; print ok and a summary, or the errors (exit 2)."""
    results = [_check_file(path) for path in files]
    if as_json:
        public = [{k: v for k, v in r.items() if not k.startswith("_")} for r in results]
        typer.echo(json.dumps(public, indent=2, ensure_ascii=False))
    else:
        for result in results:
            _print(result)
    failed = sum(1 for r in results if not r["ok"])
    if failed:
        if not as_json and len(results) > 1:
            typer.echo(f"{failed} of {len(results)} files have errors", err=True)
        raise typer.Exit(2)


def _check_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        problem = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        return {"file": str(path), "ok": False, "errors": [_read_error(f"cannot read: {problem}")]}
    try:
        program = compile_program(text)
    except DslError as exc:
        errors = [{"kind": exc.kind, **d.to_dict()} for d in exc.diagnostics]
        return {"file": str(path), "ok": False, "errors": errors, "_text": exc.render(str(path))}
    shown = [f"{p.name}={literal(v, p.unit, integer=p.integer)}" for p, v in _bound(program)]
    return {"file": str(path), "ok": True, "summary": summary(program), "_params": shown}


def _bound(program: Program) -> list[tuple[Param, int | float]]:
    values = program.param_values
    return [(p, values[p.name]) for p in program.params]


def _read_error(message: str) -> dict[str, Any]:
    return {"kind": "file", "line": 0, "column": 0, "message": message, "expected": []}


def summary(program: Program) -> dict[str, Any]:
    """What `check` reports about a good program (also its JSON form)."""
    universe = program.universe
    return {
        "strategy": program.name,
        "version": program.version,
        "params": program.param_values,
        "swept": [p.name for p in program.params if p.ranged],
        "grid_size": program.grid_size(),
        "universe": {"kind": universe.kind.value, "items": list(universe.items)},
        "timeframe": program.timeframe,
        "rules": len(program.rules),
        "exits": [e.kind.value for e in program.exits],
        "flat": program.flat is not None,
        "selection": program.selection is not None,
        "warmup_bars": warmup_bars(program),
    }


def _print(result: dict[str, Any]) -> None:
    path = result["file"]
    if not result["ok"]:
        text = result.get("_text") or f"{path}: error: {result['errors'][0]['message']}"
        typer.echo(text, err=True)
        return
    info = result["summary"]
    params = " ".join(result["_params"]) or "none"
    if info["swept"]:
        params += f" ({info['grid_size']:,} combinations)"
    rules = f"{info['rules']} rule{'s' if info['rules'] != 1 else ''}"
    extras = "".join(f", {kind.replace('_', ' ')}" for kind in info["exits"])
    extras += ", flat daily" if info["flat"] else ""
    extras += ", selection" if info["selection"] else ""
    typer.echo(
        f'{path}: ok: strategy "{info["strategy"]}", params {params}, '
        f"universe {_universe_words(info['universe'])}, timeframe {info['timeframe']}, "
        f"{rules}{extras}"
    )


def _universe_words(universe: dict[str, Any]) -> str:
    kind, items = UniverseKind(universe["kind"]), universe["items"]
    if kind is UniverseKind.ALL:
        return "all"
    if kind is UniverseKind.MARKETS:
        return "+".join(items)
    if kind is UniverseKind.CODES:
        return f"{len(items)} code{'s' if len(items) != 1 else ''}"
    return f'index "{items[0]}"'


# -- run-time control of a running `jts run` (over its HTTP port) -----------------------------

PortOption = Annotated[int, typer.Option(help="HTTP port of the running `jts run`.")]


def _trading(method: str, path: str, port: int, body: dict[str, object] | None = None) -> None:
    """Call the running process's trading routes and print the answer (JSON)."""
    import json

    from jts.cli.api_client import call

    console.print_json(json.dumps(call(method, f"/trading{path}", port=port, body=body)))


@app.command("running")
def running_cmd(port: PortOption = 8000) -> None:
    """The strategies a running `jts run` trades, with their state."""
    _trading("GET", "/strategies", port)


@app.command("start")
def start_cmd(
    file: Annotated[Path, typer.Argument(help="A .jts strategy file.")],
    port: PortOption = 8000,
    cash: Annotated[int | None, typer.Option(min=1, help="KRW allotted.")] = None,
) -> None:
    """Start trading FILE in a running `jts run`."""
    if not file.is_file():
        raise typer.BadParameter(f"{file} does not exist", param_hint="FILE")
    _trading(
        "POST", "/strategies", port, {"source": file.read_text(encoding="utf-8"), "cash": cash}
    )


@app.command("pause")
def pause_cmd(name: str, port: PortOption = 8000) -> None:
    """Pause a running strategy: its new orders are refused, its state keeps updating."""
    _trading("POST", f"/strategies/{name}", port, {"action": "pause"})


@app.command("resume")
def resume_cmd(name: str, port: PortOption = 8000) -> None:
    """Resume a paused strategy."""
    _trading("POST", f"/strategies/{name}", port, {"action": "resume"})


@app.command("stop")
def stop_cmd(name: str, port: PortOption = 8000) -> None:
    """Stop a running strategy and cancel its working orders (positions stay)."""
    _trading("POST", f"/strategies/{name}", port, {"action": "stop"})
