"""Test databases: SQLite always, PostgreSQL when KRING_TEST_DATABASE_URL is set.

Each PostgreSQL test gets a schema of its own, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_ENV = "KRING_TEST_DATABASE_URL"
SKIP_PG = "PostgreSQL tests need KRING_TEST_DATABASE_URL (CI sets it; see .ci/run)"


def pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of ``kind`` ('sqlite' or 'postgresql') as a URL."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'kring-test.db'}"
        return
    base = pg_base_url()
    if base is None:
        pytest.skip(SKIP_PG)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
