"""Every SQL statement lives in storage/, and every shipped package has its place in the layers.

import-linter (``make lint``, contracts in pyproject.toml) checks which package imports which.
It cannot tell ``from sqlalchemy.orm import Session``, which handlers and digests use to type
their ``session`` argument, from ``from sqlalchemy import select``: it sees one external
package. So the statements themselves are looked for here, in the syntax tree.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOT_SHIPPED = {"tests", "benchmarks"}
# What code outside storage/ may take from SQLAlchemy: the types of what it is handed.
ALLOWED_SQLALCHEMY_NAMES = {"Engine", "Session", "sessionmaker"}
# Exceptions, to tell a database failure apart from others, are no statements either.
ALLOWED_SQLALCHEMY_MODULES = {"sqlalchemy.exc"}
# Methods that run SQL when called on a session, connection or engine.
SQL_METHODS = {
    "execute",
    "exec_driver_sql",
    "scalar",
    "scalars",
    "get",
    "add",
    "add_all",
    "delete",
    "merge",
    "query",
    "connection",
    "connect",
}
DATABASE_HANDLE = re.compile(r"(^|_)(session|conn|connection|engine)$")


def _pyproject() -> dict[str, object]:
    with (REPO / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def root_packages() -> list[str]:
    config = _pyproject()["tool"]
    assert isinstance(config, dict)
    roots = config["importlinter"]["root_packages"]
    assert isinstance(roots, list)
    return [str(r) for r in roots]


def top_level_packages() -> set[str]:
    """The repository's top-level Python packages, the tests and benchmarks left out."""
    return {
        p.parent.name
        for p in REPO.glob("*/__init__.py")
        if p.parent.name not in NOT_SHIPPED and not p.parent.name.startswith(".")
    }


def _terminal_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def sql_outside_storage(source: str) -> list[str]:
    """Where ``source`` writes or runs SQL itself: ``line: what`` for each place."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {a.name}"
                for a in node.names
                if a.name.split(".")[0] == "sqlalchemy" and a.name not in ALLOWED_SQLALCHEMY_MODULES
            ]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] != "sqlalchemy" or module in ALLOWED_SQLALCHEMY_MODULES:
                continue
            found += [
                f"{node.lineno}: from {module} import {a.name}"
                for a in node.names
                if a.name not in ALLOWED_SQLALCHEMY_NAMES
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = _terminal_name(node.func.value)
            if (
                node.func.attr in SQL_METHODS
                and receiver is not None
                and DATABASE_HANDLE.search(receiver.lower())
            ):
                found.append(f"{node.lineno}: {receiver}.{node.func.attr}(…)")
    return found


def _modules_outside_storage() -> list[Path]:
    return sorted(
        path
        for package in top_level_packages() - {"storage"}
        for path in (REPO / package).rglob("*.py")
    )


@pytest.mark.parametrize("path", _modules_outside_storage(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_sql_outside_storage(path: Path) -> None:
    found = sql_outside_storage(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(REPO)} writes SQL itself; move the statement into a storage/ "
        "function (taking *, session plus plain values) and call that:\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from sqlalchemy import select", ["1: from sqlalchemy import select"]),
        ("from sqlalchemy import Engine, func", ["1: from sqlalchemy import func"]),
        ("from sqlalchemy.sql import text", ["1: from sqlalchemy.sql import text"]),
        ("import sqlalchemy as sa", ["1: import sqlalchemy"]),
        ("session.execute(stmt)", ["1: session.execute(…)"]),
        ("call.session.get(Person, key)", ["1: session.get(…)"]),
        ("x = 1\nself._session.add(row)", ["2: _session.add(…)"]),
        (
            "with engine.connect() as conn:\n    conn.scalar(q)",
            ["1: engine.connect(…)", "2: conn.scalar(…)"],
        ),
    ],
)
def test_sql_is_found(source: str, expected: list[str]) -> None:
    assert sql_outside_storage(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy.orm import Session, sessionmaker",
        "from sqlalchemy import Engine",
        "from sqlalchemy.exc import OperationalError",
        "import sqlalchemy.exc",
        "names.get(uid, uid)",
        "with deps.sessions.begin() as session:\n    fetch(session=session)",
        "kring.engine.dispose()",
        "sessions = make_sessions(engine)",
    ],
)
def test_types_and_storage_calls_are_no_sql(source: str) -> None:
    assert sql_outside_storage(source) == []


def test_every_top_level_package_has_a_place_in_the_layers() -> None:
    # A package import-linter is not told about is not checked at all: its imports, up or down,
    # would pass unseen.
    missing = top_level_packages() - set(root_packages())
    assert not missing, (
        f"add {sorted(missing)} to [tool.importlinter] root_packages and to a layer or contract "
        "in pyproject.toml"
    )


def test_every_layered_package_is_shipped() -> None:
    config = _pyproject()["tool"]
    assert isinstance(config, dict)
    include = config["setuptools"]["packages"]["find"]["include"]
    assert sorted(f"{p}*" for p in root_packages()) == sorted(include)
