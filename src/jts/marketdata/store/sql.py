"""SQL over the store with DuckDB: one view per dataset, read straight from the Parquet files.

Views: `bars_1m`, `bars_5m`, `bars_1d` ... (one per stored interval; `bars` is `bars_1m` when
present), `ticks`, `instruments`. Each query runs in a fresh in-memory DuckDB connection, so
DuckDB never holds a lock on the store and writers are never blocked by readers.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from jts.core.errors import InvalidInput


class SqlConsole:
    """A DuckDB connection with the store's views; use as a context manager."""

    def __init__(self, root: Path, datasets: list[str]) -> None:
        self._connection = duckdb.connect(":memory:")
        self.views: list[str] = []
        for dataset in datasets:
            self._add_view(dataset.replace("/", "_"), root / dataset / "*" / "*.parquet")
        if "bars_1m" in self.views:
            self._connection.execute("create view bars as select * from bars_1m")
            self.views.append("bars")
        if (root / "instruments.parquet").exists():
            self._add_view("instruments", root / "instruments.parquet")

    def _add_view(self, name: str, pattern: Path) -> None:
        literal = str(pattern).replace("'", "''")
        self._connection.execute(f"create view {name} as select * from read_parquet('{literal}')")
        self.views.append(name)

    def query(self, sql: str) -> pa.Table:
        """Run one statement; errors come back as `InvalidInput` naming the views available."""
        try:
            relation = self._connection.sql(sql)
            table = relation.to_arrow_table() if relation is not None else None
        except duckdb.Error as exc:
            views = ", ".join(self.views) or "none (the store is empty)"
            raise InvalidInput("sql", f"{exc} (views: {views})") from None
        return table if table is not None else pa.table({})

    def __enter__(self) -> SqlConsole:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._connection.close()
