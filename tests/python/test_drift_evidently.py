"""Evidently as the oracle for PSI, Jensen-Shannon, normalised Wasserstein and its preset.

Evidently 0.7.23 does not import with pandas 3, so it runs in its own virtual
environment (.venv-evidently, made by ``./dev.sh test``; or point ASSAY_EVIDENTLY_PYTHON
at a Python that has evidently==0.7.23) through tests/python/evidently_runner.py, once
per fixture; data go there as .npz / parquet files and results come back as JSON.

Tolerances: 1e-12 relative (1e-14 absolute) for the binned distances and the normalised
Wasserstein distance; Evidently sums its bins in set order and assay in sorted order,
which only moves the last bits. p-values of the preset's tests: 1e-10 relative, 1e-12
absolute (the scipy tolerances of test_drift.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from assay import drift

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "evidently_runner.py"
DISTANCE_TOLERANCE = {"rtol": 1e-12, "atol": 1e-14}
PVALUE_TOLERANCE = {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture(scope="module")
def evidently_python() -> str:
    python = os.environ.get("ASSAY_EVIDENTLY_PYTHON") or str(HERE.parents[1] / ".venv-evidently" / "bin" / "python")
    if not Path(python).exists():
        pytest.fail(
            f"Evidently's environment is missing ({python}): run ./dev.sh test, which creates "
            ".venv-evidently, or set ASSAY_EVIDENTLY_PYTHON",
            pytrace=False,
        )
    return python


def run_evidently(python: str, *arguments: str) -> object:
    done = subprocess.run([python, str(RUNNER), *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"Evidently runner failed:\n{done.stderr[-3000:]}", pytrace=False)
    return json.loads(done.stdout.strip().splitlines()[-1])


def stattest_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2024)
    labels = np.array([f"cat_{k}" for k in range(60)])
    rare = np.array(["common"] * 29_999 + ["rare"])  # a proportion below 1e-4: filled with min / 1e6
    return [
        ("num", rng.normal(size=50), rng.normal(0.5, size=50)),
        ("num", rng.normal(size=1500), rng.normal(0.1, 1.3, size=1000)),
        ("num", rng.normal(size=20_000), rng.normal(size=15_000)),
        ("num", rng.lognormal(size=5000), rng.normal(2.0, size=4000)),  # a tail past the other sample
        ("num", np.round(rng.normal(size=3000) * 3), np.round(rng.normal(0.2, size=2500) * 3)),  # ties
        ("num", rng.integers(0, 6, 800).astype(float), rng.integers(2, 9, 900).astype(float)),  # values on one side
        ("num", np.full(100, 1.5), rng.choice([1.5, 2.5], 120)),  # constant reference: std floored at 0.001
        ("num", np.arange(40.0), np.arange(40.0)),  # identical
        ("cat", rng.choice(labels[:5], 3000), rng.choice(labels[2:8], 2000)),  # categories on either side only
        (
            "cat",
            rng.choice(labels, 5000),
            rng.choice(labels, 5000, p=np.linspace(1, 2, 60) / np.linspace(1, 2, 60).sum()),
        ),
        ("cat", rng.choice(labels[:3], 6), rng.choice(labels[:3], 5)),  # tiny
        ("cat", rare, rng.choice(["common", "new"], 20_000, p=[0.99, 0.01])),
    ]


@pytest.fixture(scope="module")
def stattests(evidently_python, tmp_path_factory):
    cases = stattest_cases()
    path = tmp_path_factory.mktemp("evidently") / "cases.npz"
    arrays = {"kinds": np.array([kind for kind, _, _ in cases])}
    for i, (_, ref, cur) in enumerate(cases):
        arrays[f"ref_{i}"], arrays[f"cur_{i}"] = ref, cur
    np.savez(path, **arrays)
    return cases, run_evidently(evidently_python, "stattests", str(path))


def test_psi_js_kl_and_normalised_wasserstein_equal_evidentlys(stattests):
    cases, expected = stattests
    checked = 0
    for (kind, ref, cur), scores in zip(cases, expected):
        for test in ("psi", "jensenshannon", "kl_div", "wasserstein"):
            if test not in scores:
                continue
            ours = drift.compare(ref.astype(object) if kind == "cat" else ref, cur, test).statistic
            np.testing.assert_allclose(ours, scores[test], **DISTANCE_TOLERANCE, err_msg=f"{test} on case {kind}")
            checked += 1
    assert checked == 8 * 4 + 4 * 3


def test_auto_picks_evidentlys_default_test(stattests):
    cases, expected = stattests
    for (kind, ref, cur), scores in zip(cases, expected):
        assert drift.compare(ref, cur).test == scores["auto"], (kind, len(ref))


def preset_tables(n_ref: int, n_cur: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A mixed table with missing and infinite values and categories on one side only."""
    rng = np.random.default_rng(seed)

    def table(n: int, shift: float, cities: list[str]) -> pd.DataFrame:
        frame = pd.DataFrame(
            {
                "normal": rng.normal(shift, size=n),
                "skewed": rng.exponential(1 + shift, size=n),
                "few_values": rng.integers(0, 4, n).astype(float),
                "binary": rng.integers(0, 2, n).astype(float),
                "city": rng.choice(cities, n),
                "flag": rng.choice(["yes", "no"], n, p=[0.3 + shift / 4, 0.7 - shift / 4]),
            }
        )
        frame.loc[rng.choice(n, n // 50, replace=False), "normal"] = np.nan
        # Infinities together with NaN: Evidently's column count drops infinities only from
        # columns that also hold NaN (its ValueDrift drops them always; see docs/drift.md).
        frame.loc[rng.choice(n, n // 100, replace=False), "skewed"] = np.inf
        frame.loc[rng.choice(n, n // 100, replace=False), "skewed"] = np.nan
        frame.loc[rng.choice(n, n // 40, replace=False), "city"] = None
        return frame

    reference = table(n_ref, 0.0, ["a", "b", "c"])
    current = table(n_cur, 0.4, ["b", "c", "d"])
    columns = {"numerical": ["normal", "skewed", "few_values", "binary"], "categorical": ["city", "flag"]}
    return reference, current, columns


@pytest.mark.parametrize(("n_ref", "n_cur"), [(3000, 2000), (600, 700)], ids=["large", "small"])
def test_report_equals_evidentlys_data_drift_preset(evidently_python, tmp_path, n_ref, n_cur):
    reference, current, columns = preset_tables(n_ref, n_cur, seed=n_ref)
    reference.to_parquet(tmp_path / "reference.parquet")
    current.to_parquet(tmp_path / "current.parquet")
    (tmp_path / "columns.json").write_text(json.dumps(columns))
    expected = run_evidently(
        evidently_python,
        "preset",
        *(str(tmp_path / f) for f in ("reference.parquet", "current.parquet", "columns.json")),
    )
    result = drift.report(reference, current)
    assert {r.column: r.test for r in result.columns} == {c: e["test"] for c, e in expected["columns"].items()}
    for r in result.columns:
        tolerance = PVALUE_TOLERANCE if r.test in ("ks", "chisquare", "z") else DISTANCE_TOLERANCE
        np.testing.assert_allclose(r.score, expected["columns"][r.column]["score"], **tolerance, err_msg=r.column)
        assert r.threshold == expected["columns"][r.column]["threshold"]
    assert result.n_drifted == expected["count"] and result.share_drifted == pytest.approx(expected["share"])
