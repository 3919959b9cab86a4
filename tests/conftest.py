"""Test fixtures: a real database (SQLite file or PostgreSQL) built by Alembic once per
session, an app per test session, and a fresh tenant per test (so tests never share
rows and never need cleaning).

FOLIO_TEST_DATABASE_URL selects the database; the default is a SQLite file in a temp
directory. `make test` runs the suite once on each database.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from folio.api.app import create_app
from folio.config import Settings
from folio.db import migrate
from folio.db.engine import Database, is_sqlite
from folio.db.models import Base
from folio.services.accounts import IssuedKeys, create_account

SECRET = "test-secret"


def seeds_openapi_dir() -> Path:
    """The seeds' OpenAPI texts: `shared/seeds/openapi` beside the checkout, or beside a
    folder above it (a git worktree may sit deeper than the main checkout)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "seeds" / "openapi"
        if candidate.is_dir():
            return candidate
    return Path(__file__).parents[1].parent / "shared" / "seeds" / "openapi"


def _database_url() -> str:
    url = os.environ.get("FOLIO_TEST_DATABASE_URL")
    if url:
        return url
    path = Path(tempfile.mkdtemp(prefix="folio-test-")) / "folio.db"
    return f"sqlite:///{path}"


def _reset(url: str) -> None:
    """Start from an empty database, then build it with the migrations."""
    db = Database(url)
    if is_sqlite(url):
        Base.metadata.drop_all(db.engine)
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.dispose()
    migrate.upgrade(url)


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _database_url()
    _reset(url)
    return url


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret=SECRET, host="127.0.0.1", port=0,
                    log_level="warning", migrate_on_start=False, access_log=False)


@pytest.fixture(scope="session")
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, db)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@dataclass
class Tenant:
    keys: IssuedKeys
    client: TestClient

    @property
    def id(self) -> str:
        return self.keys.account.public_id

    def headers(self, live: bool = False, **extra: str) -> dict[str, str]:
        key = self.keys.live_key if live else self.keys.test_key
        return {"Authorization": f"Bearer {key}", **extra}

    def post(self, path: str, json: dict | None = None, live: bool = False,  # type: ignore[type-arg]
             **headers: str):  # type: ignore[no-untyped-def]
        return self.client.post(path, json=json if json is not None else {},
                                headers=self.headers(live, **headers))

    def get(self, path: str, live: bool = False, **params: object):  # type: ignore[no-untyped-def]
        return self.client.get(path, params=params or None, headers=self.headers(live))

    def delete(self, path: str, live: bool = False):  # type: ignore[no-untyped-def]
        return self.client.delete(path, headers=self.headers(live))

    def ok(self, method: str, path: str, json: dict | None = None) -> dict:  # type: ignore[type-arg]
        response = self.post(path, json) if method == "POST" else self.get(path)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


def make_tenant(db: Database, client: TestClient, name: str = "Tenant",
                platform: str | None = None, numbering: str = "account") -> Tenant:
    with db.transaction() as session:
        keys = create_account(session, SECRET, name=name, platform_public_id=platform,
                              numbering_scope=numbering)
    return Tenant(keys=keys, client=client)


@pytest.fixture
def tenant(db: Database, client: TestClient) -> Tenant:
    return make_tenant(db, client)


@pytest.fixture
def other_tenant(db: Database, client: TestClient) -> Tenant:
    return make_tenant(db, client, name="Other")
