"""Run Kring's benchmarks: ``python -m benchmarks [name ...]`` (``make bench`` runs them all).

Each module in ``BENCHES`` exposes ``run(out)`` and reports every figure through ``out(name,
value, unit)``, printed as ``name: value unit``; budgets go through ``benchmarks.common.budget``.
The exit status is 1 when any budget failed, 2 for an unknown benchmark name.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Sequence

from benchmarks import common

# Add new benchmark modules here; each needs ``run(out: Callable[[str, float, str], None])``.
BENCHES = [
    "benchmarks.ingest",
    "benchmarks.digest",
    "benchmarks.connect",
    "benchmarks.search",
    "benchmarks.load",
    "benchmarks.backfill",
]


def _module_name(name: str) -> str:
    return name if name.startswith("benchmarks.") else f"benchmarks.{name}"


def _note_load(name: str) -> None:
    """Say how busy the machine is before a benchmark starts: the budgets are for a quiet
    machine, and on a shared one other work (a test run, say) inflates every timing."""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    busy = " (busy: timings will read high)" if load > cores / 2 else ""
    common.note(f"{name}: load average {load:.2f} on {cores} cores at the start{busy}")


def main(argv: Sequence[str]) -> int:
    known = {_module_name(b) for b in BENCHES}
    selected = [_module_name(a) for a in argv] or list(BENCHES)
    unknown = [name for name in selected if name not in known]
    if unknown:
        short = ", ".join(b.removeprefix("benchmarks.") for b in BENCHES)
        print(f"unknown benchmark {', '.join(unknown)}; choose from: {short}", file=sys.stderr)
        return 2
    for name in selected:
        _note_load(name)
        started = time.perf_counter()
        module = importlib.import_module(name)
        module.run(common.figure)
        common.note(f"{name} took {time.perf_counter() - started:.1f} s")
    failed = common.failures()
    if failed:
        print(f"{len(failed)} budget(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
