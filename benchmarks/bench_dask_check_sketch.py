"""assay.dask.check and assay.dask.drift.over_time beyond their memory budget: the merged
per-partition states against the single-machine one-pass calls on the same rows (time, and
whether the findings agree; the largest KS error against its stated bound).

Data: ASSAY_BENCH_CHECK_ROWS rows (default 2,000,000) in 16 persisted partitions: three
numeric columns (normal, lognormal, integers 0..99), a categorical column and a 0 / 1 target;
a LocalCluster of two worker processes (one thread each) with ``assay.memory-budget`` at 1 MiB,
so that the table and every column are beyond it. The reference of ``over_time`` is the first
quarter of the rows, the current rows are cut in 4 chunks.

    python benchmarks/bench_dask_check_sketch.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

N_ROWS = int(os.environ.get("ASSAY_BENCH_CHECK_ROWS", 2_000_000))
BUDGET = {"assay.memory-budget": "1MiB"}
TESTS = {"a": "ks", "plan": "chisquare"}


def main() -> None:
    import dask
    import dask.dataframe as dd
    import distributed
    from assay import dask as adask
    from assay import drift, quality

    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "a": rng.normal(size=N_ROWS),
            "b": rng.lognormal(size=N_ROWS),
            "c": rng.integers(0, 100, N_ROWS).astype(float),
            "plan": pd.Categorical(rng.choice(["basic", "pro", "team"], N_ROWS)),
            "y": rng.integers(0, 2, N_ROWS),
        }
    )
    reference = table.iloc[: N_ROWS // 4][["a", "plan"]]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, distributed.Client(cluster) as client:
        frame = dd.from_pandas(table, npartitions=16).persist()
        client.run(lambda: __import__("assay.dask"))
        with dask.config.set(BUDGET):
            adask.check(frame.partitions[:2], target="y")  # warm the workers
            start = time.perf_counter()
            merged = adask.check(frame, target="y")
            merged_seconds = time.perf_counter() - start
        start = time.perf_counter()
        single = quality.check(table, target="y", exact=False)
        single_seconds = time.perf_counter() - start
        agree = [(f.check, f.column, f.severity) for f in merged.findings] == [
            (f.check, f.column, f.severity) for f in single.findings
        ]
        print(
            f"check, {N_ROWS:,} rows x 5 columns in 16 partitions: assay.dask (merged states) {merged_seconds:.2f} s, "
            f"single-machine check(exact=False) {single_seconds:.2f} s; the same findings: {agree}"
        )
        with dask.config.set(BUDGET):
            start = time.perf_counter()
            sketched = adask.drift.over_time(reference, frame[["a", "plan"]], n_chunks=4, tests=TESTS)
            sketched_seconds = time.perf_counter() - start
        start = time.perf_counter()
        exact = drift.over_time(reference, table[["a", "plan"]], n_chunks=4, tests=TESTS)
        exact_seconds = time.perf_counter() - start
        pairs = [(r, s) for rs, ss in zip(sketched.results, exact.results) for r, s in zip(rs, ss)]
        ks = [(abs(r.statistic - s.statistic), r.statistic_bound) for r, s in pairs if r.test == "ks"]
        same_counts = all(r.statistic == s.statistic for r, s in pairs if r.test == "chisquare")
        print(
            f"drift.over_time, 4 chunks, 'a' (ks) and 'plan' (chisquare): assay.dask (merged sketches) "
            f"{sketched_seconds:.2f} s, single machine {exact_seconds:.2f} s; KS |error| / bound per chunk: "
            + ", ".join(f"{e:.1e} / {b:.1e}" for e, b in ks)
            + f" (every error within its bound: {all(e <= b for e, b in ks)}); chisquare bitwise: {same_counts}"
        )


if __name__ == "__main__":
    main()
