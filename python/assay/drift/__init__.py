"""Drift: has the data moved away from the reference?

Two-sample tests with scipy's names and results (``.statistic``, ``.pvalue``), distances
between distributions, and column reports:

* [`report`][assay.drift.report] checks every column of a current table against a
  reference table with the test that Evidently's defaults would pick (or the tests you
  name), flags drifted columns and gives the share of drifted feature columns; target and
  prediction columns are reported apart. [`compare`][assay.drift.compare] does the same
  for one pair of samples.
* [`over_time`][assay.drift.over_time] does the same for every chunk of the current
  data (by time period, by size or by count), for monitoring plots.
* [`mmd`][assay.drift.mmd], [`domain_classifier`][assay.drift.domain_classifier] and
  [`pca_reconstruction`][assay.drift.pca_reconstruction] look at all columns together
  (kernel two-sample test; a classifier telling the samples apart; NannyML's
  reconstruction-error drift).

The two-sample tests ([`ks_2samp`][assay.drift.ks_2samp] and its kin) and the sample
distances ([`wasserstein_distance`][assay.drift.wasserstein_distance] and its kin) take
two 1-D numeric samples and refuse NaN and infinities; the distances between discrete
distributions ([`psi`][assay.drift.psi] and its kin) take two vectors of counts or
weights. All statistics run in the C++ core; the drift guide gives definitions and
defaults.

Examples
--------
>>> import numpy as np
>>> from assay import drift
>>> rng = np.random.default_rng(0)
>>> reference = {"age": rng.normal(40, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
>>> current = {"age": rng.normal(45, 10, 500), "plan": rng.choice(["basic", "pro"], 500)}
>>> result = drift.report(reference, current)
>>> result.drifted_columns, result.dataset_drift
(['age'], True)
>>> statistic, pvalue = drift.ks_2samp(reference["age"], current["age"])
>>> round(statistic, 3), pvalue < 0.001
(0.208, True)
"""

from __future__ import annotations

from ._corrections import CORRECTIONS, adjust_pvalues
from ._distances import (
    energy_distance,
    entropy,
    hellinger,
    jensenshannon,
    kl_divergence,
    normalized_wasserstein,
    psi,
    total_variation,
    wasserstein_distance,
)
from ._multivariate import MAX_DEPTH as MAX_DEPTH
from ._multivariate import MAX_MMD_CELLS as MAX_MMD_CELLS
from ._multivariate import MAX_TREES as MAX_TREES
from ._multivariate import (
    DomainClassifierResult,
    MMDResult,
    ReconstructionDrift,
    domain_classifier,
    mmd,
    pca_reconstruction,
)
from ._over_time import MAX_OVER_TIME_RESULTS as MAX_OVER_TIME_RESULTS
from ._over_time import DriftOverTime, over_time
from ._report import TESTS, ColumnResult, DriftReport, compare, report
from ._tests import (
    AndersonKSampResult,
    Chi2ContingencyResult,
    KstestResult,
    TestResult,
    anderson_ksamp,
    chi2_contingency,
    chisquare,
    cramervonmises_2samp,
    epps_singleton_2samp,
    fisher_exact,
    ks_2samp,
    mannwhitneyu,
    power_divergence,
    two_proportion_ztest,
)

# The MAX_* limits imported above are attributes of the package, outside __all__ (documented
# apart in docs/api/drift.md).
__all__ = [
    "TestResult",
    "KstestResult",
    "AndersonKSampResult",
    "Chi2ContingencyResult",
    "ks_2samp",
    "mannwhitneyu",
    "cramervonmises_2samp",
    "anderson_ksamp",
    "epps_singleton_2samp",
    "wasserstein_distance",
    "energy_distance",
    "normalized_wasserstein",
    "chi2_contingency",
    "chisquare",
    "power_divergence",
    "fisher_exact",
    "two_proportion_ztest",
    "adjust_pvalues",
    "psi",
    "kl_divergence",
    "entropy",
    "jensenshannon",
    "hellinger",
    "total_variation",
    "compare",
    "report",
    "over_time",
    "mmd",
    "pca_reconstruction",
    "domain_classifier",
    "DomainClassifierResult",
    "MMDResult",
    "ReconstructionDrift",
    "ColumnResult",
    "DriftReport",
    "DriftOverTime",
    "TESTS",
    "CORRECTIONS",
]
