"""Drift benchmarks: assay against scipy/numpy on the same data in the same run.

1. Column report, 1M reference + 1M current rows x 100 numeric + 20 categorical columns:
   KS, normalised Wasserstein, PSI and JS for numeric columns; chi-square, PSI and JS for
   categorical ones. Contenders: assay.drift.report (also with tests='auto', i.e. the
   tests Evidently's preset runs); the same statistics computed with a
   scipy/numpy loop over columns (Evidently's definitions: Sturges bins on both samples,
   zero filling for PSI); Evidently's data drift preset (Report([DataDriftPreset()]), its
   default tests: normalised Wasserstein for numeric and Jensen-Shannon for categorical
   columns) timed on the first 10% of the rows and scaled linearly (its sorts grow
   slightly faster than linearly, so this flatters Evidently); and the read-once
   bound of sorting both samples of every numeric column with numpy. Evidently 0.7.23
   does not import with pandas 3: it runs in its own environment (ASSAY_EVIDENTLY_PYTHON,
   default .venv-evidently, made by ./dev.sh test or ./dev.sh bench) through
   tests/python/evidently_runner.py, on the same data written as parquet.
2. MMD permutation test, 5k + 5k rows x 20 features, 1,000 permutations: assay.drift.mmd
   against numpy implementations that hold the full kernel matrix.

Set ASSAY_BENCH_SCALE (default 1.0) to shrink the row counts, e.g. 0.1 for a quick run.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from assay import drift
from harness import Results, time_call, update_doc
from scipy import stats
from scipy.spatial.distance import jensenshannon

SCALE = float(os.environ.get("ASSAY_BENCH_SCALE", "1.0"))
N_NUMERIC, N_CATEGORICAL = 100, 20
COMMAND = "./dev.sh bench drift"
ROOT = Path(__file__).resolve().parent.parent
EVIDENTLY_FRACTION = 0.1  # Evidently takes about 10 minutes on the full data: time a part, scale linearly


def make_tables(n_rows: int) -> tuple[dict, dict]:
    rng = np.random.default_rng(0)
    reference, current = {}, {}
    for j in range(N_NUMERIC):
        reference[f"x{j}"] = rng.normal(size=n_rows)
        current[f"x{j}"] = rng.normal(0.01 * (j % 7), 1.0, size=n_rows)
    labels = np.array([f"level_{k}" for k in range(12)], dtype=object)
    for j in range(N_CATEGORICAL):
        reference[f"c{j}"] = labels[rng.integers(0, 12, n_rows)]
        current[f"c{j}"] = labels[rng.integers(0, 12 - j % 3, n_rows)]
    return reference, current


def fill_zeros(p: np.ndarray) -> np.ndarray:
    p = p.copy()
    positive = p[p > 0]
    p[p == 0] = positive.min() / 1e6 if positive.min() <= 1e-4 else 1e-4
    return p


def psi(p: np.ndarray, q: np.ndarray) -> float:
    p, q = fill_zeros(p), fill_zeros(q)
    return float(np.sum((p - q) * np.log(p / q)))


def scipy_loop(reference: dict, current: dict) -> list:
    """The same statistics, column by column, with scipy and numpy."""
    out = []
    for j in range(N_NUMERIC):
        ref, cur = reference[f"x{j}"], current[f"x{j}"]
        ks = stats.ks_2samp(ref, cur)
        wasserstein = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        p, q = np.histogram(ref, edges)[0] / len(ref), np.histogram(cur, edges)[0] / len(cur)
        out.append((ks.pvalue, wasserstein, psi(p, q), jensenshannon(p, q)))
    for j in range(N_CATEGORICAL):
        ref, cur = reference[f"c{j}"], current[f"c{j}"]
        keys, codes = np.unique(np.concatenate([ref, cur]), return_inverse=True)
        p = np.bincount(codes[: len(ref)], minlength=len(keys)).astype(float)
        q = np.bincount(codes[len(ref) :], minlength=len(keys)).astype(float)
        chi = stats.chisquare(q, p * q.sum() / p.sum())
        p, q = p / p.sum(), q / q.sum()
        out.append((chi.pvalue, psi(p, q), jensenshannon(p, q)))
    return out


def sort_bound(reference: dict, current: dict) -> None:
    for j in range(N_NUMERIC):
        np.sort(reference[f"x{j}"])
        np.sort(current[f"x{j}"])


def evidently_seconds(reference: dict, current: dict, n_rows: int) -> float | None:
    """Seconds of Evidently's data drift preset on the first n_rows of each table, or None
    when Evidently's environment is missing."""
    python = os.environ.get("ASSAY_EVIDENTLY_PYTHON") or str(ROOT / ".venv-evidently" / "bin" / "python")
    if not Path(python).exists():
        print(f"  (Evidently skipped: {python} is missing; ./dev.sh bench creates it)")
        return None
    import pandas as pd

    columns = {"numerical": [f"x{j}" for j in range(N_NUMERIC)], "categorical": [f"c{j}" for j in range(N_CATEGORICAL)]}
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / name for name in ("reference.parquet", "current.parquet", "columns.json")]
        for table, path in zip((reference, current), paths):
            pd.DataFrame({name: values[:n_rows] for name, values in table.items()}).to_parquet(path)
        paths[2].write_text(json.dumps(columns))
        done = subprocess.run(
            [python, str(ROOT / "tests" / "python" / "evidently_runner.py"), "preset", *map(str, paths)],
            capture_output=True,
            text=True,
            check=True,
        )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def bench_report(results: Results) -> None:
    n_rows = int(1_000_000 * SCALE)
    reference, current = make_tables(n_rows)
    case = f"report {n_rows:,}+{n_rows:,} rows x {N_NUMERIC}+{N_CATEGORICAL} cols"
    tests = {f"x{j}": ["ks", "wasserstein", "psi", "jensenshannon"] for j in range(N_NUMERIC)}
    tests.update({f"c{j}": ["chisquare", "psi", "jensenshannon"] for j in range(N_CATEGORICAL)})
    # Convert the tables once (strings to codes) so that the engines are compared, not the input layer.
    from assay._frame import as_frame

    ref_frame, cur_frame = as_frame(reference, argument="reference"), as_frame(current, argument="current")
    start = time.perf_counter()
    as_frame(reference, argument="reference")
    as_frame(current, argument="current")
    conversion = time.perf_counter() - start
    assay_time = results.add(
        case, "assay", time_call(lambda: drift.report(ref_frame, cur_frame, tests=tests, progress=False), repeat=3)
    )
    results.add(
        case,
        "assay incl. input conversion",
        assay_time + conversion,
        note="strings factorized once per table (pandas.factorize)",
    )
    single = time_call(
        lambda: drift.report(ref_frame, cur_frame, tests=tests, n_jobs=1, progress=False), repeat=1, warmup=0
    )
    results.add(case, "assay, n_jobs=1", single)
    auto = results.add(
        case,
        "assay, tests='auto' (the preset's tests)",
        time_call(lambda: drift.report(ref_frame, cur_frame, progress=False), repeat=3),
    )
    results.add(case, "scipy/numpy loop", time_call(lambda: scipy_loop(reference, current), repeat=1, warmup=0))
    part = int(n_rows * EVIDENTLY_FRACTION)
    evidently = evidently_seconds(reference, current, part)
    if evidently is not None:
        scaled = evidently * n_rows / part
        results.add(
            case,
            "Evidently DataDriftPreset",
            scaled,
            note=f"timed on {part:,}+{part:,} rows ({evidently:.1f} s), scaled linearly; "
            f"{scaled / auto:.0f}x assay with the same tests ('auto')",
        )
    results.add(
        case,
        "numpy sort of both samples (bound)",
        time_call(lambda: sort_bound(reference, current), repeat=1, warmup=0),
        note="numeric columns only",
    )


def numpy_mmd_indexing(x: np.ndarray, y: np.ndarray, n_permutations: int, seed: int) -> float:
    """Vectorised numpy MMD as commonly written: full kernel matrix, then each
    permutation indexes its blocks out of it."""
    pooled = np.vstack([x, y])
    squared = (pooled**2).sum(1)
    distances = np.maximum(squared[:, None] + squared[None, :] - 2 * pooled @ pooled.T, 0)
    cross = distances[: len(x), len(x) :]
    kernel = np.exp(-distances / np.median(cross))  # 2 sigma^2 = median
    nx, ny = len(x), len(y)
    rng = np.random.default_rng(seed)

    def statistic(order: np.ndarray) -> float:
        ix, iy = order[:nx], order[nx:]
        kxx, kyy, kxy = kernel[np.ix_(ix, ix)], kernel[np.ix_(iy, iy)], kernel[np.ix_(ix, iy)]
        return (kxx.sum() - nx) / (nx * (nx - 1)) + (kyy.sum() - ny) / (ny * (ny - 1)) - 2 * kxy.mean()

    observed = statistic(np.arange(nx + ny))
    permuted = [statistic(rng.permutation(nx + ny)) for _ in range(n_permutations)]
    return (1 + sum(p >= observed for p in permuted)) / (1 + n_permutations)


def numpy_mmd_matmul(x: np.ndarray, y: np.ndarray, n_permutations: int, seed: int) -> float:
    """numpy MMD with all permutations as one matrix product (kernel matrix held whole)."""
    pooled = np.vstack([x, y])
    squared = (pooled**2).sum(1)
    distances = np.maximum(squared[:, None] + squared[None, :] - 2 * pooled @ pooled.T, 0)
    kernel = np.exp(-distances / np.median(distances[: len(x), len(x) :]))
    nx, ny, n = len(x), len(y), len(x) + len(y)
    rng = np.random.default_rng(seed)
    member = np.zeros((n, n_permutations + 1))
    member[:nx, 0] = 1
    for p in range(n_permutations):
        member[rng.permutation(n)[:nx], p + 1] = 1
    kernel_member = kernel @ member
    row = kernel.sum(1)
    kxx = (member * kernel_member).sum(0)
    kxy = member.T @ row - kxx
    kyy = kernel.sum() - kxx - 2 * kxy
    stat = (kxx - nx) / (nx * (nx - 1)) + (kyy - ny) / (ny * (ny - 1)) - 2 * kxy / (nx * ny)
    return (1 + (stat[1:] >= stat[0]).sum()) / (1 + n_permutations)


def bench_mmd(results: Results) -> None:
    n = int(5000 * min(1.0, SCALE * 10))
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(n, 20)), rng.normal(0.02, size=(n, 20))
    case = f"MMD {n:,}+{n:,} rows x 20, 1,000 permutations"
    results.add(
        case, "assay", time_call(lambda: drift.mmd(x, y, n_permutations=1000, progress=False), repeat=2, warmup=0)
    )
    partial = 10
    timing = time_call(lambda: numpy_mmd_indexing(x, y, partial, 0), repeat=1, warmup=0)
    results.add(
        case,
        "numpy, kernel indexing per permutation",
        timing.median * 1000 / partial,
        note=f"timed with {partial} permutations, scaled linearly to 1,000",
    )
    results.add(
        case,
        "numpy, permutations as one matrix product",
        time_call(lambda: numpy_mmd_matmul(x, y, 1000, 0), repeat=1, warmup=0),
        note="kernel matrix held whole (0.8 GB at 10k rows)",
    )


def main() -> None:
    results = Results("drift")
    bench_report(results)
    bench_mmd(results)
    print(results.markdown())
    scale = "" if SCALE == 1.0 else f" (ASSAY_BENCH_SCALE={SCALE})"
    update_doc(
        "drift",
        "## Drift (`assay.drift`)" + scale + "\n\n" + results.markdown(),
        COMMAND if SCALE == 1.0 else f"ASSAY_BENCH_SCALE={SCALE} {COMMAND}",
    )
