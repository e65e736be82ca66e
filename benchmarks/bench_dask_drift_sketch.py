"""assay.dask.drift.report beyond its memory budget: how tight the sketched rank tests'
bounds are, against the exact single-machine results on the same rows, and the time of both.

Data: ASSAY_BENCH_SKETCH_ROWS rows (default 1,000,000) per sample, in 16 partitions, three
numeric columns (normal with a 0.02 shift; lognormal; normal around 1e6 with a 0.05 shift) and
one categorical column (50 values); a LocalCluster of two worker processes (one thread each)
with ``assay.memory-budget`` at 1 MiB, so that every column is sketched.

    python benchmarks/bench_dask_drift_sketch.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

N_ROWS = int(os.environ.get("ASSAY_BENCH_SKETCH_ROWS", 1_000_000))
TESTS = ["ks", "cramer_von_mises", "mannwhitneyu", "wasserstein", "energy_distance", "psi"]


def table(seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "normal": rng.normal(shift, 1, N_ROWS),
            "lognormal": rng.lognormal(shift, 1, N_ROWS),
            "offset": rng.normal(1e6 + 2.5 * shift, 1, N_ROWS),
            "plan": pd.Categorical(rng.choice([f"p{i}" for i in range(50)], N_ROWS)),
        }
    )


def main() -> None:
    import dask
    import dask.dataframe as dd
    import distributed
    from assay import dask as adask
    from assay import drift

    reference, current = table(1, 0.0), table(2, 0.02)
    tests = {c: TESTS for c in ["normal", "lognormal", "offset"]} | {"plan": ["chisquare", "jensenshannon"]}
    start = time.perf_counter()
    exact = drift.report(reference, current, tests=tests)
    single = time.perf_counter() - start
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client, dask.config.set({adask.MEMORY_BUDGET_KEY: "1MiB"}):
            ref, cur = (
                dd.from_pandas(reference, npartitions=16).persist(),
                dd.from_pandas(current, npartitions=16).persist(),
            )
            distributed.wait([ref, cur])
            start = time.perf_counter()
            got = adask.drift.report(ref, cur, tests=tests, client=client)
            sketched = time.perf_counter() - start
    print(f"{N_ROWS:,} rows per sample; single machine {single:.2f} s, sketched on Dask {sketched:.2f} s")
    print(
        f"{'column':10} {'test':17} {'exact statistic':>16} {'sketched':>12} {'bound':>9} "
        f"{'exact p':>10} {'p interval':>24}"
    )
    for g, e in zip(got.columns, exact.columns):
        interval = "" if g.pvalue_interval is None else f"[{g.pvalue_interval[0]:.3g}, {g.pvalue_interval[1]:.3g}]"
        p = "" if np.isnan(e.pvalue) else f"{e.pvalue:.3g}"
        print(
            f"{g.column:10} {g.test:17} {e.statistic:16.6g} {g.statistic:12.6g} {g.statistic_bound:9.2g} {p:>10} "
            f"{interval:>24}{'' if not g.exact else '  (exact)'}"
        )


if __name__ == "__main__":
    main()
