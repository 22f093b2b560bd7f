"""telemetry is a leaf package: every layer may record a metric, so it may import none of them."""

from __future__ import annotations

import ast
from pathlib import Path

KRING_PACKAGES = {"bot", "handlers", "digests", "storage", "ui"}
TELEMETRY = Path(__file__).resolve().parents[2] / "telemetry"


def imported_packages(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_telemetry_imports_no_other_part_of_kring() -> None:
    modules = sorted(TELEMETRY.glob("*.py"))
    assert modules
    for module in modules:
        assert not imported_packages(module) & KRING_PACKAGES, module.name
