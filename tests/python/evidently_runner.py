"""Runs Evidently for the drift oracle tests and the drift benchmark.

Evidently 0.7.23 does not import with pandas 3, so this script runs in a virtual
environment of its own (.venv-evidently, made by ``./dev.sh test``) and talks to the
caller through files; it prints one JSON document on stdout.

    python evidently_runner.py stattests CASES.npz
        CASES.npz holds ref_<i>, cur_<i> (1-D samples without missing values) and
        kinds (one 'num' or 'cat' per case). For each case: Evidently's PSI,
        Jensen-Shannon distance and KL divergence, the normalised Wasserstein distance
        for numeric cases, and the name of the test Evidently's defaults pick.

    python evidently_runner.py named CASES.json
        CASES.json lists {"test", "reference", "current", "kind", "threshold"} (samples as
        lists, None for a missing value). For each case: Evidently's (score, drifted) of
        the stattest registered under that name, or the error it raised.

    python evidently_runner.py preset REFERENCE.parquet CURRENT.parquet COLUMNS.json
        Runs Report([DataDriftPreset()]) with the numeric and categorical columns named
        in COLUMNS.json ({"numerical": [...], "categorical": [...]}). Gives, per column,
        the test key and drift score, the drifted-column count and share, and the
        seconds the run took (reading the files excluded).
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

from evidently.legacy.calculations.stattests import (  # noqa: E402
    jensenshannon_stat_test,
    kl_div_stat_test,
    psi_stat_test,
    registry,  # noqa: E402
    wasserstein_stat_test,
)
from evidently.legacy.core import ColumnType  # noqa: E402


def stattests(path: str) -> list[dict]:
    data = np.load(path)
    out = []
    for i, kind in enumerate(data["kinds"]):
        ref, cur = pd.Series(data[f"ref_{i}"]), pd.Series(data[f"cur_{i}"])
        column_type = ColumnType.Numerical if kind == "num" else ColumnType.Categorical
        tests = [psi_stat_test, jensenshannon_stat_test, kl_div_stat_test]
        if kind == "num":
            tests.append(wasserstein_stat_test)
        scores = {test.name: float(test(ref, cur, column_type, None).drift_score) for test in tests}
        scores["auto"] = registry._get_default_stattest(ref, cur, column_type).name
        out.append(scores)
    return out


def named(path: str) -> list[dict]:
    out = []
    for case in json.loads(open(path).read()):
        column_type = ColumnType.Numerical if case["kind"] == "num" else ColumnType.Categorical
        values = (
            [np.nan if v is None else v for v in case["reference"]],
            [np.nan if v is None else v for v in case["current"]],
        )
        ref, cur = (pd.Series(v, dtype=float if case["kind"] == "num" else object) for v in values)
        test = registry.get_stattest(ref, cur, column_type, case["test"])
        np.random.seed(0)  # Evidently's own tests seed numpy before the MMD test
        try:
            score, drifted = test.func(ref, cur, column_type, case["threshold"])
            out.append({"score": float(score), "drifted": bool(drifted)})
        except ValueError as error:
            out.append({"error": str(error)})
    return out


def preset(reference_path: str, current_path: str, columns_path: str) -> dict:
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    reference, current = pd.read_parquet(reference_path), pd.read_parquet(current_path)
    columns = json.loads(open(columns_path).read())
    definition = DataDefinition(numerical_columns=columns["numerical"], categorical_columns=columns["categorical"])
    start = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    seconds = time.perf_counter() - start
    # Metrics name their test by its display name; map it back to the test key.
    keys = {test.display_name: test.name for test in registry._impls}
    result: dict = {"seconds": seconds, "columns": {}}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config["type"].endswith("ValueDrift"):
            result["columns"][config["column"]] = {
                "test": keys[config["method"]],
                "score": metric["value"],
                "threshold": config["threshold"],
            }
        elif config["type"].endswith("DriftedColumnsCount"):
            result["count"], result["share"] = metric["value"]["count"], metric["value"]["share"]
    return result


if __name__ == "__main__":
    mode, arguments = sys.argv[1], sys.argv[2:]
    modes = {"stattests": stattests, "named": named, "preset": preset}
    print(json.dumps(modes[mode](*arguments)))
