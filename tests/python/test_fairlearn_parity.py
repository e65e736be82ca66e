"""A fairlearn user's code runs unchanged on assay (issue 14): the same calls go to fairlearn
and to assay with ``convention="fairlearn"``, and the results, their types and the types of
the exceptions agree (exception messages may differ).

These are the kinds of cases of fairlearn's own test suite where assay used to differ; the
whole suite runs with tools/peer_suites/fairlearn.py (see docs/fairness.md, "Coming from
fairlearn").
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

fl_metrics = pytest.importorskip("fairlearn.metrics")
fl_post = pytest.importorskip("fairlearn.postprocessing")
pd = pytest.importorskip("pandas")
skm = pytest.importorskip("sklearn.metrics")
import assay.fairness as ours  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

FAIRLEARN = {"convention": "fairlearn"}

# fairlearn's data for its generated metrics (test/unit/metrics/test_generated_metrics.py).
Y_TRUE = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
Y_PRED = [1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
Y_PROB = [0.9, 0.2, 0.7, 0.3, 1, 0.1, 0, 0.8, 0, 0.2, 0, 0.4, 0, 1, 0.6, 1, 0.9, 1]
GROUP = [0, 1] * 9


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "value", call()
    except Exception as error:  # noqa: BLE001 - the exception is what is compared
        return "raises", error


def _same(theirs: Callable[[], Any], mine: Callable[[], Any]) -> Any:
    """Calls both; the same value (to 1e-12) or the same kind of exception: assay's is an
    instance of fairlearn's type, and a TypeError exactly when fairlearn's is."""
    (their_kind, their_result), (my_kind, my_result) = _outcome(theirs), _outcome(mine)
    assert my_kind == their_kind, f"fairlearn: {their_result!r}, assay: {my_result!r}"
    if their_kind == "raises":
        assert isinstance(my_result, type(their_result)), f"fairlearn: {their_result!r}, assay: {my_result!r}"
        assert isinstance(my_result, TypeError) == isinstance(their_result, TypeError), repr(my_result)
        return my_result
    _assert_equal(their_result, my_result)
    return my_result


def _assert_equal(theirs: Any, mine: Any) -> None:
    if isinstance(theirs, (pd.Series, pd.DataFrame)):
        assert type(mine) is type(theirs)
        pd.testing.assert_index_equal(mine.index, theirs.index)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_index_equal(mine.columns, theirs.columns)
        np.testing.assert_allclose(
            np.asarray(mine, dtype=float), np.asarray(theirs, dtype=float), rtol=1e-12, atol=1e-12
        )
    else:
        assert np.ndim(mine) == np.ndim(theirs)
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


# -- the metric functions on fairlearn's inputs ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("selection_rate", (1, 1), {}),
        ("selection_rate", (0, 1), {}),
        ("selection_rate", (True, False), {}),
        ("selection_rate", ([], []), {}),
        ("count", ([], []), {}),
        ("count", ([0, 1, 1], [1, 1, 0]), {}),
        ("count", ([0, 1, 1], [1, 1]), {}),
        ("mean_prediction", (None, [0, 1, 2, 3, 4], [8, 2, 1, 2, 1]), {}),
        ("mean_prediction", (None, [42]), {}),
        ("true_positive_rate", ([1, 1, 0], [1, 0, 0]), {}),
        ("false_negative_rate", ([0, 0], [0, 1]), {}),
    ],
)
def test_metric_functions(name, args, kwargs):
    mine = getattr(ours, name)
    bound = FAIRLEARN if name != "count" else {}
    _same(lambda: getattr(fl_metrics, name)(*args, **kwargs), lambda: mine(*args, **kwargs, **bound))


# -- make_derived_metric and the generated metrics ----------------------------------------------


def _generated_cases() -> list[tuple[str, Any, bool]]:
    """Each generated metric with each `method` (None for group_min/max) unweighted, and
    with its default method weighted."""
    cases = []
    for name in ours.GENERATED_METRICS:
        methods = [None] if "group_" in name else ["between_groups", "to_overall"]
        cases += [(name, method, False) for method in methods] + [(name, methods[0], True)]
    return cases


@pytest.mark.parametrize(("name", "method", "weighted"), _generated_cases())
def test_generated_metrics(name, method, weighted):
    assert name in fl_metrics._generated_metric_dict
    y_pred = Y_PROB if name.startswith(("log_loss", "roc_auc")) else Y_PRED
    kwargs = {"sensitive_features": GROUP, "method": method}
    if weighted:
        kwargs["sample_weight"] = np.linspace(0.5, 2.0, len(Y_TRUE))
    _same(
        lambda: getattr(fl_metrics, name)(Y_TRUE, y_pred, **kwargs),
        lambda: getattr(ours, name)(Y_TRUE, y_pred, **kwargs, **FAIRLEARN),
    )


def _with_method(y_true: Any, y_pred: Any, method: str = "x") -> float:
    return 0.0


@pytest.mark.parametrize(
    ("metric", "transform", "call_kwargs"),
    [
        (skm.recall_score, "difference", {"pos_label": 0}),
        (skm.fbeta_score, "group_max", {"beta": 0.5}),
        (skm.precision_score, "ratio", {"method": "to_overall", "zero_division": 1}),
        (lambda y_true, y_pred: float(np.mean(y_true)), "group_min", {}),
        (skm.accuracy_score, "mean", {}),  # an unknown transform
        (_with_method, "difference", {}),  # a metric with a `method` argument
        ("accuracy", "difference", {}),  # not callable
    ],
)
def test_make_derived_metric(metric, transform, call_kwargs):
    def derive(make: Callable[..., Any], **frame: Any) -> Any:
        derived = make(metric=metric, transform=transform)
        return derived(Y_TRUE, Y_PRED, sensitive_features=GROUP, **call_kwargs, **frame)

    _same(lambda: derive(fl_metrics.make_derived_metric), lambda: derive(ours.make_derived_metric, **FAIRLEARN))


# -- MetricFrame --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frame_data():
    rng = np.random.default_rng(7)
    n = 60
    return {
        "y_true": rng.integers(0, 3, n),
        "probabilities": rng.dirichlet(np.ones(3), n),
        "targets": rng.normal(size=(n, 2)),
        "group": np.repeat(["a", "b", "c"], n // 3),
        "control": np.tile(["x", "y"], n // 2),
    }


def _frames(**kwargs: Any) -> tuple[Callable[[], Any], Callable[[], Any]]:
    return (lambda: fl_metrics.MetricFrame(**kwargs)), (lambda: ours.MetricFrame(**kwargs, **FAIRLEARN))


@pytest.mark.parametrize("with_control", [False, True])
def test_metric_frame_without_metrics(frame_data, with_control):
    control = {"control_features": frame_data["control"]} if with_control else {}
    theirs, mine = _frames(
        metrics={}, y_true=frame_data["y_true"], y_pred=frame_data["y_true"], sensitive_features=frame_data["group"]
    )
    if with_control:
        theirs, mine = _frames(
            metrics={},
            y_true=frame_data["y_true"],
            y_pred=frame_data["y_true"],
            sensitive_features=frame_data["group"],
            **control,
        )
    frame, reference = mine(), theirs()
    for accessor in ("by_group", "overall"):
        assert getattr(frame, accessor).equals(getattr(reference, accessor)), accessor
    for aggregate in ("group_min", "group_max", "difference", "ratio"):
        assert getattr(frame, aggregate)().equals(getattr(reference, aggregate)()), aggregate


@pytest.mark.parametrize(
    ("metric", "y_pred_key", "y_true_key"),
    [
        (skm.r2_score, "targets", "targets"),  # multi-output regression
        (functools.partial(skm.r2_score, multioutput="raw_values"), "targets", "targets"),  # non-scalar
        (functools.partial(skm.roc_auc_score, multi_class="ovr"), "probabilities", "y_true"),  # multiclass
    ],
)
def test_metric_frame_two_dimensional_y(frame_data, metric, y_pred_key, y_true_key):
    theirs, mine = _frames(
        metrics={"m": metric},
        y_true=frame_data[y_true_key],
        y_pred=frame_data[y_pred_key] + (0.1 if y_true_key == "targets" else 0.0),
        sensitive_features=frame_data["group"],
    )
    frame, reference = mine(), theirs()
    for mine_cell, their_cell in zip(frame.by_group["m"], reference.by_group["m"]):
        np.testing.assert_allclose(mine_cell, their_cell, rtol=1e-12)
    _assert_equal(reference.difference(), frame.difference())


@pytest.mark.parametrize("random_state", ["abd", 1.5])
def test_metric_frame_random_state_of_another_type(frame_data, random_state):
    theirs, mine = _frames(
        metrics=fl_metrics.selection_rate,
        y_true=frame_data["y_true"] > 0,
        y_pred=frame_data["y_true"] > 1,
        sensitive_features=frame_data["group"],
        n_boot=5,
        ci_quantiles=[0.5],
        random_state=random_state,
    )
    _same(theirs, mine)


# -- ThresholdOptimizer: scikit-learn's conventions ----------------------------------------------


@pytest.fixture(scope="module")
def threshold_data():
    rng = np.random.default_rng(3)
    n = 120
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] + rng.normal(scale=0.8, size=n) > 0).astype(int)
    group = pd.DataFrame({0: np.where(X[:, 1] > 0, "p", "q"), 1: np.tile(["u", "v"], n // 2)})
    model = LogisticRegression().fit(X, y)
    return X, y, group, model


def _optimizers(**kwargs: Any) -> tuple[Any, Any]:
    return fl_post.ThresholdOptimizer(**kwargs), ours.ThresholdOptimizer(**kwargs)


@pytest.mark.parametrize(
    "params",
    [
        {"constraints": "happiness"},
        {"objective": "selection_rate", "constraints": "equalized_odds"},
        {"constraints": "equalized_odds", "tol": 0.0},
    ],
)
def test_threshold_optimizer_checks_parameters_in_fit(threshold_data, params):
    X, y, group, model = threshold_data
    theirs, mine = _optimizers(estimator=model, prefit=True, **params)  # the constructors accept anything
    assert mine.get_params()["estimator"] is model
    _same(
        lambda: theirs.fit(X, y, sensitive_features=group),
        lambda: mine.fit(X, y, sensitive_features=group),
    )


@pytest.mark.parametrize("method", ["predict", "_pmf_predict"])
def test_threshold_optimizer_not_fitted(threshold_data, method):
    X, _, group, model = threshold_data
    theirs, mine = _optimizers(estimator=model)
    error = _same(
        lambda: getattr(theirs, method)(X, sensitive_features=group),
        lambda: getattr(mine, method)(X, sensitive_features=group),
    )
    assert isinstance(error, NotFittedError)


@pytest.mark.parametrize("missing", ["X", "y", "sensitive_features"])
def test_threshold_optimizer_none_inputs(threshold_data, missing):
    X, y, group, model = threshold_data
    data = {"X": X, "y": y, "sensitive_features": group, missing: None}
    theirs, mine = _optimizers(estimator=model, prefit=True, predict_method="predict_proba")
    _same(
        lambda: theirs.fit(data["X"], data["y"], sensitive_features=data["sensitive_features"]),
        lambda: mine.fit(data["X"], data["y"], sensitive_features=data["sensitive_features"]),
    )


@pytest.mark.parametrize("constraints", ["demographic_parity", "equalized_odds"])
def test_threshold_optimizer_integer_column_names(threshold_data, constraints):
    X, y, group, model = threshold_data
    theirs, mine = _optimizers(estimator=model, constraints=constraints, predict_method="predict_proba")
    theirs.fit(X, y, sensitive_features=group)
    mine.fit(X, y, sensitive_features=group)
    np.testing.assert_allclose(
        mine._pmf_predict(X, sensitive_features=group),
        theirs._pmf_predict(X, sensitive_features=group),
        atol=1e-9,
    )
    np.testing.assert_array_equal(
        mine.predict(X, sensitive_features=group, random_state=0),
        theirs.predict(X, sensitive_features=group, random_state=0),
    )
    _same(
        lambda: theirs.predict(X, sensitive_features=group, random_state="seed"),
        lambda: mine.predict(X, sensitive_features=group, random_state="seed"),
    )


# -- the harness that runs fairlearn's own suite (tools/peer_suites/fairlearn.py) ---------------

_FAKE_SUITE = """
import pytest
import fairlearn.metrics as metrics


def test_passes():
    assert metrics.selection_rate([0, 1], [1, 1]) == 1.0


def test_message_differs():
    with pytest.raises(ValueError, match="fairlearn's own words"):
        metrics.MetricFrame(metrics=metrics.count, y_true=[0, 1], y_pred=[0], sensitive_features=[0, 1])


def test_result_differs():
    assert metrics.count([0, 1], [0, 1]) == 3


def test_private_attribute():
    metrics.MetricFrame(metrics=metrics.count, y_true=[0], y_pred=[0], sensitive_features=[0])._process_features


def test_does_not_call_assay():
    assert metrics._generated_metric_dict
"""


def test_peer_suite_harness_counts(tmp_path):
    suite = tmp_path / "test" / "unit"
    (suite / "metrics").mkdir(parents=True)
    (suite / "postprocessing").mkdir()
    (suite / "metrics" / "test_fake.py").write_text(_FAKE_SUITE)
    script = Path(__file__).resolve().parents[2] / "tools" / "peer_suites" / "fairlearn.py"
    report = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "test"), "--report", str(report)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = dict(line.rsplit(None, 1) for line in run.stdout.splitlines()[-4:])
    assert {key.strip(): int(value) for key, value in counts.items()} == {
        "pass": 1,
        "fail (message)": 1,
        "fail": 1,
        "n/a": 2,
    }, run.stdout
    outcomes = json.loads(report.read_text())
    assert outcomes["test/unit/metrics/test_fake.py::test_private_attribute"]["reason"] == "reads a private attribute"
