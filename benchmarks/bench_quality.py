"""Data quality: assay.check (profile + every check) against the same statistics written
by hand in pandas, against ydata-profiling in minimal mode, and against a read-once
bound (one numpy pass over the numeric data). Then, when ASSAY_QUALITY_FLOOR names the
C++ program benchmarks/cpp/quality_floor.cpp (`./dev.sh bench` builds it), it runs it: the
same recipe in C++, timing check without Python and the pieces that exact statistics need
at least (ordering the high-cardinality columns, counting the others, the distinct-count
sketch, the row hashes), each against a read-once pass.

Data: ASSAY_BENCH_ROWS rows (default 1,000,000) x 50 columns: 40 float64 (normal,
lognormal, integer-valued, rounded; 2% NaN) and 10 pandas Categoricals (5 to 1,000
categories). ydata-profiling pins numpy < 2.4, so it runs in its own virtual
environment (ASSAY_YDATA_PYTHON, made by `./dev.sh bench`) on the same data, written
to a Parquet file; its time excludes reading the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import assay
import numpy as np
import pandas as pd
from harness import Results, format_seconds, peak_memory, time_call, update_doc

N_ROWS = int(os.environ.get("ASSAY_BENCH_ROWS", 1_000_000))
QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]


def make_data(n_rows: int = N_ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    columns = {}
    for j in range(40):
        kind = j % 4
        if kind == 0:
            x = rng.normal(size=n_rows)
        elif kind == 1:
            x = rng.lognormal(size=n_rows)
        elif kind == 2:
            x = rng.integers(0, 100, n_rows).astype(float)
        else:
            x = np.round(rng.normal(50, 10, n_rows), 2)
        x[rng.random(n_rows) < 0.02] = np.nan
        columns[f"num{j}"] = x
    for j in range(10):
        cardinality = [5, 20, 100, 1000, 10][j % 5]
        columns[f"cat{j}"] = pd.Categorical.from_codes(
            rng.integers(0, cardinality, n_rows), [f"v{i}" for i in range(cardinality)]
        )
    return pd.DataFrame(columns, copy=False)


def pandas_by_hand(df: pd.DataFrame) -> dict:
    """The statistics and checks assay.check computes, in idiomatic pandas/numpy."""
    out = {}
    for name in df.columns:
        s = df[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            counts = s.value_counts()
            out[name] = (s.isna().sum(), s.nunique(), counts.head(64))
            continue
        finite = s.replace([np.inf, -np.inf], np.nan)
        q = finite.quantile(QUANTILES)
        iqr = q[0.75] - q[0.25]
        median = q[0.5]
        mad = (finite - median).abs().median()
        out[name] = (
            len(s),
            s.isna().sum(),
            s.nunique(),
            finite.min(),
            finite.max(),
            finite.mean(),
            finite.std(),
            (s == 0).sum(),
            (s < 0).sum(),
            np.isinf(s).sum(),
            q,
            np.histogram(finite.dropna(), bins=20),
            s.value_counts().head(64),
            ((finite < q[0.25] - 1.5 * iqr) | (finite > q[0.75] + 1.5 * iqr)).sum(),
            (0.6745 * (finite - median).abs() / mad > 3.5).sum(),
        )
    out["duplicates"] = df.duplicated().sum()
    return out


def read_once(numeric: list[np.ndarray]) -> float:
    return sum(float(np.sum(column)) for column in numeric)


def floor_pieces() -> str:
    """The table of benchmarks/cpp/quality_floor.cpp, or "" when it is not built."""
    program = os.environ.get("ASSAY_QUALITY_FLOOR")
    if not program or not Path(program).exists():
        print("  (C++ pieces skipped: set ASSAY_QUALITY_FLOOR, as ./dev.sh bench does)")
        return ""
    table = subprocess.run([program, str(N_ROWS)], capture_output=True, text=True, check=True).stdout.strip()
    print(table)
    return (
        "\n\nThe same recipe in C++ (`benchmarks/cpp/quality_floor.cpp`, same run): check without Python, "
        "and the pieces that the exact statistics need at least, each against a read-once pass in C++.\n\n" + table
    )


YDATA_SCRIPT = """
import sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from ydata_profiling import ProfileReport
df = pd.read_parquet(sys.argv[1])
start = time.perf_counter()
ProfileReport(df, minimal=True, progress_bar=False).get_description()
print(time.perf_counter() - start)
"""


def ydata_seconds(df: pd.DataFrame) -> float | None:
    python = os.environ.get("ASSAY_YDATA_PYTHON")
    if not python or not Path(python).exists():
        print("  (ydata-profiling skipped: set ASSAY_YDATA_PYTHON, as ./dev.sh bench does)")
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.parquet"
        df.to_parquet(path)
        result = subprocess.run([python, "-c", YDATA_SCRIPT, str(path)], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def _setup():
    return make_data()


def _run_assay(df):
    assay.check(df)


def main() -> None:
    df = make_data()
    numeric = [df[c].to_numpy() for c in df.columns[:40]]
    input_bytes = sum(a.nbytes for a in numeric) + sum(df[c].cat.codes.nbytes for c in df.columns[40:])
    case = f"{N_ROWS:,} rows x 50 columns"
    print(f"{case}: {input_bytes / 2**20:.0f} MiB")
    results = Results("quality")
    ours = results.add(case, "assay", time_call(lambda: assay.check(df), repeat=5))
    results.add(case, "assay, n_jobs=1", time_call(lambda: assay.check(df, n_jobs=1), repeat=3))
    results.add(case, "pandas by hand", time_call(lambda: pandas_by_hand(df), repeat=2, warmup=0))
    ydata = ydata_seconds(df)
    if ydata is not None:
        results.add(case, "ydata-profiling (minimal)", ydata, "one run")
    bound = results.add(case, "read-once bound (numpy sum)", time_call(lambda: read_once(numeric), repeat=5))
    before, after = peak_memory(_setup, _run_assay)
    memory = (
        f"Peak memory of `assay.check`: {after / 2**20:.0f} MiB resident at peak, of which the input is "
        f"{input_bytes / 2**20:.0f} MiB and the process before the call {before / 2**20:.0f} MiB: "
        f"{(after - before) / 2**20:.0f} MiB extra = {(after - before) / input_bytes:.2f}x the input."
    )
    print(" ", memory)
    summary = (
        f"assay is {ours and results.rows[2].seconds / ours:.1f}x faster than pandas by hand"
        + (f", {ydata / ours:.0f}x faster than ydata-profiling" if ydata else "")
        + f", and takes {ours / bound:.0f}x the read-once bound ({format_seconds(bound)})."
    )
    print(" ", summary)
    pieces = floor_pieces()
    update_doc(
        "quality",
        f"## Data quality: profile + check\n\n{results.markdown()}\n\n{summary}\n\n{memory}" + pieces,
        "./dev.sh bench quality",
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
