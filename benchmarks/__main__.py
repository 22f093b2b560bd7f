"""Run Kring's benchmarks: ``python -m benchmarks [name ...]`` (``make bench`` runs them all).

Each module in ``BENCHES`` exposes ``run(out)`` and reports every figure through ``out(name,
value, unit)``, printed as ``name: value unit``; budgets go through ``benchmarks.common.budget``.
The exit status is 1 when any budget failed, 2 for an unknown benchmark name.

Asked for more than one benchmark (``make bench`` asks for all), each runs in a process of its
own: in one shared process the memory one benchmark left behind counted in the next one's peak
RSS (the backfill's budget), and its millions of live objects lengthened every garbage
collection pause in the next one's timings.
"""

from __future__ import annotations

import importlib
import os
import subprocess
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
    machine, and on a shared one other work (a test run, say) inflates every timing. (The
    one-minute average still holds the previous benchmark's own work for a while.)"""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    common.note(f"{name}: load average {load:.2f} on {cores} cores at the start")


def _run(name: str) -> None:
    _note_load(name)
    started = time.perf_counter()
    module = importlib.import_module(name)
    module.run(common.figure)
    common.note(f"{name} took {time.perf_counter() - started:.1f} s")


def _in_own_process(name: str) -> list[str]:
    """Run one benchmark as ``python -m benchmarks <name>``, passing its lines through; the
    budgets it failed."""
    failed = []
    with subprocess.Popen(
        [sys.executable, "-m", "benchmarks", name], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            verdict = line.split(": ", 1)
            if line.startswith("budget_") and verdict[1].startswith("FAILED"):
                failed.append(verdict[0].removeprefix("budget_"))
    if child.returncode not in (0, 1):  # crashed rather than judged
        failed.append(f"{name.removeprefix('benchmarks.')} (exit status {child.returncode})")
    return failed


def main(argv: Sequence[str]) -> int:
    known = {_module_name(b) for b in BENCHES}
    selected = [_module_name(a) for a in argv] or list(BENCHES)
    unknown = [name for name in selected if name not in known]
    if unknown:
        short = ", ".join(b.removeprefix("benchmarks.") for b in BENCHES)
        print(f"unknown benchmark {', '.join(unknown)}; choose from: {short}", file=sys.stderr)
        return 2
    if len(selected) > 1:
        failed = [budget for name in selected for budget in _in_own_process(name)]
    else:
        _run(selected[0])
        failed = common.failures()
    if failed:
        print(f"{len(failed)} budget(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
