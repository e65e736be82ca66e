"""Runs NannyML's CBPE for the monitor oracle tests and the monitor benchmark.

NannyML pins its own dependencies, so this script runs in a virtual environment of its own
(.venv-nannyml, made by ``./dev.sh test``) and talks to the caller through files; it prints
one JSON document on stdout.

    python nannyml_runner.py CASE.npz
        CASE.npz holds ref_score, ref_pred, ref_y, cur_score, cur_pred (1-D), chunk_size and
        metrics (names). Runs CBPE(problem_type="classification_binary", chunk_size=...)
        fitted on the reference and estimated on the current rows. Gives, per metric, the
        estimates of the reference and the current chunks, the lower and upper thresholds
        and the current alerts; whether NannyML calibrated; and the seconds and peak memory
        (MiB, of this process) that fit and estimate took, and their CPU seconds.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"  # no network calls (NannyML's usage analytics)

import nannyml  # noqa: E402


def frame(score: np.ndarray, pred: np.ndarray, y: np.ndarray | None) -> pd.DataFrame:
    columns = {"score": score, "pred": pred}
    if y is not None:
        columns["y"] = y
    return pd.DataFrame(columns)


def floats(values) -> list:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


def run(path: str) -> dict:
    data = np.load(path)
    metrics = [str(m) for m in data["metrics"]]
    reference = frame(data["ref_score"], data["ref_pred"], data["ref_y"])
    current = frame(data["cur_score"], data["cur_pred"], None)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu_start = time.perf_counter(), time.process_time()
    estimator = nannyml.CBPE(
        problem_type="classification_binary",
        y_pred_proba="score",
        y_pred="pred",
        y_true="y",
        metrics=metrics,
        chunk_size=int(data["chunk_size"]),
    )
    estimator.fit(reference)
    result = estimator.estimate(current)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    table = result.to_df()
    period = table[("chunk", "period")]
    out: dict = {
        "needs_calibration": bool(estimator.needs_calibration),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mib": peak / 1024,
        "peak_growth_mib": (peak - before) / 1024,
        "metrics": {},
    }
    for metric in metrics:
        out["metrics"][metric] = {
            "reference": floats(table.loc[period == "reference", (metric, "value")]),
            "current": floats(table.loc[period == "analysis", (metric, "value")]),
            "lower_threshold": floats(table[(metric, "lower_threshold")])[0],
            "upper_threshold": floats(table[(metric, "upper_threshold")])[0],
            "alert": [bool(a) for a in table.loc[period == "analysis", (metric, "alert")]],
        }
    return out


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
