"""Shared fixtures. Store tests run on SQLite and on PostgreSQL through the ``db`` fixture.

PostgreSQL tests need ``STRAVASYNC_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/stravasync_test``). Without it they skip with a
hint, unless ``STRAVASYNC_TEST_REQUIRE_POSTGRES=1`` (set by .ci/run), when they fail.
"""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stravasync.store import Database, migrate
from stravasync.store.engine import make_engine

PG_ENV = "STRAVASYNC_TEST_POSTGRES_URL"
REQUIRE_PG_ENV = "STRAVASYNC_TEST_REQUIRE_POSTGRES"
PG_HINT = (
    f"PostgreSQL tests skipped: set {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/"
    "stravasync_test (a server you may create databases on) to run them"
)


def _pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _require_pg() -> bool:
    return os.environ.get(REQUIRE_PG_ENV, "") not in ("", "0", "false")


def _admin_url(base: str) -> str:
    return make_url(base).set(database="postgres").render_as_string(hide_password=False)


_counter = itertools.count()


class PostgresFactory:
    """Creates throw-away databases cloned from one migrated template."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.prefix = (make_url(base).database or "stravasync_test") + f"_{os.getpid()}"
        self.template = f"{self.prefix}_tpl"
        self.admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def url_for(self, name: str) -> str:
        return make_url(self.base).set(database=name).render_as_string(hide_password=False)

    def setup_template(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.template}"'))
            conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        engine = make_engine(self.url_for(self.template))
        migrate.upgrade(engine)
        engine.dispose()

    def new_database(self, empty: bool = False) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        template = "template0" if empty else self.template
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        self.created.append(name)
        return self.url_for(name)

    def drop(self, name_url: str) -> None:
        name = make_url(name_url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        with self.admin.connect() as conn:
            for name in [*self.created, self.template]:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_factory() -> Iterator[PostgresFactory | None]:
    base = _pg_base_url()
    if base is None:
        yield None
        return
    factory = PostgresFactory(base)
    try:
        factory.setup_template()
    except Exception as exc:
        if _require_pg():
            pytest.fail(f"PostgreSQL required but unusable at {base}: {exc}", pytrace=False)
        yield None
        return
    yield factory
    factory.close()


def _need_pg(factory: PostgresFactory | None) -> PostgresFactory:
    if factory is None:
        if _require_pg():
            pytest.fail(
                f"PostgreSQL required ({REQUIRE_PG_ENV}=1) but {PG_ENV} is unset or unreachable",
                pytrace=False,
            )
        pytest.skip(PG_HINT)
    return factory


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_factory: PostgresFactory | None,
) -> Iterator[str]:
    """A URL of a fresh database at migration head, once per backend."""
    if request.param == "sqlite":
        path = tmp_path / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    factory = _need_pg(pg_factory)
    url = factory.new_database()
    yield url
    factory.drop(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_factory: PostgresFactory | None
) -> Iterator[str]:
    """A URL of an empty database (no tables), once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    factory = _need_pg(pg_factory)
    url = factory.new_database(empty=True)
    yield url
    factory.drop(url)


@pytest.fixture
def pg_url(pg_factory: PostgresFactory | None) -> Iterator[str]:
    """A fresh PostgreSQL database at head (PostgreSQL-only tests)."""
    factory = _need_pg(pg_factory)
    url = factory.new_database()
    yield url
    factory.drop(url)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url, upgrade=False)
    yield database
    database.close()
