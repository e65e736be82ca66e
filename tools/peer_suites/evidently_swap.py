"""A pytest plugin that runs Evidently's own stattest tests against assay.

Loaded with ``-p evidently_swap`` in Evidently's environment (assay importable, this
directory on ``sys.path``), it makes every Evidently stattest's ``func`` call
``assay.drift.compare`` with the stattest's name and threshold and return Evidently's
``(score, drifted)``. Outcomes are logged by swap_log.py; a name assay does not offer
(Evidently's text-content tests) is unsupported.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from assay import drift
from swap_log import DIFFERENCES, pytest_runtest_makereport, pytest_runtest_setup, recorded, unsupported

__all__ = ["pytest_configure", "pytest_runtest_makereport", "pytest_runtest_setup"]

DIFFERENCES.update(
    {
        "test_for_null_fisher_exact": "fisher_exact: assay drops and counts missing values (Evidently raises)",
        "test_for_multiple_categories_fisher_exact": "fisher_exact: more than two categories give NaN with a note "
        "(Evidently raises)",
        "test_z_stat_test_cat_feature": "z: missing values are dropped (Evidently's function, called directly, "
        "counts them as another category)",
        "test_tvd_stattest": "TVD: a permutation p-value from another random stream, ties counted exactly "
        "(Evidently's test expects its own draws to 1e-3)",
    }
)


def _sample(series: Any, categorical: bool) -> np.ndarray:
    values = series.to_numpy() if hasattr(series, "to_numpy") else np.asarray(series)
    if not categorical:
        return values.astype(float)
    return np.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values], object)


def _stattest(name: str) -> Any:
    def func(reference: Any, current: Any, feature_type: Any, threshold: float) -> tuple[float, bool]:
        if name not in drift.TESTS:
            unsupported(f"stattest {name!r}")
        categorical = str(getattr(feature_type, "value", feature_type)) == "cat"
        result = drift.compare(
            _sample(reference, categorical), _sample(current, categorical), test=name, threshold=threshold
        )
        return result.score, result.drifted

    func.__name__ = f"assay_{name}"
    return recorded(func)


def pytest_configure(config: Any) -> None:
    from evidently.legacy.calculations.stattests.registry import StatTest

    StatTest.func = property(lambda self: _stattest(self.name))  # type: ignore[method-assign]
