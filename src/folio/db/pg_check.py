"""`python -m folio.db.pg_check URL [--reset]`: fail loudly when PostgreSQL cannot be
reached, so a test run never skips PostgreSQL silently. `--reset` also empties the database's
public schema (the test database only: `alembic check` then starts from nothing, as it does
on SQLite)."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text


def main(url: str, reset: bool = False) -> int:
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
            if reset:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
                conn.commit()
        engine.dispose()
    except Exception as exc:
        print(f"PostgreSQL is unreachable at {url}: {exc}", file=sys.stderr)
        return 1
    print(f"PostgreSQL {version} reachable")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], reset="--reset" in sys.argv[2:]))
