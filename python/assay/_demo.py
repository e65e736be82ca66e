"""The scenario of ``assay demo``: a churn model audited on generated data with planted problems.

[`make_audit_demo`][assay.datasets.make_audit_demo] draws a reference period and a drifted
current period with planted quality problems, a leaky feature (``refund_requested``) and a
disparity between the groups of ``sex``. Half of the reference rows train a scikit-learn
``HistGradientBoostingClassifier``; the other half is the audit's reference, data the model
did not see (see docs/audit.md: an in-sample reference would fail the performance
comparison for any model). :func:`config` holds the gates that show each planted problem.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._audit import Audit, audit
from .datasets import CITIES, make_audit_demo
from .errors import InvalidInputError, MissingDependencyError

__all__ = ["FEATURES", "MIN_ROWS", "DemoRun", "config", "encode", "run", "train_model"]

MIN_ROWS = 200
PLAN_CODES = {"basic": 0, "plus": 1, "pro": 2}
CITY_CODES = {str(city): code for code, city in enumerate(CITIES)}
# What the model reads: sex (the sensitive feature) and customer_id are left out; plan and
# city as integer codes (a label the encoding does not know, such as a misspelt city, is
# missing), the form HistGradientBoosting's categorical support and assay's TreeExplainer read.
FEATURES = ("age", "income", "tenure_months", "monthly_spend", "plan_code", "city_code", "refund_requested")
TARGET = "churned"
SENSITIVE = "sex"


@dataclass(frozen=True)
class DemoRun:
    """One run of the demo.

    Parameters
    ----------
    audit : Audit
        The audit of the held-out reference half and the current period.
    model : Any
        The fitted ``HistGradientBoostingClassifier``.
    n_train : int
        Rows of the reference period the model was trained on.
    """

    audit: Audit
    model: Any
    n_train: int

    def describe(self) -> str:
        """What the demo generated and trained, as plain text (printed before the verdict).

        Returns
        -------
        str
        """
        data = self.audit.lineage["data"]
        config = self.audit.config
        return "\n".join(
            [
                f"assay demo: a churn model audited on generated data (seed {config.seed})",
                f"  reference: {data['reference']['rows']:,} rows of the training period the model did not see",
                f"  current:   {data['current']['rows']:,} rows of a later period",
                f"  model:     HistGradientBoostingClassifier ({self.model.max_iter} trees of depth "
                f"{self.model.max_depth}) trained on {self.n_train:,} other reference rows",
                f"             features: {', '.join(FEATURES)}",
                "  planted:   missing incomes, ages of 999, misspelt and unseen cities, duplicated rows with "
                "flipped labels (current);",
                "             drift of income, monthly_spend and plan; a leaky feature (refund_requested); "
                "inflated churn labels of sex=F",
                f"  intervals: {config.n_boot} bootstrap replicates at {config.confidence_level:.0%}",
                "",
            ]
        )


def config(seed: int = 0) -> dict[str, Any]:
    """The demo's audit configuration: the defaults plus the gates that show its planted problems.

    Parameters
    ----------
    seed : int, default 0
        The audit's seed (samples and bootstrap replicates).

    Returns
    -------
    dict
        A configuration for [`assay.audit`][assay.audit]. The default checks already
        catch the leak (``quality.target_leakage``: the lower bound of the leakage score
        reaches 0.8) and the disparity (``fairness.four_fifths``); the rules catch the ages
        of 999; the share of drifted features fails from 30%; a gate fails when the lower
        95% bound of the demographic-parity ratio is under 0.8.
    """
    return {
        "seed": seed,
        "columns": {"exclude": ["customer_id", "plan_code", "city_code"]},
        "quality": {
            "rules": {
                "age": {"dtype": "numeric", "min": 18, "max": 120},
                "income": {"max_missing": 0.2},
                "plan": {"allowed": list(PLAN_CODES)},
            }
        },
        "drift": {"checks": {"drifted_share": {"threshold": 0.3}}},
        "fairness": {
            "gates": [
                {
                    "name": "demographic_parity",
                    "metric": "demographic_parity_ratio",
                    "bound": "lower",
                    "op": "<",
                    "threshold": 0.8,
                }
            ]
        },
    }


def _require() -> None:
    """MissingDependencyError naming the ``demo`` extra when pandas or scikit-learn is absent."""
    for module, package in (("pandas", "pandas"), ("sklearn", "scikit-learn")):
        try:
            importlib.import_module(module)
        except ImportError:
            raise MissingDependencyError(
                f"the demo trains a scikit-learn model on pandas tables, and {package} is not installed: "
                "pip install 'assay[demo]'"
            ) from None


def encode(table: Any) -> Any:
    """The table with ``plan_code`` and ``city_code``, the integer codes the model reads.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of [`make_audit_demo`][assay.datasets.make_audit_demo].

    Returns
    -------
    pandas.DataFrame
        A new table; labels the codes do not know (misspelt or new cities) are missing.
    """
    return table.assign(
        plan_code=table["plan"].map(PLAN_CODES).astype("float64"),
        city_code=table["city"].map(CITY_CODES).astype("float64"),
    )


def train_model(train: Any, seed: int = 0) -> Any:
    """Fits the demo's ``HistGradientBoostingClassifier`` on :data:`FEATURES`.

    Parameters
    ----------
    train : pandas.DataFrame
        Encoded rows (see :func:`encode`) with the target ``churned``.
    seed : int, default 0
        The model's ``random_state``.

    Returns
    -------
    sklearn.ensemble.HistGradientBoostingClassifier
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    # A fixed number of trees (no early stopping, which would hold out a random share of the
    # rows), missing incomes handled natively, plan and city as categories.
    model = HistGradientBoostingClassifier(
        max_iter=60,
        max_depth=4,
        early_stopping=False,
        categorical_features=["plan_code", "city_code"],
        random_state=seed,
    )
    return model.fit(train[list(FEATURES)], train[TARGET])


def run(rows: int = 20_000, seed: int = 0, n_jobs: int | None = None) -> DemoRun:
    """Generates the scenario, trains the model and audits it.

    Parameters
    ----------
    rows : int, default 20000
        Rows of each period; half of the reference period trains the model.
    seed : int, default 0
        Seed of the data, the split, the model and the audit.
    n_jobs : int, optional
        Threads of the audit's engines.

    Returns
    -------
    DemoRun

    Raises
    ------
    InvalidInputError
        ``rows`` under 200.
    MissingDependencyError
        scikit-learn or pandas is not installed (the ``demo`` extra).
    """
    if not isinstance(rows, int) or rows < MIN_ROWS:
        raise InvalidInputError(f"rows: expected an integer of at least {MIN_ROWS}, got {rows!r}")
    _require()
    reference, current = make_audit_demo(rows, seed=seed, as_pandas=True)
    reference, current = encode(reference), encode(current)
    in_training = np.random.default_rng([seed, 2]).permutation(rows) < rows // 2
    train = reference[in_training]
    held_out = reference[~in_training].reset_index(drop=True)
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    # scikit-learn brings its own OpenMP runtime. Next to the core's, the idle threads of one
    # spin while the other works: on two busy cores a 0.1 s fit took 30 s. The model is small,
    # so it gets one thread; the core sets its threads per call (num_threads), which this
    # limit does not reach.
    with threadpool_limits(limits=1, user_api="openmp"):
        model = train_model(train, seed)
        result = audit(
            held_out,
            current,
            target=TARGET,
            model=model,
            sensitive_features=[SENSITIVE],
            config=config(seed),
            n_jobs=n_jobs,
            progress=False,
        )
    return DemoRun(result, model, len(train))
