"""assay.dask on a LocalCluster of two worker processes (one thread each), against Dask's
own equivalents and against single-machine assay on the same rows.

Data: ASSAY_BENCH_DASK_ROWS rows (default 30,000,000) x 20 columns, written in chunks of
1,000,000 rows (at least 8 chunks) as one Parquet file per chunk: 14 float64 (normal, lognormal,
integer-valued; 2% NaN), 3 string categoricals (5, 50 and 1,000 values), ``group`` (1,000
groups), ``y`` and ``pred`` (0/1); the reference is a second set of files of the same size
with shifted distributions. Cases:

* profile + check of the current files: ``assay.dask.profile`` and ``assay.dask.check``
  (beyond the memory budget both run on merged partition states, the check in the one-pass
  sketch mode, and the single-machine check is ``exact=False`` to match) against Dask's
  ``describe()``, ``nunique()`` and ``value_counts()`` of every column;
* the same in the one-pass sketch mode (``exact=False``: no column is ordered or gathered),
  and ``check`` alone (its report holds the sketch-mode profile), against the same Dask and
  whylogs runs;
* whylogs' profile of the same files, if its environment exists (ASSAY_WHYLOGS_PYTHON;
  ./dev.sh bench makes .venv-whylogs): two processes profile the files, and their profile
  views merge (benchmarks/whylogs_runner.py); whylogs' quantiles and distinct counts are
  sketches, as assay's beyond the budget;
* drift report of every column against the reference (Dask has no two-sample tests);
* MetricFrame of selection rate and true-positive rate over the 1,000 groups with 200
  bootstrap replicates (per-partition confusion counts merged in a tree, the count bootstrap
  on the merged counts), against a Dask groupby of the two rates (no intervals).

Under the default memory budget (2 GiB) a column that fits it is gathered into one task and
computed exactly, so a worker's peak is set by the budget, not by the partitions; the
quality and drift cases therefore run assay a second time with a budget of STATES_BUDGET, so
that every column goes through merged partition states: that row's peak is the state paths'
memory (the issue's "about two partitions plus the states").

Each case also times Dask reading the files alone (every value of the columns the case reads
touched once per partition, nothing computed): no contender that reads the Parquet files can
be faster than that floor. A partition's size in memory (the first file, read with pandas)
puts the workers' peak memory in partitions.

ASSAY_BENCH_DASK_CASES (default "quality,drift,fairness") picks the cases; a subset writes its
own section of docs/benchmarks.md ("dask-fairness", say) and leaves the full run's alone.

Single-machine assay reads the same files with pandas and makes the same call. Each Dask
contender runs on freshly restarted workers (assay imported); its peak memory per worker is the
largest resident set (VmHWM) of the worker processes during the case, and its growth above the
idle worker is also given in partitions (the first file's pandas frame).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from harness import Results, update_doc

N_ROWS = int(os.environ.get("ASSAY_BENCH_DASK_ROWS", 30_000_000))
# A million rows per file, and at least eight files for smaller runs.
CHUNK_ROWS = max(1, min(1_000_000, N_ROWS // 8))
N_GROUPS = 1_000
N_BOOT = 200
STATES_BUDGET = "64MiB"
CASES = sorted(set(os.environ.get("ASSAY_BENCH_DASK_CASES", "quality,drift,fairness").split(",")))


def write_files(folder: Path, n_rows: int, shift: float, seed: int) -> list[Path]:
    """Parquet files of CHUNK_ROWS rows each (the last one smaller), made chunk by chunk."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, start in enumerate(range(0, n_rows, CHUNK_ROWS)):
        rows = min(CHUNK_ROWS, n_rows - start)
        rng = np.random.default_rng([seed, k])
        columns: dict[str, np.ndarray] = {}
        for j in range(14):
            kind = j % 3
            if kind == 0:
                x = rng.normal(shift, 1.0, rows)
            elif kind == 1:
                x = rng.lognormal(shift, 1.0, rows)
            else:
                x = rng.integers(0, 100, rows).astype(np.float64)
            x[rng.random(rows) < 0.02] = np.nan
            columns[f"num{j}"] = x
        for j, cardinality in enumerate([5, 50, 1000]):
            labels = np.array([f"v{i}" for i in range(cardinality)], dtype=object)
            columns[f"cat{j}"] = labels[rng.integers(0, cardinality, rows)]
        columns["group"] = rng.integers(0, N_GROUPS, rows).astype(np.int64)
        columns["y"] = (rng.random(rows) < 0.3).astype(np.int64)
        columns["pred"] = (rng.random(rows) < 0.3 + 0.1 * shift).astype(np.int64)
        path = folder / f"part-{k:04d}.parquet"
        pd.DataFrame(columns).to_parquet(path, index=False)
        paths.append(path)
    return paths


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _status(field: str) -> int:
    """A field of /proc/self/status in bytes (VmHWM: the peak resident set; VmRSS: the current one)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _peak() -> int:
    return _status("VmHWM")


def _resident() -> int:
    return _status("VmRSS")


ROOT = Path(__file__).resolve().parents[1]


def whylogs_run(paths: list[Path]) -> dict | None:
    """whylogs' seconds and its workers' peak memory on the files, or None without its environment."""
    python = os.environ.get("ASSAY_WHYLOGS_PYTHON") or str(ROOT / ".venv-whylogs" / "bin" / "python")
    if not Path(python).exists():
        print(f"  (whylogs skipped: {python} is missing; ./dev.sh bench creates it)")
        return None
    runner = str(ROOT / "benchmarks" / "whylogs_runner.py")
    done = subprocess.run([python, runner, *map(str, paths)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _touch(frame: pd.DataFrame) -> int:
    """Reads a partition and touches every column (the read floor's task)."""
    return sum(len(frame[name].to_numpy()) for name in frame.columns)


def _import_assay() -> None:
    import assay.dask  # noqa: F401
    import assay.fairness  # noqa: F401


def main() -> None:
    import dask
    import dask.dataframe as dd
    import distributed
    from assay import dask as adask
    from assay import drift, fairness, quality

    results = Results(f"assay.dask, {N_ROWS:,} rows x 20 columns")
    with tempfile.TemporaryDirectory(prefix="assay-bench-dask-") as tmp:
        start = time.perf_counter()
        current_files = write_files(Path(tmp) / "current", N_ROWS, 0.0, 1)
        reference_files = write_files(Path(tmp) / "reference", N_ROWS, 0.1, 2) if "drift" in CASES else []
        written = len(current_files) + len(reference_files)
        print(f"  wrote {written} files in {time.perf_counter() - start:.1f} s", flush=True)
        cluster: list = []  # the current LocalCluster and its client (the default client)

        def new_cluster() -> distributed.Client:
            """A new LocalCluster of two worker processes with assay imported (the previous one closed)."""
            if cluster:
                cluster[1].close()
                cluster[0].close()
            local = distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit=None
            )
            cluster[:] = [local, distributed.Client(local)]
            cluster[1].run(_import_assay)
            return cluster[1]

        current = dd.read_parquet([str(p) for p in current_files])
        reference = dd.read_parquet([str(p) for p in reference_files]) if reference_files else None
        categorical = ["cat0", "cat1", "cat2"]
        metrics = {"selection_rate": fairness.selection_rate, "tpr": fairness.true_positive_rate}
        boot = {"n_boot": N_BOOT, "ci_quantiles": [0.025, 0.975], "random_state": 0}
        table_bytes = N_ROWS * (17 * 8 + 3 * 64)
        sketched = table_bytes > adask.memory_budget()
        partition_bytes = int(pd.read_parquet(current_files[0]).memory_usage(deep=True).sum())

        def measured(case: str, contender: str, run) -> float:
            """Times ``run`` (returns its seconds); the peak is the workers' (the largest), or
            this process's for the single-machine call."""
            local = contender.startswith("single")
            if local:
                _reset_peak()
            else:
                # Fresh worker processes, so that no earlier case's heap hides this one's growth.
                client = new_cluster()
                client.run(_reset_peak)
                idle = max(client.run(_resident).values())
            start = time.perf_counter()
            run()
            seconds = time.perf_counter() - start
            if local:
                note = f"peak {_peak() / 2**20:,.0f} MiB in one process"
            else:
                peak = max(client.run(_peak).values())
                growth = max(0, peak - idle)
                note = (
                    f"peak {peak / 2**20:,.0f} MiB per worker, {growth / 2**20:,.0f} MiB above its idle"
                    f" {idle / 2**20:,.0f} MiB ({growth / partition_bytes:.1f} partitions)"
                )
            results.add(case, contender, seconds, note)
            return seconds

        def read_floor(case: str, columns: list[str] | None = None) -> None:
            frame = current if columns is None else current[columns]
            measured(
                case, "dask reads the files (floor)", lambda: frame.map_partitions(_touch, meta=(None, int)).compute()
            )

        def assay_quality(exact: bool | None = None) -> None:
            adask.profile(current, exact=exact)
            adask.check(current, target="y", exact=exact)

        def assay_check_alone() -> quality.Profile:
            return adask.check(current, target="y", exact=False).profile

        def dask_quality() -> None:
            dask.compute(current.describe(), current.nunique(), *(current[c].value_counts() for c in categorical))

        def single_quality(exact: bool | None = None) -> None:
            frame = pd.read_parquet([str(p) for p in current_files])
            quality.profile(frame, exact=exact is not False)
            quality.check(frame, target="y", exact=exact if exact is not None else not sketched, progress=False)

        case = "profile + check" + (" (merged states)" if sketched else "")
        sketch_case = "profile + check, sketch mode (exact=False)"
        if "quality" in CASES:
            measured(case, "assay", assay_quality)
            with dask.config.set({adask.MEMORY_BUDGET_KEY: STATES_BUDGET}):
                measured(case, f"assay, states only (budget {STATES_BUDGET})", assay_quality)
            dask_seconds = measured(case, "dask describe+nunique+value_counts", dask_quality)
            measured(case, "single-machine assay" + (" (check exact=False)" if sketched else ""), single_quality)
            whylogs = whylogs_run(current_files)
            if whylogs is not None:
                note = f"profile only; peak {whylogs['peak'] / 2**20:,.0f} MiB per process"
                results.add(case, "whylogs profile (2 processes, merged views)", whylogs["seconds"], note)
            read_floor(case)
            measured(sketch_case, "assay", lambda: assay_quality(exact=False))
            measured(sketch_case, "assay, check alone (its report holds the profile)", assay_check_alone)
            results.add(sketch_case, "dask describe+nunique+value_counts", dask_seconds, "the run of the case above")
            if whylogs is not None:
                results.add(sketch_case, "whylogs profile (2 processes, merged views)", whylogs["seconds"], note)
            measured(sketch_case, "single-machine assay", lambda: single_quality(exact=False))

        def single_drift() -> None:
            drift.report(pd.read_parquet(reference_files), pd.read_parquet(current_files), progress=False)

        def assay_drift() -> None:
            adask.drift.report(reference, current)

        if "drift" in CASES:
            measured("drift report", "assay", assay_drift)
            with dask.config.set({adask.MEMORY_BUDGET_KEY: STATES_BUDGET}):
                measured("drift report", f"assay, states only (budget {STATES_BUDGET})", assay_drift)
            measured("drift report", "single-machine assay", single_drift)
            read_floor("drift report")  # the current files only: the reference is as large again

        def assay_fairness() -> None:
            adask.MetricFrame(
                metrics=metrics,
                y_true=current["y"],
                y_pred=current["pred"],
                sensitive_features=current["group"],
                **boot,
            )

        def dask_fairness() -> None:
            rows = current[["group", "y", "pred"]]
            positives = rows[rows["y"] == 1]
            dask.compute(rows.groupby("group")["pred"].mean(), positives.groupby("group")["pred"].mean())

        def single_fairness() -> None:
            frame = pd.read_parquet(current_files, columns=["group", "y", "pred"])
            fairness.MetricFrame(
                metrics=metrics,
                y_true=frame["y"],
                y_pred=frame["pred"],
                sensitive_features=frame["group"],
                progress=False,
                **boot,
            )

        case = f"MetricFrame, {N_GROUPS:,} groups, {N_BOOT} replicates"
        if "fairness" in CASES:
            measured(case, "assay", assay_fairness)
            measured(case, "dask groupby rates (no intervals)", dask_fairness)
            measured(case, "single-machine assay", single_fairness)
            read_floor(case, ["group", "y", "pred"])
        if cluster:
            cluster[1].close()
            cluster[0].close()
    budget = adask.memory_budget()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg()[:2])
    markdown = (
        "## assay.dask on Parquet files, against Dask and whylogs\n\n"
        f"{N_ROWS:,} rows x 20 columns in {len(current_files)} Parquet files"
        f"{' (and a reference of the same size)' if reference_files else ''}, "
        f"LocalCluster of 2 worker processes x 1 thread, memory budget {budget / 2**30:.3g} GiB; "
        f"a partition takes {partition_bytes / 2**20:,.0f} MiB in memory. The time column "
        'includes reading the files; "time / assay\'s" above 1 means assay.dask is faster.\n\n'
        + results.markdown()
        + f"\n\nLoad average (1/5 min) when the timings ended: {load} (a shared machine)."
    )
    print(markdown)
    if CASES == ["drift", "fairness", "quality"]:
        update_doc("dask", markdown, f"ASSAY_BENCH_DASK_ROWS={N_ROWS} python benchmarks/run.py dask")
    else:
        update_doc(
            "dask-" + "-".join(CASES),
            markdown,
            f"ASSAY_BENCH_DASK_ROWS={N_ROWS} ASSAY_BENCH_DASK_CASES={','.join(CASES)} python benchmarks/run.py dask",
        )


if __name__ == "__main__":
    main()
