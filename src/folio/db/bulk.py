"""Bulk inserts that skip rows a unique constraint already holds, on SQLite and PostgreSQL,
without ORM objects and without one bound parameter per value.

Each page of rows travels as ONE JSON parameter, which the database unpacks in C
(`json_to_recordset` on PostgreSQL, `json_each` on SQLite) inside one
`INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING` statement. Compared with a
multi-row VALUES list this keeps the statement text constant (cached by SQLAlchemy and
prepared by psycopg) and avoids adapting thousands of parameters in Python.

Values must already be in their stored form (Decimal text, JSON-able properties): the
columns' Python-side bind processing does not run on values inside the JSON document.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, column, func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

PAGE_ROWS = 1000  # rows per statement


@lru_cache(maxsize=32)
def _statement(dialect: str, table: Table, columns: tuple[str, ...],
               constants: tuple[str, ...], conflict: tuple[str, ...], returning: str) -> Any:
    if dialect == "postgresql":
        records = func.json_to_recordset(bindparam("rows")).table_valued(
            *[column(name, table.c[name].type) for name in columns]
        ).render_derived(with_types=True)
        values: list[ColumnElement[Any]] = [records.c[name] for name in columns]
        insert: Any = postgresql.insert
        where = None
    elif dialect == "sqlite":
        items = func.json_each(bindparam("rows")).table_valued("value")
        values = [func.json_extract(items.c.value, f"$.{name}") for name in columns]
        insert = sqlite.insert
        where = true()  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
    else:  # pragma: no cover - Folio runs on these two
        raise NotImplementedError(dialect)
    query: Any = select(*[bindparam(name) for name in constants], *values)
    if where is not None:
        query = query.where(where)
    return insert(table).from_select([*constants, *columns], query).on_conflict_do_nothing(
        index_elements=list(conflict)).returning(table.c[returning])


def insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
               columns: Sequence[str], constants: dict[str, Any],
               conflict_columns: Sequence[str], returning: str) -> list[Any]:
    """Insert `rows` (their `columns`, plus the same `constants` on every row), skipping
    any that conflict on `conflict_columns` — already stored, or stored by a concurrent
    transaction that committed first. Returns the `returning` value of each row inserted."""
    if not rows:
        return []
    stmt = _statement(conn.dialect.name, table, tuple(columns), tuple(constants),
                      tuple(conflict_columns), returning)
    inserted: list[Any] = []
    for start in range(0, len(rows), PAGE_ROWS):
        page = json.dumps(list(rows[start:start + PAGE_ROWS]), separators=(",", ":"),
                          ensure_ascii=False)
        inserted.extend(conn.execute(stmt, {"rows": page, **constants}).scalars().all())
    return inserted
