"""whylogs' profile of Parquet files, for bench_dask.py: runs in whylogs' own environment
(ASSAY_WHYLOGS_PYTHON; ./dev.sh bench makes .venv-whylogs), since whylogs pins packages the
test extra does not want.

As whylogs' documentation profiles a distributed table: each worker profiles its files
(``why.log`` of the pandas frame), the profile views travel serialised, and the views merge.
Two worker processes, as bench_dask.py's LocalCluster. Prints one JSON line: the seconds
from start to the merged view, and the largest peak resident memory of the workers.

Usage: python whylogs_runner.py FILE.parquet ...
"""

from __future__ import annotations

import json
import resource
import sys
import time
from multiprocessing import get_context


def _profile(path: str) -> tuple[bytes, int]:
    """One file's serialised profile view and this worker's peak resident memory (bytes)."""
    import pandas as pd
    import whylogs as why

    view = why.log(pd.read_parquet(path)).view()
    return view.serialize(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(paths: list[str]) -> None:
    from whylogs.core import DatasetProfileView

    start = time.perf_counter()
    with get_context("spawn").Pool(2) as pool:
        parts = pool.map(_profile, paths, chunksize=1)
    merged = DatasetProfileView.deserialize(parts[0][0])
    for data, _ in parts[1:]:
        merged = merged.merge(DatasetProfileView.deserialize(data))
    seconds = time.perf_counter() - start
    summary = merged.to_pandas()
    print(json.dumps({"seconds": seconds, "peak": max(peak for _, peak in parts), "columns": len(summary)}))


if __name__ == "__main__":
    main(sys.argv[1:])
