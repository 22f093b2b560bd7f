"""Engine, sessions and schema migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import math
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Engine, create_engine, event, literal_column, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.sql.dml import Insert

from storage import fulltext
from storage.models import Base
from telemetry.metrics import DATABASE_ERRORS

MIGRATIONS = Path(__file__).with_name("migrations")
T = TypeVar("T")


def _safe_exp(x: float | None) -> float | None:
    if x is None:
        return None
    return math.exp(min(x, 700.0))


def _safe_ln(x: float | None) -> float | None:
    if x is None or x <= 0:
        return None
    return math.log(x)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and write-ahead locking."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event own transactions (pysqlite's own is too lazy).
            dbapi_conn.isolation_level = None
            # PostgreSQL has exp() and ln(); SQLite only with its math functions compiled in
            # (the usual builds have them: a Python stand-in would be far slower).
            try:
                dbapi_conn.execute("SELECT exp(0.0), ln(1.0)")
            except sqlite3.OperationalError:
                dbapi_conn.create_function("exp", 1, _safe_exp, deterministic=True)
                dbapi_conn.create_function("ln", 1, _safe_ln, deterministic=True)
            # The full-text triggers on posts call it (migration 0007).
            fulltext.register(dbapi_conn)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if url not in ("sqlite://", "sqlite:///:memory:"):
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front: a deferred transaction that reads and
            # then writes fails at once with "database is locked" instead of waiting its turn.
            # Read-only work (see read_only) takes no lock: in WAL mode it reads a snapshot
            # while writers go on.
            read = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

    else:
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    event.listen(engine, "handle_error", _count_error)
    return engine


def _count_error(context: Any) -> None:
    DATABASE_ERRORS.labels(type(context.original_exception).__name__).inc()


READ_ONLY = "kring_read_only"


def read_only(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for transactions that only read, on the same engine and pool.

    On SQLite they do not take the write lock, so a long read (a batch of digests being built)
    never holds up the recording of posts. Writing in one of them may fail with "database is
    locked" instead of waiting: use them for reads only. Elsewhere they are ordinary sessions.
    """
    bind = sessions.kw["bind"]
    return sessionmaker(bind.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory; callers own transactions with ``with sessions.begin() as session``."""
    return sessionmaker(engine, expire_on_commit=False)


def insert_ignore(engine_or_session: Engine | Session, model: type[Base]) -> Insert:
    """An INSERT that silently skips rows whose unique key already exists (both dialects).

    The statement targets the model's table, so ``session.execute`` runs it as plain Core
    (not the ORM bulk-insert path, which costs about a millisecond more per event on ingest)
    and, unlike ORM statements, it does not autoflush: flush pending objects first. Parameter
    keys are column names. The statement is built once per dialect and model; it is immutable
    (``.values()``/``.returning()`` return new statements), so sharing it is safe.
    """
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return _insert_ignore(bind.dialect.name, model)


@functools.cache
def _insert_ignore(dialect: str, model: type[Base]) -> Insert:
    table: Any = model.__table__
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    result: Insert = stmt
    return result


def as_expression(column: InstrumentedAttribute[str]) -> ColumnElement[str]:
    """``column`` as an expression with the same values, to group by: SQLite would otherwise
    read a whole index in that column's order (to skip a sort) instead of the few rows the
    query needs from a better one."""
    return column.concat(literal_column("''"))


def chunked(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """Slices of at most ``size``: keeps IN lists and multi-row inserts within driver limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; None for PostgreSQL and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def probe(engine: Engine) -> None:
    """Ask the database a trivial query; raises whatever the driver raises when it can't answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        probe(engine)
        return True
    except Exception:
        return False


def schema_revisions(engine: Engine) -> tuple[set[str], set[str]]:
    """The database's Alembic revisions and the newest ones Kring ships."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    url = engine.url.render_as_string(hide_password=False)
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current, heads


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; escape it in passwords.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
