"""Observed errors of the sketched Anderson-Darling statistic against its stated bound.

For each pair of samples, the core's ColumnSketch states are built as ``assay.dask.drift``
builds them beyond the memory budget (the fixed grid, then, when the bins are coarse, edges
refined from the merged grid states) and ``compare_sketches`` is set beside the exact
single-machine ``drift.compare(..., test="anderson")``. The pairs are the adversarial ones
of tests/python/test_dask_drift_sketch.py, or with ``--big`` three pairs of 1,000,000 values
per sample. Prints, per pair and mode, the exact and sketched statistics, the error, the
bound, the exact p-value and the p-value interval (docs/dask.md, "Anderson-Darling").

Usage: python benchmarks/bench_drift_anderson_sketch.py [--big]
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from assay import drift  # noqa: E402
from assay._core import drift as core  # noqa: E402


def states(x: np.ndarray, y: np.ndarray, refine: bool) -> tuple:
    """The merged states of two samples: on the grid, or on refined edges when the grid's bins are coarse."""
    r, c = core.sketch_column([("v", np.ascontiguousarray(x))]), core.sketch_column([("v", np.ascontiguousarray(y))])
    if refine and core.needs_refinement(r, c):
        edges = core.refined_edges(r, c)
        r = core.sketch_column([("v", np.ascontiguousarray(x))], edges)
        c = core.sketch_column([("v", np.ascontiguousarray(y))], edges)
    return r, c


def big_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    n = 1_000_000
    return {
        "normal_1e6_null": (rng.normal(0, 1, n), rng.normal(0, 1, n)),
        "normal_1e6_shift0.01": (rng.normal(0, 1, n), rng.normal(0.01, 1, n)),
        "uniform_far_1e6": (1000 + rng.uniform(0, 1, n), 1000 + rng.uniform(0, 1, n)),
    }


def main() -> None:
    if "--big" in sys.argv:
        cases = big_cases()
    else:
        from test_dask_drift_sketch import anderson_cases

        cases = anderson_cases()
    header = ("case", "mode", "exact", "sketch", "|error|", "bound", "p exact", "p interval")
    widths = ("<22", "<7", ">10", ">10", ">9", ">9", ">8", ">18")
    print(" ".join(f"{name:{width}}" for name, width in zip(header, widths)))
    for name, (x, y) in cases.items():
        exact = drift.compare(x, y, test="anderson")
        for mode in ("refined", "grid"):
            r, c = states(x, y, mode == "refined")
            got = core.compare_sketches("v", r, c, core.Test.anderson, math.nan)
            error = abs(got.statistic - exact.statistic)
            interval = "exact" if got.exact else f"[{got.pvalue_low:.4g}, {got.pvalue_high:.4g}]"
            held = error <= got.statistic_bound + 1e-9 * abs(exact.statistic) or (
                math.isnan(exact.statistic) and math.isnan(got.statistic)
            )
            print(
                f"{name:22} {mode:7} {exact.statistic:10.4f} {got.statistic:10.4f} {error:9.3g} "
                f"{got.statistic_bound:9.3g} {exact.pvalue:8.4g} {interval:>18} {'ok' if held else 'VIOLATED'}"
            )


if __name__ == "__main__":
    main()
