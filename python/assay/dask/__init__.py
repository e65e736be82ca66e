"""assay on Dask: the engines' calls on dask DataFrames and arrays, with the single-machine
results (extra ``assay[dask]``).

Each call builds a Dask graph of the engine's single-machine work and computes it on the
current ``distributed`` client (or the one given as ``client=``, or Dask's default scheduler):

* [`profile`][assay.dask.profile]: one task per column within the memory budget (the exact
  single-machine profile), else per-partition profiles merged in a fixed tree of
  ``SPLIT_EVERY`` (counts and moments exact, quantiles and distinct counts sketched);
* [`check`][assay.dask.check]: one task over the gathered table within the memory budget,
  else the one-pass sketch mode (``quality.check(..., exact=False)``) from per-partition check
  states merged in a fixed tree of ``SPLIT_EVERY`` (counts, rules and categorical checks
  exact, quantile-based checks sketched);
* [`MetricFrame`][assay.dask.MetricFrame] and the named disparities: per-partition confusion
  counts merged in a fixed tree for unweighted classification metrics (nothing gathered),
  else one task over the gathered columns they need;
* [`drift.report`][assay.dask.drift.report] and [`drift.over_time`][assay.dask.drift.over_time]:
  one task per column of both tables; beyond the budget, per-partition column sketches merged
  in a fixed tree, one per sample (``over_time``: per chunk) (exact counts: the tests on counts
  exact, the rank tests with stated bounds);
* [`TreeExplainer`][assay.dask.TreeExplainer]: SHAP values per partition (a dask array back)
  and the mean |SHAP| importance;
* [`audit`][assay.dask.audit]: the model's outputs per partition on the workers, then the
  single-machine audit on the tables gathered to the client within the memory budget.

The memory budget (the bytes one task may gather) is Dask's configuration key
``assay.memory-budget`` ([`memory_budget`][assay.dask.memory_budget]).

Examples
--------
>>> import dask.dataframe as dd
>>> import pandas as pd
>>> from assay import dask as adask
>>> frame = dd.from_pandas(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}), npartitions=2)
>>> adask.profile(frame)["x"]["mean"]
2.5
"""

from __future__ import annotations

from . import drift
from ._audit import audit
from ._explain import TreeExplainer
from ._fairness import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
)
from ._graph import DEFAULT_MEMORY_BUDGET, MEMORY_BUDGET_KEY, SPLIT_EVERY, memory_budget
from ._quality import check, profile

__all__ = [
    "DEFAULT_MEMORY_BUDGET",
    "MEMORY_BUDGET_KEY",
    "SPLIT_EVERY",
    "MetricFrame",
    "TreeExplainer",
    "audit",
    "check",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "drift",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "memory_budget",
    "profile",
]
