"""Core statements compiled once per dialect and run straight on the DBAPI cursor.

For the ingest hot path only: building, cache-keying and executing a statement through the
Connection costs several times what the database itself spends on a small INSERT. A
:class:`Prepared` keeps what SQLAlchemy would work out on every execution — the SQL string of
the dialect, the order of the parameters and each column type's bind processor — so a row
costs one tuple (or dict) and one driver call. The statements are still SQLAlchemy Core
constructs; only their execution skips the Connection. They run on the connection of the
caller's session, inside the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, cast

from sqlalchemy import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Params = tuple[Any, ...] | dict[str, Any]


class Prepared:
    """One statement compiled for one dialect; :meth:`params` turns a row into driver params.

    Every parameter of the compiled statement must come in each row (nothing is filled in from
    column defaults), so a column added later fails loudly instead of being stored as NULL.
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        names: Sequence[str] = (
            compiled.positiontup or [] if self.positional else list(compiled.binds)
        )
        self.placeholder = "?"
        if not self.positional and dialect.paramstyle == "pyformat":
            # psycopg takes positional ``%s`` as well: positional rows can be repeated into
            # one multi-row statement, as on SQLite.
            names = _PYFORMAT.findall(self.sql)
            self.sql = _PYFORMAT.sub("%s", self.sql)
            self.positional = True
            self.placeholder = "%s"
        processors: list[Callable[[Any], Any] | None] = []
        for name in names:
            bind = compiled.binds[name]
            processors.append(bind.type.dialect_impl(dialect).bind_processor(dialect))
        self.names = tuple(names)
        self.processors = tuple(processors)
        self._converting = tuple(
            (i, name, proc)
            for i, (name, proc) in enumerate(zip(names, processors, strict=True))
            if proc is not None
        )
        self._rows = (
            _row_parts(self.sql, len(self.names), self.placeholder) if self.positional else None
        )
        self._many_sql: dict[int, str] = {}

    def params(self, row: Mapping[str, Any]) -> Params:
        """The driver's parameters for ``row`` (keys are the statement's parameter names)."""
        if self.positional:
            values = [row[name] for name in self.names]
            for i, _, proc in self._converting:
                values[i] = proc(values[i])
            return tuple(values)
        out = {name: row[name] for name in self.names}
        for _, name, proc in self._converting:
            out[name] = proc(out[name])
        return out

    def execute_many(self, cursor: Any, params: Sequence[Params]) -> None:
        """Run the statement once per entry of ``params`` (each from :meth:`params`).

        A single-row INSERT with positional parameters runs as one statement of up to
        ``MANY_ROWS`` rows (``VALUES (…), (…)`` or ``SELECT … UNION ALL SELECT …``): one driver
        call instead of one per row. (SQLite's driver releases and retakes the GIL for every
        row of an ``executemany``, and each hand-over costs the other threads a context
        switch; psycopg's own ``executemany`` costs far more Python per row.) Anything else
        goes to the driver's ``executemany``.
        """
        if not params:
            return
        if self._rows is None:
            cursor.executemany(self.sql, params)
            return
        for start in range(0, len(params), MANY_ROWS):
            chunk = params[start : start + MANY_ROWS]
            cursor.execute(self._sql_for(len(chunk)), [v for row in chunk for v in row])

    def returned(self, cursor: Any, params: Sequence[Params]) -> list[tuple[Any, ...]]:
        """Like :meth:`execute_many` for a statement with RETURNING: every row it returned."""
        out: list[tuple[Any, ...]] = []
        if self._rows is None:
            for one in params:
                cursor.execute(self.sql, one)
                out += cursor.fetchall()
            return out
        for start in range(0, len(params), MANY_ROWS):
            chunk = params[start : start + MANY_ROWS]
            cursor.execute(self._sql_for(len(chunk)), [v for row in chunk for v in row])
            out += cursor.fetchall()
        return out

    def _sql_for(self, rows: int) -> str:
        if rows == 1:
            return self.sql
        sql = self._many_sql.get(rows)
        if sql is None:
            assert self._rows is not None
            head, row, sep, tail = self._rows
            sql = self._many_sql[rows] = head + sep.join([row] * rows) + tail
        return sql


# SQLite allows 500 terms in a compound SELECT and 32766 parameters per statement.
MANY_ROWS = 400

_PYFORMAT = re.compile(r"%\(([^)]+)\)s")


def _row_parts(sql: str, params: int, placeholder: str) -> tuple[str, str, str, str] | None:
    """Split ``INSERT INTO t (cols) <row> <tail>`` into (head, row, separator, tail), where
    ``<row>`` is ``VALUES (?, …)`` or a ``SELECT`` without FROM, so that the row can be
    repeated; None for any other shape (or when ``<row>`` does not hold every parameter)."""
    if not sql.startswith("INSERT INTO ") or sql.count(placeholder) != params:
        return None
    columns_end = sql.find(") ")
    tail_at = sql.rfind(" ON CONFLICT ")
    if columns_end < 0:
        return None
    if tail_at < 0:
        if " RETURNING " in sql:
            return None
        tail_at = len(sql)
    head, row, tail = sql[: columns_end + 2], sql[columns_end + 2 : tail_at], sql[tail_at:]
    if row.startswith("VALUES (") and row.endswith(")") and row.count("(") == 1:
        return head + "VALUES ", row[len("VALUES ") :], ", ", tail
    if tail and row.startswith("SELECT ") and "\nFROM" not in row.split("WHERE", 1)[0]:
        return head, row, " UNION ALL ", tail
    return None


def _pipeline(dbapi_connection: Any) -> AbstractContextManager[Any]:
    """psycopg's pipeline mode, where the driver has it; nothing otherwise."""
    pipeline = getattr(dbapi_connection, "pipeline", None)
    return pipeline() if pipeline is not None else nullcontext()


@contextmanager
def dbapi_cursor(session: Session) -> Iterator[Any]:
    """A DBAPI cursor on the session's connection, inside its current transaction.

    On psycopg the block runs in pipeline mode: statements go out without waiting for each
    other's answers, and the client waits only where it reads a result (and at the end), so
    a batch costs a round trip or two instead of one per statement.
    """
    dbapi = session.connection().connection
    with _pipeline(dbapi.dbapi_connection):
        cursor = dbapi.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


_CACHE: dict[tuple[str, str, str], Prepared] = {}


def prepared(key: str, dialect: Dialect, build: Callable[[], ClauseElement]) -> Prepared:
    """The statement ``build()`` compiled for ``dialect``; built once per key and dialect."""
    cache_key = (key, dialect.name, dialect.driver)
    found = _CACHE.get(cache_key)
    if found is None:
        found = _CACHE[cache_key] = Prepared(build(), dialect)
    return found


@contextmanager
def transaction(dbapi_connection: Any, dialect: Dialect) -> Iterator[Any]:
    """A transaction straight on a DBAPI connection: a cursor inside it, committed when the
    block ends and rolled back when it raises.

    For the post writer, which keeps a connection of its own: a Session's begin and commit
    cost more than the whole SQLite transaction they wrap. As in every Kring write
    transaction, SQLite takes the write lock up front (``BEGIN IMMEDIATE``); on psycopg the
    statements and the commit go out in one pipeline.
    """
    if dialect.name == "sqlite":
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            yield cursor
            cursor.execute("COMMIT")
        except BaseException:
            if dbapi_connection.in_transaction:
                dbapi_connection.rollback()
            raise
        finally:
            cursor.close()
        return
    try:
        with _pipeline(dbapi_connection):
            cursor = dbapi_connection.cursor()
            yield cursor
            dbapi_connection.commit()
    except BaseException:
        dbapi_connection.rollback()
        raise
