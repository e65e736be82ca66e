"""Slice finding: assay.slices.find_slices against the sliceline package (SliceLine in Python).

Data: the sliceline package's own benchmark generator (benchmarks/benchmarks.py there): integer
features of cardinality 10, a planted slice (feature 0 = 1) of error 1 and errors in [0, 0.2)
elsewhere; its settings k=10, max_l=2, min_sup = 1% of the rows, alpha = 0.6 (its default).
Both get the same numpy matrix (assay's time includes its input conversion and binning). The
second case runs assay alone on 1M rows x 50 features to level 3.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from harness import Results, format_seconds, peak_memory, time_call, update_doc  # noqa: E402

SMALL = (50_000, 30)
LARGE = (1_000_000, 50)


def make_data(n_rows: int, n_features: int, cardinality: int = 10, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """The sliceline package's benchmark data (same generator, same seed)."""
    np.random.seed(seed)
    X = np.random.randint(1, cardinality + 1, size=(n_rows, n_features))
    half = n_rows // 2
    X[:half, 0] = 1
    X[half:, 0] = 2
    X[:half, 1] = 1
    X[half:, 1] = np.random.randint(1, cardinality + 1, size=n_rows - half)
    errors = np.zeros(n_rows)
    errors[:half] = 1.0
    errors[half:] = np.random.random(n_rows - half) * 0.2
    return X, errors


def _assay(data: tuple[np.ndarray, np.ndarray], max_level: int = 2, n_jobs: int | None = None):
    from assay.slices import find_slices

    X, errors = data
    support = max(10, len(X) // 100)
    return find_slices(
        X, errors, k=10, max_level=max_level, min_support=support, alpha=0.6, n_jobs=n_jobs, progress=False
    )


def _sliceline(data: tuple[np.ndarray, np.ndarray]):
    from sliceline import Slicefinder

    X, errors = data
    return Slicefinder(k=10, max_l=2, min_sup=max(10, len(X) // 100), verbose=False).fit(X, errors)


def _setup_small():
    return make_data(*SMALL)


def _setup_large():
    return make_data(*LARGE)


def _run_assay_large(data):
    _assay(data, max_level=3)


def main() -> None:
    results = Results("slices")
    small = make_data(*SMALL)
    case = f"{SMALL[0]:,} rows x {SMALL[1]} features, level 2"
    ours = results.add(case, "assay", time_call(lambda: _assay(small), repeat=5))
    results.add(case, "assay, n_jobs=1", time_call(lambda: _assay(small, n_jobs=1), repeat=3))
    lines = []
    try:
        import sliceline  # noqa: F401
    except ImportError:
        lines.append("The sliceline package is not installed: no comparison.")
    else:
        theirs = results.add(case, "sliceline 0.3 (numba)", time_call(lambda: _sliceline(small), repeat=1, warmup=1))
        model = _sliceline(small)
        their_scores = np.array([s["slice_score"] for s in model.top_slices_statistics_])[:10]
        same = np.allclose(_assay(small).score, their_scores, rtol=1e-12)
        lines.append(f"Same top-10 scores as sliceline: {same}.")
        _, their_peak = peak_memory(_setup_small, _sliceline)
        before, our_peak = peak_memory(_setup_small, _assay)
        lines.append(
            f"Peak resident memory: assay {our_peak / 2**20:.0f} MiB, sliceline {their_peak / 2**20:.0f} MiB "
            f"(process before the call {before / 2**20:.0f} MiB); time ratio {theirs / ours:.0f}x."
        )
    large = make_data(*LARGE)
    big = f"{LARGE[0]:,} rows x {LARGE[1]} features, level 3"
    seconds = results.add(big, "assay", time_call(lambda: _assay(large, max_level=3), repeat=2))
    before, after = peak_memory(_setup_large, _run_assay_large)
    levels = _assay(large, max_level=3).levels
    lines.append(
        f"{big}: {format_seconds(seconds)}, peak {after / 2**20:.0f} MiB resident with the input "
        f"({before / 2**20:.0f} MiB before the call); slices evaluated per level {levels}."
    )
    for line in lines:
        print(" ", line)
    update_doc(
        "slices",
        "## Slice finding: SliceLine\n\n"
        "assay.slices.find_slices against the sliceline package on its own benchmark data (k=10, "
        "min_sup = 1% of rows, alpha 0.6).\n\n" + results.markdown() + "\n\n" + "\n\n".join(lines),
        "python benchmarks/run.py slices",
    )


if __name__ == "__main__":
    main()
