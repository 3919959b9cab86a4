"""Core SELECTs compiled once per dialect and run on the raw DB-API connection.

For the hottest reads, SQLAlchemy's per-execution work (execution context, result object,
transaction bookkeeping) costs more than the query. A PreparedSelect keeps what Core
would compute anyway, the SQL text, the parameter order and each column's result
processor (JSON, booleans, numerics), and applies them itself: rows come out exactly as
Core would return them. One statement is one consistent snapshot on both databases, so a
hot read needs no explicit transaction (PostgreSQL runs it in autocommit: one round trip);
the pool rolls the connection back on return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Select

from folio.db.plan import Statement

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class PreparedSelect:
    sql: str
    names: tuple[str, ...]
    processors: tuple[Processor, ...]
    positional: tuple[str, ...] | None  # parameter order, for qmark/format paramstyles
    _converted: tuple[tuple[int, str, Callable[[Any], Any]], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the columns that have a result processor, by position (most have none)
        object.__setattr__(self, "_converted", tuple(
            (i, name, process) for i, (name, process) in enumerate(
                zip(self.names, self.processors, strict=True)) if process is not None))

    @classmethod
    def build(cls, statement: Select[Any], engine: Engine) -> PreparedSelect:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        names = tuple(str(column.key) for column in statement.selected_columns)
        processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns)
        positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(sql=compiled.string, names=names, processors=processors,
                   positional=positional)

    def bound(self, params: dict[str, Any]) -> Any:
        """The parameters in the form the driver takes for `sql`."""
        return (tuple(params[name] for name in self.positional)
                if self.positional is not None else params)

    def statement(self, params: dict[str, Any]) -> Statement:
        """The SELECT as a plan's statement (`db.plan`); its rows go through `processed`."""
        return Statement(self.sql, self.bound(params), wants_rows=True)

    def fetch(self, engine: Engine, params: dict[str, Any]) -> list[Any]:
        connection = engine.raw_connection()
        # PostgreSQL: one statement needs no BEGIN/ROLLBACK round trips around it
        autocommit = engine.dialect.name == "postgresql"
        if autocommit:
            connection.driver_connection.autocommit = True  # type: ignore[union-attr]
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql, self.bound(params))
                return list(cursor.fetchall())
            finally:
                cursor.close()
        finally:
            if autocommit:
                connection.driver_connection.autocommit = False  # type: ignore[union-attr]
            connection.close()  # back to the pool, which rolls it back

    def _processed(self, row: Any, start: int, stop: int) -> dict[str, Any]:
        return {name: (process(value) if process is not None and value is not None
                       else value)
                for name, process, value in zip(self.names[start:stop],
                                                self.processors[start:stop],
                                                row[start:stop], strict=True)}

    def rows(self, engine: Engine, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.processed(self.fetch(engine, params))

    def processed(self, fetched: list[Any]) -> list[dict[str, Any]]:
        """Rows the driver returned for `sql`, as Core would return them."""
        names, converted = self.names, self._converted
        out = []
        for row in fetched:
            values = dict(zip(names, row, strict=True))
            for i, name, process in converted:
                value = row[i]
                if value is not None:
                    values[name] = process(value)
            out.append(values)
        return out

    def head_and_rows(self, engine: Engine, params: dict[str, Any], split: int
                      ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """For a one-to-many join whose first `split` columns repeat on every row (a
        parent and its children): the parent's columns once, from the first row, and the
        remaining columns of every row. None and [] when nothing matched."""
        fetched = self.fetch(engine, params)
        if not fetched:
            return None, []
        n = len(self.names)
        return (self._processed(fetched[0], 0, split),
                [self._processed(row, split, n) for row in fetched])
