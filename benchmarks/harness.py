"""The benchmark harness every engine shares.

A benchmark runs assay and its reference on the same data in the same run, takes the
median of repeated timings, optionally measures peak memory in a fresh process, and
prints a table with the ratio to the reference. ``update_doc`` writes the table into
its own section of docs/benchmarks.md together with the command that reproduces it.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


@dataclass
class Timing:
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def time_call(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1, max_seconds: float = 60.0) -> Timing:
    """Median-ready timings of ``fn()``; stops repeating once ``max_seconds`` are spent."""
    for _ in range(warmup):
        fn()
    seconds: list[float] = []
    spent = 0.0
    while len(seconds) < repeat and (not seconds or spent < max_seconds):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
        spent += seconds[-1]
    return Timing(seconds)


def _status_bytes(field: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")


def _peak_child(setup: Callable[[], Any], run: Callable[[Any], Any], queue: Any) -> None:
    state = setup()
    # Forget the peak that building the input reached (writing 5 to clear_refs resets
    # VmHWM), so that the peak measured next is the call's own.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_bytes("VmRSS")
    run(state)
    queue.put((before, _status_bytes("VmHWM")))


def peak_memory(setup: Callable[[], Any], run: Callable[[Any], Any]) -> tuple[int, int]:
    """(resident memory after setup, peak resident memory during run) in bytes, measured in
    a fresh process (Linux).

    ``setup`` builds the input, ``run(state)`` does the work; both must be picklable
    module-level functions. The difference is the extra memory the work needed.
    """
    # spawn, not fork: a child forked after OpenMP started its threads can deadlock.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_peak_child, args=(setup, run, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


@dataclass
class Row:
    case: str
    contender: str
    seconds: float
    note: str = ""


@dataclass
class Results:
    """Rows of one benchmark; ratios are against the row named ``baseline`` per case."""

    title: str
    rows: list[Row] = field(default_factory=list)

    def add(self, case: str, contender: str, timing: Timing | float, note: str = "") -> float:
        seconds = timing.median if isinstance(timing, Timing) else float(timing)
        self.rows.append(Row(case, contender, seconds, note))
        print(f"  {case:40} {contender:32} {seconds * 1e3:12.2f} ms {note}", flush=True)
        return seconds

    def markdown(self, baseline: str = "assay") -> str:
        lines = ["| case | contender | median time | time / assay's | note |", "|---|---|---:|---:|---|"]
        base = {r.case: r.seconds for r in self.rows if r.contender == baseline}
        for r in self.rows:
            ratio = r.seconds / base[r.case] if r.case in base and base[r.case] > 0 else float("nan")
            lines.append(f"| {r.case} | {r.contender} | {format_seconds(r.seconds)} | {ratio:.1f}x | {r.note} |")
        return "\n".join(lines)


def format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def machine() -> str:
    import numpy

    try:
        from assay import __version__ as assay_version
    except ImportError:  # pragma: no cover
        assay_version = "?"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"assay {assay_version}"
    )


def update_doc(section: str, markdown: str, command: str) -> None:
    """Replaces (or appends) the section ``section`` of docs/benchmarks.md."""
    DOC.parent.mkdir(exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    stamp = time.strftime("%Y-%m-%d")
    body = (
        f"<!-- begin {section} -->\n{markdown}\n\nMeasured {stamp} on {machine()}.\n"
        f"Reproduce: `{command}`\n<!-- end {section} -->"
    )
    pattern = re.compile(rf"<!-- begin {re.escape(section)} -->.*?<!-- end {re.escape(section)} -->", re.S)
    text = pattern.sub(lambda _: body, text) if pattern.search(text) else text.rstrip() + "\n\n" + body + "\n"
    DOC.write_text(text, encoding="utf-8")
