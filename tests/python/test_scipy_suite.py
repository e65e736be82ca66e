"""scipy's own test cases of the two-sample tests, run against assay offline.

scipy ships its tests in the wheel: tools/peer_suites/scipy_evidently.py runs the test
classes of ``SCIPY_SUITE`` from the installed scipy with scipy's functions swapped for
``assay.drift``'s (tools/peer_suites/scipy_swap.py) and counts each test as pass, fail,
unsupported (an option or input assay does not offer) or n/a. docs/drift.md ("Coming
from scipy / Evidently") lists what stays unsupported and why.

This runs the whole suite once (one subprocess, about 40 s of CPU on the shared 2-core
machine) and checks the counts and that every failure is one of the differences the docs
list.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "peer_suites" / "scipy_evidently.py"

# Failures that are documented differences (docs/drift.md), by a piece of the test id.
KNOWN_DIFFERENCES: dict[str, str] = {}


@pytest.fixture(scope="module")
def counts() -> dict:
    spec = importlib.util.spec_from_file_location("scipy_evidently", TOOL)
    assert spec and spec.loader
    tool = importlib.util.module_from_spec(spec)
    sys.modules["scipy_evidently"] = tool
    spec.loader.exec_module(tool)
    import scipy

    return tool.scipy_counts(Path(scipy.__file__).resolve().parents[1])


def test_scipy_suite_runs_and_passes(counts):
    assert counts["pass"] > 300, counts


def test_scipy_suite_unsupported_under_60(counts):
    assert counts["unsupported"] < 60, counts["unsupported_reasons"]


def test_scipy_suite_failures_are_documented_differences(counts):
    unexplained = [f for f in counts["failures"] if not any(k in f for k in KNOWN_DIFFERENCES)]
    assert not unexplained, "\n".join(unexplained)


def test_tool_prints_counts():
    done = subprocess.run([sys.executable, str(TOOL), "--help"], capture_output=True, text=True, check=True)
    assert "scipy_swap.py" in done.stdout
