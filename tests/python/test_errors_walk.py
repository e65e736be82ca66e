"""Every public entry point, given bad input, raises one of assay's own errors.

`except assay.errors.AssayError` must catch whatever assay raises on bad input (issue 17), so
this file walks the public API: each callable of the listed modules has at least one bad call
below, and a test fails when a public name appears without one (add it here, or to RESULTS if
it is a result type that users receive rather than build). Each bad call must raise a subclass of
`assay.errors.AssayError`, never a bare ValueError/TypeError or an exception from numpy, pandas or
pybind11. What each engine does with each kind of bad input is in docs/bad_input.md; the
per-engine bad-input tests check the messages.
"""

from __future__ import annotations

import inspect
import json
from typing import Any, Callable

import assay
import assay.datasets
import assay.drift as drift
import assay.explain as explain
import assay.fairness as fairness
import assay.monitor as monitor
import assay.plots as plots
import assay.quality as quality
import assay.review as review
import assay.slices as slices
import numpy as np
import pytest
from assay.errors import AssayError

MODULES = [assay, quality, drift, fairness, explain, plots, assay.datasets, slices, review, monitor]
try:  # the dask extra
    import assay.dask as adask
    import assay.dask.drift
    import pandas as pd

    MODULES += [adask, assay.dask.drift]
except ImportError:
    adask = None

# Result types: returned by assay, not entry points for raw input.
RESULTS = {
    "drift.TestResult",
    "drift.KstestResult",
    "drift.AndersonKSampResult",
    "drift.Chi2ContingencyResult",
    "drift.ColumnResult",
    "drift.DriftReport",
    "drift.DriftOverTime",
    "drift.MMDResult",
    "drift.DomainClassifierResult",
    "drift.ReconstructionDrift",
    "fairness.CalibrationByGroup",
    "fairness.FourFifths",
    "quality.Finding",
    "quality.QualityReport",
    "explain.Background",
    "explain.TreeModel",
    "assay.AuditConfig",
    "assay.GateResult",
    "slices.SliceResult",
    "review.RoutingResult",
    "monitor.CBPEResult",
}

Y = np.array([0, 1, 1, 0, 1, 0])
A = np.array(["a", "a", "b", "b", "a", "b"])
X = np.arange(12.0).reshape(6, 2)
WITH_NAN = [1.0, np.nan, 2.0]
WORDS = ["x", "y", "z"]


def _linear(rows: np.ndarray) -> np.ndarray:
    return rows.sum(axis=1)


def _explanation() -> explain.Explanation:
    return explain.Explanation(np.ones((3, 2)), base_values=np.zeros(3), data=np.ones((3, 2)))


def _pair_tests(function: Callable[..., Any]) -> list[Callable[[], Any]]:
    return [lambda: function(WITH_NAN, [1.0, 2.0]), lambda: function(WORDS, [1.0, 2.0])]


def _distributions(function: Callable[..., Any]) -> list[Callable[[], Any]]:
    return [lambda: function([0.5, 0.5], [0.2, 0.3, 0.5]), lambda: function([-0.5, 1.5], [0.5, 0.5])]


def _classification(function: Callable[..., Any]) -> list[Callable[[], Any]]:
    return [lambda: function(Y, Y[:-1]), lambda: function(Y, np.array([object()] * 6))]


def _disparity(function: Callable[..., Any]) -> list[Callable[[], Any]]:
    return [
        lambda: function(Y, Y, sensitive_features=A[:-1]),
        lambda: function(Y, Y, sensitive_features=A, method="nearest"),
    ]


BAD_CALLS: dict[str, list[Callable[[], Any]]] = {
    # the audit
    "assay.audit": [
        lambda: assay.audit({"x": X[:, 0]}, {"x": X[:, 0]}, target="missing"),
        lambda: assay.audit({"x": X[:, 0]}, "not a table"),
        lambda: assay.audit({"x": X[:, 0]}, {"x": X[:, 0]}, config={"n_boot": -1}),
        lambda: assay.audit({"x": X[:, 0]}, {"x": X[:, 0]}, model=object()),
    ],
    "assay.load_audit_config": [lambda: assay.load_audit_config({"seeds": 1}), lambda: assay.load_audit_config(42)],
    "assay.Audit": [lambda: assay.Audit.from_json("{not json"), lambda: assay.Audit.from_dict({"assay": {}})],
    "assay.Gate": [
        lambda: assay.Gate("g", "fairness", "count", "!=", 1.0),
        lambda: assay.Gate("g", "fairness", "count", "<"),
    ],
    "assay.set_progress": [lambda: assay.set_progress("yes")],
    "assay.Measurement": [lambda: assay.Measurement("", "count"), lambda: assay.Measurement("s", "m", value="x")],
    # quality
    "slices.find_slices": [
        lambda: slices.find_slices(X, [0.1, np.nan, 0.2, 0.3, 0.4, 0.5]),
        lambda: slices.find_slices(X, [1.0] * 5),
        lambda: slices.find_slices(X, Y.astype(float), k=0),
        lambda: slices.find_slices(X, Y.astype(float), alpha="high"),
        lambda: slices.find_slices(X, y_true=Y, y_pred=Y, metric="mystery"),
    ],
    "quality.profile": [
        lambda: quality.profile("not a table"),
        lambda: quality.profile(X, histogram_bins=0),
        lambda: quality.profile(X, exact="no"),
    ],
    "quality.check": [
        lambda: quality.check(X, target="missing"),
        lambda: quality.check(X, fail_on="sometimes"),
        lambda: quality.check(X, exact=None),
    ],
    "quality.Profile": [
        lambda: quality.Profile.from_json("{not json"),
        lambda: quality.Profile.from_json(json.dumps({})),
    ],
    "quality.leakage_scores": [
        lambda: quality.leakage_scores(X, "nope"),
        lambda: quality.leakage_scores({"a": [1.0, 2.0], "y": [0, 1]}, "y", thresholds={"leakage_confidence": 2}),
    ],
    "datasets.make_quality_demo": [lambda: assay.datasets.make_quality_demo(n_rows=-5)],
    "datasets.make_audit_demo": [lambda: assay.datasets.make_audit_demo(n_rows=10)],
    # drift: tests and distances
    "drift.ks_2samp": _pair_tests(drift.ks_2samp) + [lambda: drift.ks_2samp([1.0], [2.0], method="exactly")],
    "drift.mannwhitneyu": _pair_tests(drift.mannwhitneyu),
    "drift.cramervonmises_2samp": _pair_tests(drift.cramervonmises_2samp),
    "drift.epps_singleton_2samp": _pair_tests(drift.epps_singleton_2samp),
    "drift.anderson_ksamp": [
        lambda: drift.anderson_ksamp([[1.0, 2.0]]),
        lambda: drift.anderson_ksamp([WITH_NAN, WITH_NAN]),
    ],
    "drift.wasserstein_distance": _pair_tests(drift.wasserstein_distance)
    + [lambda: drift.wasserstein_distance([1.0, 2.0], [1.0], u_weights=[1.0])],
    "drift.energy_distance": _pair_tests(drift.energy_distance),
    "drift.normalized_wasserstein": _pair_tests(drift.normalized_wasserstein),
    "drift.chi2_contingency": [
        lambda: drift.chi2_contingency([[1, -1], [2, 3]]),
        lambda: drift.chi2_contingency(np.ones((2, 2, 2))),
    ],
    "drift.chisquare": [lambda: drift.chisquare([1, 2], [1, 2, 3]), lambda: drift.chisquare([1, np.nan], [1, 2])],
    "drift.power_divergence": [
        lambda: drift.power_divergence([1, 2], lambda_="bogus"),
        lambda: drift.power_divergence([1, 2], ddof="one"),
    ],
    "drift.entropy": [lambda: drift.entropy([1, -1]), lambda: drift.entropy([1, 2], base=1)],
    "drift.fisher_exact": [lambda: drift.fisher_exact([[1, 2], [3]]), lambda: drift.fisher_exact([[1, -2], [3, 4]])],
    "drift.two_proportion_ztest": [
        lambda: drift.two_proportion_ztest(5, 3, 1, 2),
        lambda: drift.two_proportion_ztest(1, 0, 1, 2),
    ],
    "drift.adjust_pvalues": [
        lambda: drift.adjust_pvalues([0.1, 1.5], "holm"),
        lambda: drift.adjust_pvalues([0.1], "sidak"),
    ],
    "drift.psi": _distributions(drift.psi),
    "drift.kl_divergence": _distributions(drift.kl_divergence),
    "drift.jensenshannon": _distributions(drift.jensenshannon),
    "drift.hellinger": _distributions(drift.hellinger),
    "drift.total_variation": _distributions(drift.total_variation),
    # drift: reports and detectors
    "drift.compare": [
        lambda: drift.compare([1.0, 2.0], [1.0, 2.0], test="ks", threshold=-1),
        lambda: drift.compare([1.0], [2.0], test="t"),
    ],
    "drift.report": [lambda: drift.report(X, X, columns=["nope"]), lambda: drift.report(X, "not a table")],
    "drift.over_time": [lambda: drift.over_time(X, X, chunk_size=-1), lambda: drift.over_time(X, X, n_chunks=0)],
    "drift.mmd": [lambda: drift.mmd(X, X, n_permutations=-1), lambda: drift.mmd(X, X, bandwidth=np.nan)],
    "drift.pca_reconstruction": [lambda: drift.pca_reconstruction(X, X, variance=2.0)],
    "drift.domain_classifier": [
        lambda: drift.domain_classifier(X, X, classifier="svm"),
        lambda: drift.domain_classifier(X, X, n_folds=1),
    ],
    # fairness: MetricFrame and the metric functions
    "fairness.MetricFrame": [
        lambda: fairness.MetricFrame(metrics=fairness.selection_rate, y_true=Y, y_pred=Y, sensitive_features=A[:-1]),
        lambda: fairness.MetricFrame(metrics="accuracy", y_true=Y, y_pred=Y, sensitive_features=A),
    ],
    "fairness.count": [lambda: fairness.count(Y, Y[:-1])],
    **{
        f"fairness.{name}": _classification(getattr(fairness, name))
        for name in [
            "selection_rate",
            "true_positive_rate",
            "false_positive_rate",
            "true_negative_rate",
            "false_negative_rate",
            "accuracy_score",
            "zero_one_loss",
            "precision_score",
            "recall_score",
            "f1_score",
            "balanced_accuracy_score",
            "mean_prediction",
            "mean_error",
            "mean_absolute_error",
            "mean_squared_error",
            "root_mean_squared_error",
            "r2_score",
            "roc_auc_score",
            "expected_calibration_error",
        ]
    },
    **{
        f"fairness.{name}": _disparity(getattr(fairness, name))
        for name in [
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
            "equalized_odds_ratio",
            "equal_opportunity_difference",
            "equal_opportunity_ratio",
        ]
    },
    "fairness.make_derived_metric": [
        lambda: fairness.make_derived_metric(metric=fairness.accuracy_score, transform="mean"),
        lambda: fairness.make_derived_metric(metric=42, transform="difference"),
    ],
    **{
        f"fairness.{name}": [lambda name=name: getattr(fairness, name)(Y, Y, sensitive_features=A[:-1])]
        for name in fairness.GENERATED_METRICS
    },
    # fairness: audit, intervals, indices, mitigation
    "fairness.ConfusionAccumulator": [lambda: fairness.ConfusionAccumulator(levels={"g": []}, labels=[0, 1])],
    "fairness.RegressionAccumulator": [lambda: fairness.RegressionAccumulator(levels="g")],
    "fairness.ThresholdOptimizer": [
        lambda: fairness.ThresholdOptimizer(constraints="happiness").fit(X, Y, sensitive_features=A)
    ],
    "fairness.between_group_generalized_entropy_index": [
        lambda: fairness.between_group_generalized_entropy_index(Y, Y, sensitive_features=A[:-1])
    ],
    "fairness.between_group_theil_index": [lambda: fairness.between_group_theil_index(Y, Y, sensitive_features=A[:-1])],
    "fairness.calibration_by_group": [lambda: fairness.calibration_by_group(Y, Y * 2.0, sensitive_features=A)],
    "fairness.disparate_impact_ratio": [
        lambda: fairness.disparate_impact_ratio(Y, Y, sensitive_features=A, reference="z")
    ],
    "fairness.four_fifths": [
        lambda: fairness.four_fifths(Y, sensitive_features=A, threshold=1.5),
        lambda: fairness.four_fifths(Y, sensitive_features=A[:-1]),
    ],
    "fairness.generalized_entropy_index": [lambda: fairness.generalized_entropy_index(Y, Y[:-1])],
    "fairness.katz_interval": [lambda: fairness.katz_interval(5, 3, 1, 2)],
    "fairness.newcombe_interval": [lambda: fairness.newcombe_interval(1, 2, 1, 2, confidence=1.5)],
    "fairness.wilson_interval": [
        lambda: fairness.wilson_interval(3, 2),
        lambda: fairness.wilson_interval(1, 2, confidence=0),
    ],
    "fairness.reweighing": [lambda: fairness.reweighing(Y, sensitive_features=A[:-1])],
    "fairness.roc_auc_by_group": [lambda: fairness.roc_auc_by_group(Y, WORDS * 2, sensitive_features=A)],
    "fairness.smoothed_edf": [lambda: fairness.smoothed_edf(Y, sensitive_features=A, concentration=-1.0)],
    "fairness.theil_index": [lambda: fairness.theil_index(Y, Y[:-1])],
    # explain
    "explain.TreeExplainer": [
        lambda: explain.TreeExplainer(object()),
        lambda: explain.TreeExplainer("no-such-model.json"),
    ],
    "explain.KernelExplainer": [
        lambda: explain.KernelExplainer(_linear, X, link="cubic"),
        lambda: explain.KernelExplainer(42, X),
    ],
    "explain.PermutationExplainer": [lambda: explain.PermutationExplainer(_linear, X, seed=-1)],
    "explain.ExactExplainer": [lambda: explain.ExactExplainer(_linear, np.empty((0, 2)))],
    "explain.LinearExplainer": [lambda: explain.LinearExplainer(object(), X)],
    "explain.Explanation": [lambda: explain.Explanation(np.ones((3, 2)), base_values=np.zeros(4))],
    "explain.kmeans": [lambda: explain.kmeans(X, 0), lambda: explain.kmeans(X, 100)],
    "explain.Cohorts": [lambda: explain.Cohorts(group=[1, 2, 3]), lambda: explain.Cohorts()(axis=0)],
    "explain.Independent": [lambda: explain.Independent(X, max_samples=0)],
    "explain.tree_model": [lambda: explain.tree_model(object())],
    # plots
    "plots.bar": [lambda: plots.bar("not an explanation")],
    "plots.beeswarm": [lambda: plots.beeswarm(_explanation(), max_display=0)],
    "plots.dependence": [lambda: plots.dependence(_explanation(), "nope")],
    "plots.scatter": [lambda: plots.scatter(np.zeros(3)), lambda: plots.scatter(_explanation()[:, 0], color="nope")],
    "plots.waterfall": [lambda: plots.waterfall(_explanation(), max_display=-1)],
    "plots.drift_distribution": [lambda: plots.drift_distribution(X, X, "nope")],
    "plots.drift_over_time": [lambda: plots.drift_over_time("not a result")],
    "plots.reconstruction_error": [lambda: plots.reconstruction_error("not a result")],
    "plots.plot_metric_by_group": [lambda: plots.plot_metric_by_group("not a frame")],
    # review
    "review.conformal_rank": [lambda: review.conformal_rank(10, 1.5), lambda: review.conformal_rank(2.5, 0.1)],
    "review.ConformalClassifier": [
        lambda: review.ConformalClassifier(score="raps"),
        lambda: review.ConformalClassifier().fit(X / 20, [0, 1, 2, 0, 1, 0]),
        lambda: review.ConformalClassifier().fit(np.full((6, 2), np.nan), Y),
        lambda: review.ConformalClassifier().predict_set(X / 20),
    ],
    "review.ConformalRegressor": [
        lambda: review.ConformalRegressor(alpha=0).fit(X[:, 0], X[:, 1]),
        lambda: review.ConformalRegressor().fit(WITH_NAN, [1.0, 2.0, 3.0]),
        lambda: review.ConformalRegressor().fit(X[:, 0], X[:, 1], y_lower=X[:, 0], y_upper=X[:, 1]),
    ],
    "review.ReviewRouter": [
        lambda: review.ReviewRouter(budget=1.5),
        lambda: review.ReviewRouter().fit(X / 20, Y, groups=A[:-1]),
        lambda: review.ReviewRouter().route(X / 20),
        lambda: review.ReviewRouter().fit(X / 20, Y).route(X[:, 0]),
    ],
    # monitor
    "monitor.CBPE": [
        lambda: monitor.CBPE(metrics=["auc"]),
        lambda: monitor.CBPE(convention="evidently"),
        lambda: monitor.CBPE().fit(Y, WITH_NAN * 2),
        lambda: monitor.CBPE().fit(Y * 2, X[:, 0]),
        lambda: monitor.CBPE().estimate(X[:, 0]),
    ],
}
if adask is not None:
    import dask

    def _dask_disparity(function: Callable[..., Any]) -> list[Callable[[], Any]]:
        return [lambda: function(Y, Y, sensitive_features=A), lambda: function("y", "p", sensitive_features=None)]

    def _bad_budget() -> Any:
        with dask.config.set({adask.MEMORY_BUDGET_KEY: "a lot"}):
            return adask.memory_budget()

    BAD_CALLS.update(
        {
            "dask.profile": [lambda: adask.profile(X), lambda: adask.profile(pd.DataFrame(X), histogram_bins=0)],
            "dask.check": [lambda: adask.check("not a table")],
            "dask.audit": [lambda: adask.audit(pd.DataFrame(X), "not a table"), lambda: adask.audit()],
            "dask.memory_budget": [_bad_budget],
            "dask.MetricFrame": [lambda: adask.MetricFrame(metrics=len, y_true=Y, y_pred=Y, sensitive_features=A)],
            "dask.TreeExplainer": [lambda: adask.TreeExplainer(object())],
            "dask.drift.report": [lambda: adask.drift.report(pd.DataFrame(X), X)],
            "dask.drift.over_time": [lambda: adask.drift.over_time(pd.DataFrame(X), "not a table")],
            **{
                f"dask.{name}": _dask_disparity(getattr(adask, name))
                for name in (
                    "demographic_parity_difference",
                    "demographic_parity_ratio",
                    "equal_opportunity_difference",
                    "equal_opportunity_ratio",
                    "equalized_odds_difference",
                    "equalized_odds_ratio",
                )
            },
        }
    )


def _public_callables() -> set[str]:
    names = set()
    for module in MODULES:
        short = module.__name__.removeprefix("assay.") if module is not assay else "assay"
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)
            if inspect.ismodule(value) or not callable(value):
                continue
            if module is assay and not getattr(value, "__module__", "").startswith("assay._"):
                continue  # re-exports of a public module: walked under that module
            names.add(f"{short}.{name}")
    return names


def test_every_public_callable_has_a_bad_call():
    missing = _public_callables() - set(BAD_CALLS) - RESULTS
    assert not missing, f"public names without a bad-input call in this file: {sorted(missing)}"
    stale = set(BAD_CALLS) - _public_callables()
    assert not stale, f"names here that are no longer public: {sorted(stale)}"


CASES = [(name, index, call) for name, calls in BAD_CALLS.items() for index, call in enumerate(calls)]


@pytest.mark.parametrize(("name", "index", "call"), CASES, ids=[f"{name}[{index}]" for name, index, _ in CASES])
def test_bad_input_raises_an_assay_error(name, index, call):
    pytest.importorskip("matplotlib") if name.startswith("plots.") else None
    with pytest.raises(AssayError) as raised:
        call()
    assert type(raised.value).__module__.startswith("assay."), f"{name}: {type(raised.value)!r}"
    assert str(raised.value), f"{name}: an error without a message"
