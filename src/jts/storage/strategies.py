"""Saved strategy documents and their versions (`strategy_versions`).

Saving never overwrites: each save of a name adds the next version, so a running strategy can
always be traced to the exact text it runs and an edit can be rolled back. Names are the
strategy's own (`strategy "name"` in the language, the class's name in Python).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jts.core.errors import InvalidInput
from jts.storage.models import StrategyVersionRow

NAME: Final = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
LANGUAGES: Final = ("jts", "python")


@dataclass(frozen=True, slots=True)
class StrategyVersion:
    name: str
    version: int
    language: str
    source: str
    author: str
    created_ns: int


class StrategyLibrary:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(
        self, name: str, source: str, *, language: str, author: str, created_ns: int
    ) -> StrategyVersion:
        """Store `source` as the next version of `name` (1 for a new name)."""
        if not NAME.match(name):
            raise InvalidInput("name", "1-64 characters of letters, digits, '_' or '-'")
        if language not in LANGUAGES:
            raise InvalidInput("language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
        for _ in range(3):  # two writers racing for one version number: the loser retries
            with Session(self._engine) as session:
                latest = session.scalar(
                    select(func.max(StrategyVersionRow.version)).where(
                        StrategyVersionRow.name == name
                    )
                )
                row = StrategyVersionRow(
                    name=name,
                    version=(latest or 0) + 1,
                    language=language,
                    source=source,
                    author=author,
                    created_ns=created_ns,
                )
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    continue
                return _version(row)
        raise InvalidInput("name", f"{name!r} is being saved by someone else; try again")

    def names(self) -> list[StrategyVersion]:
        """The latest version of every strategy, by name."""
        with Session(self._engine) as session:
            latest = (
                select(StrategyVersionRow.name, func.max(StrategyVersionRow.version).label("v"))
                .group_by(StrategyVersionRow.name)
                .subquery()
            )
            rows = session.scalars(
                select(StrategyVersionRow)
                .join(
                    latest,
                    (StrategyVersionRow.name == latest.c.name)
                    & (StrategyVersionRow.version == latest.c.v),
                )
                .order_by(StrategyVersionRow.name)
            )
            return [_version(row) for row in rows]

    def versions(self, name: str) -> list[StrategyVersion]:
        with Session(self._engine) as session:
            rows = session.scalars(
                select(StrategyVersionRow)
                .where(StrategyVersionRow.name == name)
                .order_by(StrategyVersionRow.version)
            )
            return [_version(row) for row in rows]

    def get(self, name: str, version: int | None = None) -> StrategyVersion | None:
        """A version of `name` (the latest when `version` is None)."""
        with Session(self._engine) as session:
            query = select(StrategyVersionRow).where(StrategyVersionRow.name == name)
            if version is None:
                query = query.order_by(StrategyVersionRow.version.desc()).limit(1)
            else:
                query = query.where(StrategyVersionRow.version == version)
            row = session.scalar(query)
            return _version(row) if row is not None else None

    def delete(self, name: str) -> int:
        """Remove every version of `name`; how many there were."""
        with Session(self._engine) as session:
            count = session.execute(
                delete(StrategyVersionRow).where(StrategyVersionRow.name == name)
            ).rowcount
            session.commit()
            return int(count or 0)


def _version(row: StrategyVersionRow) -> StrategyVersion:
    return StrategyVersion(
        row.name, row.version, row.language, row.source, row.author, row.created_ns
    )
