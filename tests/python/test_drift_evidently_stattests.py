"""Evidently's stattest cases, run against assay under Evidently's test names.

The cases rebuild the data of Evidently's own stattest tests (tests/stattests/
test_stattests.py of evidentlyai/evidently 0.7.23: the same samples, test names and
thresholds); each is run through Evidently in its side environment (see
test_drift_evidently.py) and through ``assay.drift.compare`` with the same name, and the
drift score and flag must agree.

Tolerances: 1e-9 relative (1e-12 absolute) for the deterministic tests. ``TVD`` and
``empirical_mmd`` give permutation p-values: Evidently draws its permutations from
numpy's global generator, assay from its counter-based one, so the two p-values are
two Monte Carlo estimates of the same permutation p-value; they must agree within four
standard errors (1000 and 100 permutations), as Evidently's own tests allow 0.1 for MMD.

The cases where Evidently raises and assay does not (NaN or infinity in a column given
to ``fisher_exact``, more than two categories) are differences by decision (assay drops
and counts missing values for every test, and gives NaN with a note when a test does not
apply): docs/drift.md lists them; here assay's own behaviour is checked.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from assay import drift
from scipy import stats
from test_drift_evidently import evidently_python, run_evidently  # noqa: F401 (fixture)

SIX = [1, 2, 3, 4, 5, 6]
BASE = np.repeat(SIX, [16, 18, 16, 14, 12, 12]).tolist()
FLAT = np.repeat(SIX, [16, 16, 16, 16, 16, 8]).tolist()
SHIFTED = np.repeat(SIX, [10, 10, 24, 24, 10, 10]).tolist()
ALL_SIX = np.repeat(SIX, [0, 0, 0, 0, 0, 88]).tolist()
REORDERED = np.repeat(SIX, [10, 24, 12, 16, 8, 16]).tolist()
HEIGHTS = [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0]
OTHER_HEIGHTS = [39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8]
NAN = None
_rng = np.random.default_rng(0)
WIDE, NARROW = _rng.normal(0, 0.5, 100).tolist(), _rng.normal(0, 0.1, 100).tolist()

# (Evidently's test name, reference, current, kind, threshold)
CASES = [
    ("chisquare", BASE, FLAT, "cat", 0.5),
    ("hellinger", BASE, FLAT, "cat", 0.1),
    ("chisquare", np.repeat(SIX, [32, 36, 32, 28, 24, 24]).tolist(), FLAT, "cat", 0.5),
    ("hellinger", np.repeat(SIX, [32, 36, 32, 28, 24, 24]).tolist(), FLAT, "cat", 0.1),
    ("chisquare", ["a"] * 10 + ["b"] * 10 + [NAN] * 10, ["a"] * 10 + ["b"] * 10 + [NAN] * 10, "cat", 0.5),
    ("hellinger", ["a"] * 10 + ["b"] * 10 + [NAN] * 10, ["a"] * 10 + ["b"] * 10 + [NAN] * 10, "cat", 0.1),
    ("hellinger", [*HEIGHTS, NAN], [*HEIGHTS, NAN], "num", 0.1),
    ("chisquare", ["a"] * 10 + ["b"] * 10 + ["c"] * 10, ["a"] * 10 + ["b"] * 10 + ["c"] * 10, "cat", 0.5),
    ("z", ["a", "b"] * 10, ["a", "b"] * 10, "cat", 0.5),
    ("z", ["a", NAN] * 10, ["a", "b"] * 10, "cat", 0.5),
    ("anderson", HEIGHTS, OTHER_HEIGHTS, "num", 0.001),
    ("g_test", ["a"] * 5 + ["b"] * 5 + ["c"] * 8, ["a"] * 4 + ["b"] * 6 + ["c"] * 8, "cat", 0.5),
    (
        "cramer_von_mises",
        stats.norm.rvs(size=100, random_state=0).tolist(),
        stats.norm.rvs(size=100, random_state=1).tolist(),
        "num",
        0.001,
    ),
    ("empirical_mmd", [1.0] * 25, [0.0] * 25, "num", 0.1),
    ("empirical_mmd", [1.0, 0.0, 1.0, 0.0, 1.0] * 5, [1.0, 0.0, 1.0, 0.0, 1.0] * 5, "num", 0.1),
    ("empirical_mmd", [1.0] * 25, [1.0] * 25, "num", 0.1),
    ("empirical_mmd", [1.1, 0.2, 2.1, 0.0, 1.0], [1.0, 0.0, 2.0, 0.0, 1.0], "num", 0.1),
    ("empirical_mmd", WIDE, NARROW, "num", 0.1),
    ("hellinger", [1] * 50, [1] * 50, "num", 0.1),
    ("hellinger", [1] * 50, [1] * 50, "cat", 0.1),
    ("fisher_exact", ["a", "b", "b", "a", "a", "b"] * 15, ["b", "b", "a", "b", "b", "a"] * 15, "cat", 0.1),
    ("fisher_exact", ["a", "b", "b", "a", "a", "b"], ["a"] * 6, "cat", 0.1),
    ("fisher_exact", ["a"] * 6, ["a"] * 6, "cat", 0.1),
    ("fisher_exact", ["a", "b", "b", "b", "a", "b"], ["b", "b", "b", "a", "b", "a"], "cat", 0.1),
    ("fisher_exact", ["a"] * 6, ["b"] * 6, "cat", 0.1),
    ("fisher_exact", ["a", "a", "a", "b", "b"] * 30, ["b", "b", "b", "a", "a"] * 30, "cat", 0.1),
    ("mannw", BASE, FLAT, "num", 0.05),
    ("TVD", BASE, FLAT, "cat", 0.1),
    ("TVD", BASE, SHIFTED, "cat", 0.1),
    ("TVD", BASE, ALL_SIX, "cat", 0.1),
    ("TVD", BASE, BASE, "cat", 0.1),
    ("TVD", BASE, REORDERED, "cat", 0.5),
    ("ed", HEIGHTS, HEIGHTS, "num", 0.1),
    ("ed", HEIGHTS, [h + 5 for h in HEIGHTS], "num", 0.1),
    ("es", BASE, FLAT, "num", 0.05),
    ("t_test", HEIGHTS, OTHER_HEIGHTS, "num", 0.05),
]
# Permutation p-values: Monte Carlo estimates with this many permutations on each side.
PERMUTATIONS = {"TVD": 1000, "empirical_mmd": 100}
# Evidently compares TVDs as floats computed with the categories in set order, so a
# permutation whose distance ties the observed one counts or not by rounding; assay
# compares the exact integer distances and counts every tie (higher p on tied data).
TIE_ALLOWANCE = {"TVD": 0.05}
# Cases where Evidently's function, called directly, differs by decision: {case id: why}.
DIFFERENCES = {
    "z-2": "Evidently's z function counts a missing value as 'not the first category' when "
    "called directly (its reports drop missing values first, as assay always does)",
}


def _ids() -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name, *_ in CASES:
        seen[name] = seen.get(name, 0) + 1
        out.append(f"{name}-{seen[name]}")
    return out


@pytest.fixture(scope="module")
def evidently_scores(evidently_python, tmp_path_factory):  # noqa: F811 (the imported fixture)
    path = tmp_path_factory.mktemp("evidently_named") / "cases.json"
    payload = [
        {"test": name, "reference": ref, "current": cur, "kind": kind, "threshold": threshold}
        for name, ref, cur, kind, threshold in CASES
    ]
    path.write_text(json.dumps(payload))
    return run_evidently(evidently_python, "named", str(path))


def _assay_sample(values: list, kind: str) -> np.ndarray:
    if kind == "num":
        return np.array([math.nan if v is None else v for v in values], dtype=float)
    return np.array([None if v is None else str(v) for v in values], dtype=object)


@pytest.mark.parametrize("case", range(len(CASES)), ids=_ids())
def test_stattest_case_agrees_with_evidently(evidently_scores, case):
    name, ref, cur, kind, threshold = CASES[case]
    theirs = evidently_scores[case]
    assert "error" not in theirs, theirs
    ours = drift.compare(_assay_sample(ref, kind), _assay_sample(cur, kind), test=name, threshold=threshold)
    if _ids()[case] in DIFFERENCES:  # assay's documented behaviour: missing values dropped
        assert ours.missing_reference + ours.missing_current > 0
        assert (
            ours.score
            == drift.compare(
                *(_assay_sample([v for v in s if v is not None], kind) for s in (ref, cur)), test=name
            ).score
        )
        return
    if name in PERMUTATIONS:
        p = min(max(theirs["score"], ours.score, 0.01), 0.99)
        tolerance = 4 * math.sqrt(2 * p * (1 - p) / PERMUTATIONS[name]) + TIE_ALLOWANCE.get(name, 0.0)
        assert abs(ours.score - theirs["score"]) <= tolerance, (ours.score, theirs["score"])
    else:
        np.testing.assert_allclose(ours.score, theirs["score"], rtol=1e-9, atol=1e-12)
    assert ours.drifted == theirs["drifted"]


def test_every_evidently_stattest_name_is_an_assay_test():
    # The names of Evidently's registry for tabular columns (its text tests are not offered).
    names = {"anderson", "chisquare", "cramer_von_mises", "ed", "es", "fisher_exact", "g_test", "hellinger"}
    names |= {"jensenshannon", "kl_div", "ks", "mannw", "empirical_mmd", "psi", "t_test", "TVD", "wasserstein", "z"}
    assert names <= set(drift.TESTS)


def test_fisher_exact_differences_by_decision():
    # Evidently raises on a missing value and on a third category; assay drops and counts
    # missing values, and gives NaN with a note where the test does not apply.
    with_missing = drift.compare(
        np.array(["a", None, "b", "a", "a", "b"], dtype=object),
        np.array(["b", "b", "a", "b", "b", "a"], dtype=object),
        test="fisher_exact",
    )
    assert with_missing.missing_reference == 1 and not math.isnan(with_missing.score)
    three = drift.compare(
        np.array(["a", "c", "a", "a", "a", "b"]), np.array(["b", "b", "a", "b", "b", "a"]), "fisher_exact"
    )
    assert math.isnan(three.score) and "at most 2 distinct values" in three.note
