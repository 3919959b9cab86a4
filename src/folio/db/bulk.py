"""Bulk inserts that skip rows a unique constraint already holds, on SQLite and PostgreSQL,
without ORM objects and without one bound parameter per value.

Each page of rows travels as ONE JSON parameter, which the database unpacks in C
(`json_to_recordset` on PostgreSQL, `json_each` on SQLite) inside one
`INSERT ... SELECT ... ON CONFLICT DO NOTHING` statement. Compared with a multi-row
VALUES list this keeps the statement text constant (cached by SQLAlchemy and prepared by
psycopg) and avoids adapting thousands of parameters in Python.

What comes back is only what is needed to name the rows that were skipped (usually
none): on PostgreSQL the INSERT is a data-modifying CTE and the statement answers one
row, the number written and, only when that is short of the page, the keys written (an
anti-join against the page parsed the JSON document a second time: ~5 ms of server time
per 1,000 rows for an answer that is nearly always empty); SQLite cannot put an INSERT in
a CTE, so there the INSERT returns the keys it wrote (in-process, cheap). Either way the
difference is taken here.

Values must already be in their stored form (Decimal text, JSON-able properties): the
columns' Python-side bind processing does not run on values inside the JSON document.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Table,
    TypeDecorator,
    bindparam,
    case,
    column,
    func,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

PAGE_ROWS = 1000  # rows per statement


def _records(table: Table, columns: tuple[str, ...]) -> Any:
    """The page as a PostgreSQL table: json_to_recordset(:rows) AS anon(col type, ...)."""
    return func.json_to_recordset(bindparam("rows")).table_valued(
        *[column(name, table.c[name].type) for name in columns]
    ).render_derived(with_types=True)


@lru_cache(maxsize=32)
def _statement(dialect: str, table: Table, columns: tuple[str, ...],
               constants: tuple[str, ...], conflict: tuple[str, ...], key: str) -> Any:
    if dialect == "postgresql":
        records = _records(table, columns)
        values: list[ColumnElement[Any]] = [records.c[name] for name in columns]
        query: Any = select(*[bindparam(name) for name in constants], *values)
        written = postgresql.insert(table).from_select([*constants, *columns], query
                                                       ).on_conflict_do_nothing(
            index_elements=list(conflict)).returning(table.c[key]).cte("written")
        count = func.count()
        return select(count, case((count < bindparam("page_rows"),
                                   func.array_agg(written.c[key])))).select_from(written)
    if dialect == "sqlite":
        items = func.json_each(bindparam("rows")).table_valued("value")
        values = [func.json_extract(items.c.value, f"$.{name}") for name in columns]
        # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
        query = select(*[bindparam(name) for name in constants], *values).where(true())
        return sqlite.insert(table).from_select([*constants, *columns], query
                                                ).on_conflict_do_nothing(
            index_elements=list(conflict)).returning(table.c[key])
    raise NotImplementedError(dialect)  # pragma: no cover - Folio runs on these two


def insert_skipping_existing(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                             columns: Sequence[str], constants: dict[str, Any],
                             conflict_columns: Sequence[str], key: str) -> list[Any]:
    """Insert `rows` (their `columns`, plus the same `constants` on every row), skipping
    any that conflict on `conflict_columns` — already stored, or stored by a concurrent
    transaction that committed first. Returns the `key` of every row skipped. `key` must
    be unique within `rows`."""
    dialect = conn.dialect.name
    stmt = _statement(dialect, table, tuple(columns), tuple(constants),
                      tuple(conflict_columns), key)
    skipped: list[Any] = []
    for start in range(0, len(rows), PAGE_ROWS):
        page = rows[start:start + PAGE_ROWS]
        # orjson: ~7x faster than json.dumps here; values are already str/int/bool/None
        page_json = orjson.dumps(page).decode()
        if dialect == "postgresql":
            count, keys = conn.execute(stmt, {"rows": page_json, "page_rows": len(page),
                                              **constants}).one()
            found: Any = keys or ()
            if count == len(page):
                continue
        else:
            found = conn.execute(stmt, {"rows": page_json, **constants}).scalars().all()
            if len(found) == len(page):
                continue
        written = set(found)
        skipped.extend(row[key] for row in page if row[key] not in written)
    return skipped


_COPY_SAVEPOINT = "folio_bulk_copy"


def _with_json_text(row: tuple[Any, ...], json_at: list[int]) -> list[Any]:
    out = list(row)
    for i in json_at:
        if out[i] is not None:
            out[i] = orjson.dumps(out[i]).decode()
    return out


def copy_skipping_existing(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]],
                           columns: Sequence[str], constants: dict[str, Any],
                           conflict_columns: Sequence[str], key: str,
                           copy_text: str | None = None) -> list[Any]:
    """`insert_skipping_existing` for rows given as tuples in `columns` order (JSON
    columns as structures), the fast way when duplicates are rare. `copy_text`: the same
    rows, constants first, already in COPY's text format (a caller that knows its rows
    need no escaping formats them several times faster than psycopg's `write_row`).

    PostgreSQL: the rows are written with `COPY ... FROM STDIN` under a savepoint (each
    value parsed once by the server, no ON CONFLICT probe per row: about half the time of
    the JSON statement). A row whose key is already stored, or stored by a concurrent
    transaction that commits first, fails the COPY with a unique violation (after waiting
    for that transaction, as the JSON statement's ON CONFLICT would); the savepoint is
    then rolled back and the page goes through `insert_skipping_existing`, which names the
    rows skipped. The savepoint is not released: it ends with the transaction. SQLite:
    `_sqlite_values`."""
    names = list(columns)
    if conn.dialect.name == "sqlite":
        return _sqlite_values(conn, table, rows, names, constants, conflict_columns, key)
    from psycopg.errors import UniqueViolation

    if not rows:
        return []
    quote = conn.dialect.identifier_preparer.quote
    all_names = [*constants, *names]
    head = tuple(constants.values())
    json_at = [i + len(head) for i, name in enumerate(names)
               if isinstance(table.c[name].type, JSON)]
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(f"SAVEPOINT {_COPY_SAVEPOINT}")
        try:
            with cursor.copy(f"COPY {quote(table.name)} ({', '.join(map(quote, all_names))}) "
                             "FROM STDIN") as copy:
                if copy_text is not None:
                    copy.write(copy_text)
                else:
                    for row in rows:
                        copy.write_row(_with_json_text(head + row, json_at))
            return []
        except UniqueViolation:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {_COPY_SAVEPOINT}")
    return insert_skipping_existing(conn, table, [dict(zip(names, row, strict=True))
                                                  for row in rows],
                                    names, constants, conflict_columns, key)


@lru_cache(maxsize=16)
def _sqlite_marks(constants: int, width: int, rows: int) -> str:
    """`(?1, ?2, ?4, ?5), (?1, ?2, ?6, ?7)`: the constants' numbered parameters repeated
    in every row, then each row's own."""
    fixed = [f"?{i + 1}" for i in range(constants)]
    return ", ".join("(" + ", ".join([*fixed, *(f"?{constants + 1 + r * width + c}"
                                                for c in range(width))]) + ")"
                     for r in range(rows))


def _sqlite_values(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]],
                   names: list[str], constants: dict[str, Any],
                   conflict_columns: Sequence[str], key: str) -> list[Any]:
    """SQLite: each page as one plain multi-row VALUES statement, the constants bound once
    (?1, ?2, ...) and the rows' values flattened column-wise in C (the statement text is
    the same for every full page, so sqlite3 keeps it prepared). A conflicting row fails
    the statement, which SQLite backs out whole (the transaction goes on); that page and
    the rest then go through the JSON statement, which names the rows skipped."""
    quote = conn.dialect.identifier_preparer.quote
    head, width = list(constants.values()), len(names)
    json_at = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    insert = (f"INSERT INTO {quote(table.name)} "
              f"({', '.join(map(quote, [*constants, *names]))}) VALUES ")
    raw: Any = conn.connection.driver_connection
    for start in range(0, len(rows), PAGE_ROWS):
        page = rows[start:start + PAGE_ROWS]
        columns: list[Any] = list(zip(*page, strict=True))
        for i in json_at:
            columns[i] = [None if v is None else orjson.dumps(v).decode() for v in columns[i]]
        try:
            raw.execute(insert + _sqlite_marks(len(head), width, len(page)),
                        [*head, *chain.from_iterable(zip(*columns, strict=True))])
        except sqlite3.IntegrityError:
            return insert_skipping_existing(conn, table, [dict(zip(names, row, strict=True))
                                                          for row in rows[start:]],
                                            names, constants, conflict_columns, key)
    return []


def row_values(obj: Any, table: Table, dialect: Any) -> dict[str, Any]:
    """The stored form of a transient ORM object's columns (all but the key `id`), for
    `insert_returning`: column defaults applied, TypeDecorator values (Decimal text)
    converted, JSON values kept as structures."""
    mapper = obj.__mapper__
    out: dict[str, Any] = {}
    for col in table.columns:
        if col.name == "id":
            continue
        value = getattr(obj, mapper.get_property_by_column(col).key)
        if value is None and col.default is not None:
            default: Any = col.default
            value = default.arg(None) if default.is_callable else default.arg
        if value is not None and isinstance(col.type, TypeDecorator):
            value = col.type.process_bind_param(value, dialect)
        out[col.name] = value
    return out


@lru_cache(maxsize=32)
def _returning_statement(dialect: str, table: Table, columns: tuple[str, ...],
                         returned: tuple[str, ...]) -> Any:
    target = [table.c[name] for name in returned]
    if dialect == "postgresql":
        records = _records(table, columns)
        query: Any = select(*[records.c[name] for name in columns])
        return postgresql.insert(table).from_select(list(columns), query).returning(*target)
    if dialect == "sqlite":
        items = func.json_each(bindparam("rows")).table_valued("value")
        query = select(*[func.json_extract(items.c.value, f"$.{name}")
                         for name in columns])
        return sqlite.insert(table).from_select(list(columns), query).returning(*target)
    raise NotImplementedError(dialect)  # pragma: no cover - Folio runs on these two


def insert_returning(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                     returned: Sequence[str] = ("id", "public_id")) -> list[tuple[Any, ...]]:
    """Inserts `rows` (all with the same keys, values in stored form, see `row_values`)
    a page of PAGE_ROWS per statement, one JSON parameter each; returns the `returned`
    columns of every row written (in no particular order). A unique violation raises."""
    if not rows:
        return []
    stmt = _returning_statement(conn.dialect.name, table, tuple(rows[0]), tuple(returned))
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), PAGE_ROWS):
        page_json = json_text(list(rows[start:start + PAGE_ROWS]))
        out.extend(tuple(r) for r in conn.execute(stmt, {"rows": page_json}))
    return out


def json_text(value: Any) -> str:
    """`value` as JSON text by orjson, as the engine's JSON columns write it (UTF-8,
    compact); a value orjson does not know (Decimal) as its `str`, as `json.dumps(x,
    default=str)` would; keys that are not plain `str` (a column's `quoted_name`) as
    json.dumps writes them."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


class Encoded(str):
    """A JSON column's value already encoded (`encoded`): `write_rows` writes it as
    it is."""


def encoded(value: Any) -> Encoded:
    return Encoded(json_text(value))


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int] | None:
    """PostgreSQL: `count` new values of the table's `id` sequence, ascending, taken
    without a lock (a rolled-back transaction leaves them unused: ids are not gapless,
    only document numbers are), so rows and the rows referring to them can be built
    before they are written. SQLite (no sequences): None, the ids come back from the
    insert (`insert_returning`)."""
    if conn.dialect.name != "postgresql":
        return None
    if count <= 0:
        return []
    return sorted(conn.execute(_NEXTVAL, {"table": table.name, "n": count}).scalars())


def update_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Updates the rows named by their `id` in `rows` (all with the same keys, values in
    stored form) to the other values given; returns how many were updated. PostgreSQL:
    one `UPDATE ... FROM json_to_recordset(:rows)` per page of PAGE_ROWS (instead of one
    statement per row); SQLite: one executemany in C."""
    if not rows:
        return 0
    names = tuple(name for name in rows[0] if name != "id")
    stmt = _update_statement(conn.dialect.name, table, names)
    if conn.dialect.name != "postgresql":
        moved = conn.execute(stmt, [{**row, "b_id": row["id"]} for row in rows])
        return moved.rowcount if moved.rowcount >= 0 else len(rows)
    count = 0
    for start in range(0, len(rows), PAGE_ROWS):
        page_json = json_text(list(rows[start:start + PAGE_ROWS]))
        count += conn.execute(stmt, {"rows": page_json}).rowcount
    return count


@lru_cache(maxsize=8)
def _update_statement(dialect: str, table: Table, names: tuple[str, ...]) -> Any:
    if dialect == "postgresql":
        records = _records(table, ("id", *names))
        return update(table).where(table.c.id == records.c.id).values(
            {name: records.c[name] for name in names})
    return update(table).where(table.c.id == bindparam("b_id")).values(
        {name: bindparam(name) for name in names})


def prefer_lz4(conn: Connection) -> None:
    """PostgreSQL built with lz4: large values this transaction writes (event payloads
    of a few KB) are TOAST-compressed with lz4 instead of pglz, which costs the server
    less CPU (the columns keep no compression setting of their own; values are read back
    the same either way). Elsewhere nothing."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LZ4)


_LZ4 = text("SELECT set_config('default_toast_compression', 'lz4', true) "
            "FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)")
_NEXTVAL = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :n)")


def write_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts `rows` (all with the same keys, values in stored form, see `row_values`)
    when nothing needs to come back: PostgreSQL `COPY ... FROM STDIN` (each value parsed
    once by the server, no JSON document around the page), SQLite one executemany in C.
    JSON values are serialized here (`json_text`), except those already `Encoded`; a
    unique violation raises."""
    if not rows:
        return
    names = list(rows[0])
    json_at = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)

    def values(row: dict[str, Any]) -> list[Any]:
        out = [row[name] for name in names]
        for i in json_at:
            value = out[i]
            if value is not None and not isinstance(value, Encoded):
                out[i] = ("[]" if value == [] else "{}" if value == {}
                          else json_text(value))
        return out

    if conn.dialect.name == "postgresql":
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
        return
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",
                         [tuple(values(row)) for row in rows])
