"""`jts oms`: the order manager's books of a paper session, by hand.

    jts oms audit       journal against the simulated broker's ledger (exit 1 when they differ)
    jts oms reconcile   repair the journal from the broker's ledger and report what changed
    jts oms statement   end-of-day statement of the account
    jts oms kill        the kill switch of a running `jts run` (halt, cancel every order)

The first three work on the state directory (`--var`, default ./var) while nothing runs on it;
`kill` talks to the running process over its HTTP port.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from jts.cli.state import console
from jts.core.clock import kst_date
from jts.core.errors import InvalidInput
from jts.core.models import Position

app = typer.Typer(help="Orders, fills and positions of a paper session (journal and broker).")

VarOption = Annotated[
    Path, typer.Option(envvar="JTS_VAR_DIR", help="State directory of the session.")
]
AccountOption = Annotated[str, typer.Option(help="Account of the session.")]


def _require_session(var: Path) -> None:
    if not (var / "jts.db").is_file():
        raise InvalidInput(
            "--var", f"{var} holds no paper session (no jts.db): run `jts run` first"
        )


@app.command("audit")
def audit_cmd(var: VarOption = Path("var"), account: AccountOption = "paper") -> None:
    """Compare the journal with the broker's ledger: lost fills, orders sent twice, positions."""
    from jts.trading.audit import audit

    _require_session(var)
    result = audit(var, account)
    console.print(
        f"broker fills {result.broker_fills:,}, journal fills {result.journal_fills:,}, "
        f"orders {result.journal_orders:,}"
    )
    console.print(
        f"lost_fills={result.lost_fills} duplicate_orders={result.duplicate_orders} "
        f"position_mismatches={result.position_mismatches}"
    )
    for symbol, (ours, theirs) in result.mismatched.items():
        console.print(f"  {symbol}: journal {ours:,} shares, broker {theirs:,} shares")
    if not result.clean:
        raise typer.Exit(1)


@app.command("reconcile")
def reconcile_cmd(var: VarOption = Path("var"), account: AccountOption = "paper") -> None:
    """Repair the journal from the simulated broker's ledger (missed fills, unknown orders) and
    print every discrepancy; the broker's working orders died with its process."""
    from jts.oms import Journal, VenueSnapshot, reconcile, restore
    from jts.storage import SqlOrderStore, open_database
    from jts.trading.session import PaperSession
    from jts.venues.sim.ledger import FillLedger

    _require_session(var)
    session = PaperSession(var)
    fills = tuple(FillLedger(session.ledger_path).load())
    store = SqlOrderStore(open_database(session.db_url))
    try:
        manager = restore(account, store.load(account))
        journal = Journal(manager, store)
        now = time.time_ns()
        snapshot = VenueSnapshot(
            open_orders=(), positions=_positions(account, fills), fills=fills, since_ns=0,
            taken_ns=now,
        )  # fmt: skip
        report = reconcile(manager, snapshot, now_ns=now)
        journal.flush()
    finally:
        store.close()
    console.print(report.render(), highlight=False)
    if not report.positions_match:
        raise typer.Exit(1)


@app.command("statement")
def statement_cmd(
    var: VarOption = Path("var"),
    account: AccountOption = "paper",
    day: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: the last fill's day).")
    ] = None,
) -> None:
    """The account's end-of-day statement (positions valued at their last fill price)."""
    import datetime as dt

    from jts.oms import restore
    from jts.storage import SqlOrderStore, end_of_day_statement, open_database
    from jts.trading.session import PaperSession

    _require_session(var)
    store = SqlOrderStore(open_database(PaperSession(var).db_url))
    try:
        manager = restore(account, store.load(account))
    finally:
        store.close()
    fills = manager.fills()
    if day is not None:
        try:
            on = dt.date.fromisoformat(day)
        except ValueError:
            raise InvalidInput("--day", f"{day!r} is not a date (YYYY-MM-DD)") from None
    else:
        on = kst_date(fills[-1].ts_ns) if fills else dt.date.today()
    marks = {fill.symbol: fill.price for fill in fills}
    statement: dict[str, Any] = end_of_day_statement(manager, on, marks)
    console.print_json(json.dumps(statement, default=str))


@app.command("kill")
def kill_cmd(
    port: Annotated[int, typer.Option(help="HTTP port of the running `jts run`.")] = 8000,
    host: Annotated[str, typer.Option(help="Its address.")] = "127.0.0.1",
    reason: Annotated[str, typer.Option(help="Why (logged and shown).")] = "kill switch (CLI)",
) -> None:
    """Kill switch: halt the running session's trading and cancel every working order."""
    from jts.cli.api_client import call

    answer = call("POST", "/risk/kill-switch", host=host, port=port, body={"reason": reason})
    console.print_json(json.dumps(answer))


def _positions(account: str, fills: tuple[Any, ...]) -> tuple[Position, ...]:
    held: dict[str, int] = {}
    for fill in fills:
        held[fill.symbol] = held.get(fill.symbol, 0) + (
            fill.qty if fill.side.value == "buy" else -fill.qty
        )
    return tuple(Position(account=account, symbol=s, qty=q) for s, q in held.items() if q)
