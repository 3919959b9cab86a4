"""Core INSERTs and UPDATEs compiled once per dialect and run on the raw DB-API cursor of
a transaction the caller holds (the write side of `db.prepared`).

A PreparedWrite keeps what Core computes for every execution, the SQL text, the
parameter order and each parameter's bind processor (JSON through the engine's
serializer, Decimal text, booleans), and applies them itself, so the stored values are
exactly the ones Core would send. `statement` makes a plan's statement of it (`db.plan`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Engine, Table
from sqlalchemy.sql.dml import ValuesBase

from folio.db.plan import Statement
from folio.db.types import DecimalText

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class PreparedWrite:
    sql: str
    names: tuple[str, ...]  # parameter names, in positional order where the style is one
    processors: tuple[Processor, ...]
    positional: bool
    constants: dict[str, Any]  # the statement's own literal values (`last_value + 1`)
    _converted: tuple[tuple[int, Callable[[Any], Any]], ...] = field(
        init=False, repr=False, compare=False)

    @classmethod
    def build(cls, statement: ValuesBase | Any, engine: Engine,
              column_keys: Sequence[str] | None = None) -> PreparedWrite:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect, column_keys=list(column_keys or ()))
        binds = compiled.binds
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(binds)
        processors = tuple(binds[name].type._cached_bind_processor(dialect)
                           for name in names)
        constants = {name: bind.value for name, bind in binds.items()
                     if not bind.required and name not in (column_keys or ())}
        return cls(sql=compiled.string, names=names, processors=processors,
                   positional=bool(compiled.positional), constants=constants)

    def __post_init__(self) -> None:
        # the parameters that have a bind processor, by position
        object.__setattr__(self, "_converted", tuple(
            (i, process) for i, process in enumerate(self.processors) if process is not None))

    def params(self, values: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for one execution (`values` by parameter name)."""
        if self.constants:
            values = {**self.constants, **values}
        out = [values[name] for name in self.names]
        for i, process in self._converted:
            if out[i] is not None:
                out[i] = process(out[i])
        return tuple(out) if self.positional else dict(zip(self.names, out, strict=True))

    def statement(self, values: dict[str, Any], wants_rows: bool = False) -> Statement:
        """One execution as a plan's statement (`db.plan`); `wants_rows` for RETURNING."""
        return Statement(self.sql, self.params(values), wants_rows=wants_rows)

    def statement_many(self, rows: Iterable[dict[str, Any]]) -> Statement:
        """An executemany over `rows` as a plan's statement."""
        return Statement(self.sql, [self.params(values) for values in rows], many=True)


@dataclass(frozen=True)
class Column:
    name: str  # the column's name, which is its bind parameter's name
    attribute: str  # the mapped attribute's name
    default: Any  # the column's scalar default, applied in place of None
    decimal_text: bool  # stored as DecimalText (a Decimal as its exact text)


def table_columns(model: Any) -> tuple[Column, ...]:
    """Every column of a model's table but the key `id`, with its scalar default (as a
    flush would apply it to an attribute left None)."""
    table: Table = model.__table__
    mapper = model.__mapper__
    out = []
    for col in table.columns:
        if col.name == "id":
            continue
        default: Any = col.default
        value = None if default is None or default.is_callable else default.arg
        out.append(Column(str(col.name), mapper.get_property_by_column(col).key, value,
                          isinstance(col.type, DecimalText)))
    return tuple(out)


def row_of(columns: Iterable[Column], values: dict[str, Any]) -> dict[str, Any]:
    """A record's attribute values (mapped attribute names) as column values."""
    out = {}
    for c in columns:
        value = values[c.attribute]
        out[c.name] = c.default if value is None else value
    return out



class RowsInsert:
    """An INSERT of a batch of a table's rows as one plan statement, given as column
    values (`row_of`), plus `extra` bind values every row shares."""

    def statement(self, rows: Iterable[dict[str, Any]], **extra: Any) -> Statement:
        raise NotImplementedError


@dataclass(frozen=True)
class ManyRowsInsert(RowsInsert):
    """An executemany of a PreparedWrite (SQLite: no round trips to save)."""

    write: PreparedWrite

    def statement(self, rows: Iterable[dict[str, Any]], **extra: Any) -> Statement:
        return self.write.statement_many({**row, **extra} for row in rows)


@dataclass(frozen=True)
class JsonRowsInsert(RowsInsert):
    """PostgreSQL: every row in ONE parameter, a JSON array that `json_populate_recordset`
    turns back into the table's row type. A table as wide as invoices has more columns
    than psycopg caches the parsing of (50 parameters), and parsing and adapting them
    each time cost more than the insert; one short statement with one parameter is
    parsed once, and its JSON is encoded by orjson in one call."""

    sql: str
    decimal_columns: tuple[str, ...]  # stored as DecimalText: sent as their exact text

    @classmethod
    def build(cls, table: Table, columns: Sequence[Column],
              extra: dict[str, str] | None = None) -> JsonRowsInsert:
        """extra: column -> SQL expression of the statement's own bind values (named
        `%(name)s`), for columns not in `columns`."""
        names = [c.name for c in columns]
        targets = ", ".join(f'"{n}"' for n in [*names, *(extra or {})])
        values = ", ".join([*(f'r."{n}"' for n in names), *(extra or {}).values()])
        sql = (f'INSERT INTO "{table.name}" ({targets}) SELECT {values} FROM '
               f'json_populate_recordset(NULL::"{table.name}", %(rows)s::json) AS r')
        return cls(sql, tuple(c.name for c in columns if c.decimal_text))

    def statement(self, rows: Iterable[dict[str, Any]], **extra: Any) -> Statement:
        stored = []
        for row in rows:
            if self.decimal_columns:
                row = dict(row)
                for name in self.decimal_columns:
                    if row[name] is not None:
                        row[name] = _DECIMAL_TEXT.process_bind_param(row[name], _NO_DIALECT)
            stored.append(row)
        return Statement(self.sql, {"rows": orjson.dumps(stored).decode(), **extra})


_DECIMAL_TEXT = DecimalText()
_NO_DIALECT: Any = None  # DecimalText's text does not depend on the dialect
