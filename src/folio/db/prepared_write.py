"""Core INSERTs and UPDATEs compiled once per dialect and run on the raw DB-API cursor of
a transaction the caller holds (the write side of `db.prepared`).

A PreparedWrite keeps what Core computes for every execution, the SQL text, the
parameter order and each parameter's bind processor (JSON through the engine's
serializer, Decimal text, booleans), and applies them itself, so the stored values are
exactly the ones Core would send. `PreparedSelect`s run on the same cursor with `fetch`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy.sql.dml import ValuesBase

from folio.db.prepared import PreparedSelect
from folio.db.types import DecimalText

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class PreparedWrite:
    sql: str
    names: tuple[str, ...]  # parameter names, in positional order where the style is one
    processors: tuple[Processor, ...]
    positional: bool
    constants: dict[str, Any]  # the statement's own literal values (`last_value + 1`)

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

    def params(self, values: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for one execution (`values` by parameter name)."""
        if self.constants:
            values = {**self.constants, **values}
        out = [values[name] for name in self.names]
        for i, process in enumerate(self.processors):
            if process is not None and out[i] is not None:
                out[i] = process(out[i])
        return tuple(out) if self.positional else dict(zip(self.names, out, strict=True))


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
        out.append(Column(col.name, mapper.get_property_by_column(col).key, value,
                          isinstance(col.type, DecimalText)))
    return tuple(out)


def row_of(columns: Iterable[Column], values: dict[str, Any]) -> dict[str, Any]:
    """A record's attribute values (mapped attribute names) as column values."""
    out = {}
    for c in columns:
        value = values[c.attribute]
        out[c.name] = c.default if value is None else value
    return out


def fetch(cursor: Any, prepared: PreparedSelect, params: dict[str, Any]
          ) -> list[dict[str, Any]]:
    """The rows of a prepared SELECT run on `cursor`, processed as Core would."""
    bound: Any = (tuple(params[name] for name in prepared.positional)
                  if prepared.positional is not None else params)
    cursor.execute(prepared.sql, bound)
    names, processors = prepared.names, prepared.processors
    return [{name: (process(value) if process is not None and value is not None else value)
             for name, process, value in zip(names, processors, row, strict=True)}
            for row in cursor.fetchall()]
