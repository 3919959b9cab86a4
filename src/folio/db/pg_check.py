"""`python -m folio.db.pg_check URL`: fail loudly when PostgreSQL cannot be reached, so a
test run never skips PostgreSQL silently."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text


def main(url: str) -> int:
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    except Exception as exc:
        print(f"PostgreSQL is unreachable at {url}: {exc}", file=sys.stderr)
        return 1
    print(f"PostgreSQL {version} reachable")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
