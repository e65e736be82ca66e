"""assay.monitor.CBPE: interval coverage on data whose labels are known but hidden, the bias of
the plug-in estimator, the calibration against scikit-learn, NannyML's CBPE as the oracle of
convention="nannyml", exports and bad input.

NannyML pins its own dependencies, so it runs in a virtual environment of its own
(.venv-nannyml, made by ``./dev.sh test``; or point ASSAY_NANNYML_PYTHON at a Python with
nannyml==0.13.1) through tests/python/nannyml_runner.py; data go there as an .npz file and
results come back as JSON. Tolerance against NannyML: 1e-9 relative (NannyML sums with numpy's
pairwise summation, assay in row order).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from assay import monitor
from assay._core import monitor as core
from assay.errors import InvalidInputError, InvalidTypeError

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "nannyml_runner.py"
ALL = list(monitor.METRICS)


def simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True probabilities, labels drawn from them, and miscalibrated scores (p cubed)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(2, 3, n)
    y = (rng.random(n) < p).astype(np.int64)
    return p, y, p**3


@pytest.fixture(scope="module")
def hidden_labels():
    p, y, _ = simulate(60_000, 1)
    cbpe = monitor.CBPE(metrics=ALL, chunk_size=100, calibration=None, auc_draws=400, confidence_level=0.9)
    cbpe.fit(y[:10_000], p[:10_000])
    return cbpe.estimate(p[10_000:], y_true=y[10_000:])


@pytest.mark.parametrize("metric", ALL)
def test_interval_covers_the_hidden_metric_at_its_nominal_rate(hidden_labels, metric):
    # 500 chunks of 100 rows with the true probabilities: the realised metric falls in the 90%
    # interval of each chunk at least 90% of the time (discrete distributions: at least),
    # within 3 binomial standard errors, and the intervals are not uselessly wide.
    m = hidden_labels.metrics.index(metric)
    covered = hidden_labels.covered[:, m]
    defined = np.isfinite(hidden_labels.realized[:, m])
    rate = covered[defined].mean()
    error = 3 * np.sqrt(0.9 * 0.1 / defined.sum())
    assert rate >= 0.9 - error
    assert rate <= 0.99
    # Calibrated probabilities: the chunks' estimates average to the realised metrics.
    assert abs(np.nanmean(hidden_labels.estimate[:, m]) - np.nanmean(hidden_labels.realized[:, m])) < 0.01


def test_expectation_is_unbiased_where_the_plug_in_ratio_is_not():
    # Chunks of 20 rows with rare positives: over 1,800 chunks the mean of E[F1] lies within 3
    # standard errors of the mean realised F1; NannyML's ratio of expected counts is off by
    # more than 4 (0.036 above, with a standard error of 0.007).
    rng = np.random.default_rng(4)
    p = rng.beta(0.5, 6, 40_000)
    y = (rng.random(p.size) < p).astype(int)
    cbpe = monitor.CBPE(metrics=["f1"], chunk_size=20, calibration=None, threshold=0.15)
    result = cbpe.fit(y[:4000], p[:4000]).estimate(p[4000:], y_true=y[4000:])
    defined = np.isfinite(result.realized[:, 0])
    realised = result.realized[defined, 0]
    error = realised.std() / np.sqrt(defined.sum())
    assert abs(result.estimate[defined, 0].mean() - realised.mean()) < 3 * error
    assert result.plug_in[defined, 0].mean() - realised.mean() > 4 * error


def test_isotonic_calibration_is_scikit_learns():
    from sklearn.isotonic import IsotonicRegression

    _, y, score = simulate(3000, 2)
    score = np.round(score, 3)  # ties
    fit = core.fit_isotonic(score, y.astype(np.uint8))
    reference = IsotonicRegression(out_of_bounds="clip").fit(score, y)
    grid = np.concatenate([score, np.linspace(-0.5, 1.5, 2001)])
    np.testing.assert_allclose(core.calibrate(fit, grid, 1), reference.predict(grid), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(fit.knot_score, reference.X_thresholds_, rtol=0, atol=0)


def test_reference_estimates_are_out_of_fold():
    # A row's cross-fitted probability never sees its own label: flipping it leaves that row's
    # probability unchanged (the folds depend on the seed and the row only), while the rows of
    # other folds, whose calibration it enters, move.
    _, y, score = simulate(4000, 3)
    label = y.astype(np.uint8)
    crossed = core.cross_fitted_probabilities(score, label, 5, 0, 1)
    flipped = label.copy()
    row = int(np.argmin(np.abs(score - 0.3)))
    flipped[row] ^= 1
    again = core.cross_fitted_probabilities(score, flipped, 5, 0, 1)
    assert again[row] == crossed[row]
    assert not np.array_equal(again, crossed)
    in_sample = core.calibrate(core.fit_isotonic(score, label), score, 1)
    assert not np.array_equal(crossed, in_sample)


def test_band_from_estimates_is_narrower_than_from_realised_metrics():
    # An estimate is an expectation over the labels: it varies less across chunks than the
    # realised metric, so its band is narrower (and compares like with like).
    _, y, score = simulate(20_000, 9)
    kwargs = {"metrics": ["accuracy", "f1"], "chunk_size": 500}
    estimated = monitor.CBPE(**kwargs).fit(y, score).estimate(score[:1000])
    realized = monitor.CBPE(**kwargs, band="realized").fit(y, score).estimate(score[:1000])
    assert estimated.reference_estimate.shape == (40, 2)
    assert np.all(estimated.band_upper - estimated.band_lower < realized.band_upper - realized.band_lower)
    np.testing.assert_array_equal(estimated.estimate, realized.estimate)


def test_results_do_not_depend_on_threads_and_chunk_keys_keep_first_seen_order():
    _, y, score = simulate(6000, 5)
    runs = [
        monitor.CBPE(chunk_size=1000, auc_draws=30, n_jobs=jobs).fit(y, score).estimate(score, chunk=key)
        for jobs in (1, 2)
        for key in [np.repeat(["b", "a", "c"], 2000)]
    ]
    np.testing.assert_array_equal(runs[0].estimate, runs[1].estimate)
    np.testing.assert_array_equal(runs[0].lower, runs[1].lower)
    assert [c["label"] for c in runs[0].chunks] == ["b", "a", "c"]
    assert [c["rows"] for c in runs[0].chunks] == [2000] * 3


def test_exports_round_trip(hidden_labels):
    again = monitor.CBPEResult.from_json(hidden_labels.to_json())
    np.testing.assert_array_equal(again.estimate, hidden_labels.estimate)
    np.testing.assert_array_equal(again.realized, hidden_labels.realized)
    np.testing.assert_array_equal(again.alerts, hidden_labels.alerts)
    frame = hidden_labels.to_frame()
    assert len(frame) == len(hidden_labels.chunks) * len(ALL)
    assert {"estimate", "lower", "upper", "band_lower", "alert", "realized"} <= set(frame.columns)
    page = hidden_labels.to_html()
    assert "Estimated roc_auc per chunk" in page and "reference band" in page


def test_alert_when_performance_drops():
    # A current period where the scores no longer mean what they meant: more scores near 0.5.
    _, y, score = simulate(20_000, 6)
    cbpe = monitor.CBPE(metrics=["accuracy"], chunk_size=2000, threshold=0.125).fit(y, score)
    rng = np.random.default_rng(7)
    shifted = np.concatenate([score[:4000], rng.uniform(0.1, 0.2, 4000)])  # scores near the threshold
    result = cbpe.estimate(shifted)
    assert result.alerts[:, 0].tolist() == [False, False, True, True]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: monitor.CBPE(metrics=["auc"]), InvalidInputError, "metrics"),
        (lambda: monitor.CBPE(metrics=[]), InvalidTypeError, "metrics"),
        (lambda: monitor.CBPE(chunk_size=0), InvalidInputError, "chunk_size"),
        (lambda: monitor.CBPE(chunk_size=10, n_chunks=3), InvalidInputError, "at most one"),
        (lambda: monitor.CBPE(n_folds=1), InvalidInputError, "n_folds"),
        (lambda: monitor.CBPE(confidence_level=1.0), InvalidInputError, "confidence_level"),
        (lambda: monitor.CBPE(sigma=np.inf), InvalidInputError, "sigma"),
        (lambda: monitor.CBPE(threshold="high"), InvalidTypeError, "threshold"),
        (lambda: monitor.CBPE(auc_draws=1.5), InvalidTypeError, "auc_draws"),
        (lambda: monitor.CBPE(band="both"), InvalidInputError, "band"),
        (lambda: monitor.CBPE().fit([0, 1, 1], [0.1, np.nan, 0.3]), InvalidInputError, "y_score"),
        (lambda: monitor.CBPE().fit([0, 1, 2], [0.1, 0.2, 0.3]), InvalidInputError, "y_true"),
        (lambda: monitor.CBPE().fit([0, 1], [0.1, 0.2, 0.3]), InvalidInputError, "y_true"),
        (lambda: monitor.CBPE().fit([1, 1, 1], [0.1, 0.2, 0.3]), InvalidInputError, "one class"),
        (lambda: monitor.CBPE().fit(["a", "b"], [0.1, 0.2]), InvalidTypeError, "y_true"),
        (lambda: monitor.CBPE().fit([0, 1], ["a", "b"]), InvalidTypeError, "y_score"),
        (lambda: monitor.CBPE().fit([], []), InvalidInputError, "y_score"),
        (lambda: monitor.CBPE(n_folds=5).fit([0, 1, 0], [0.1, 0.2, 0.3]), InvalidInputError, "n_folds"),
        (lambda: monitor.CBPE(calibration=None).fit([0, 1], [0.1, 1.2]), InvalidInputError, "[0, 1]"),
        (lambda: monitor.CBPE().fit([0, 1], [0.1, 0.9], y_pred=[0, 3]), InvalidInputError, "y_pred"),
        (lambda: monitor.CBPE().estimate([0.1, 0.2]), InvalidInputError, "not fitted"),
        (lambda: _fitted().estimate([0.1, 0.2], chunk=[1]), InvalidInputError, "chunk"),
        (lambda: _fitted().estimate([0.1, np.inf]), InvalidInputError, "y_score"),
        (lambda: _fitted().estimate(np.ones((2, 2))), InvalidInputError, "y_score"),
        (lambda: _fitted().estimate([0.1, 0.2], y_true=[0]), InvalidInputError, "y_true"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        call()


def _fitted() -> monitor.CBPE:
    return monitor.CBPE(n_folds=2, chunk_size=4).fit([0, 1, 0, 1, 1, 0, 0, 1], np.linspace(0, 1, 8))


def test_extreme_scores_calibrate():
    # Scores near +-DBL_MAX: the interpolation between knots must not overflow to NaN.
    y = np.tile([0, 1, 0, 1, 1, 0, 0, 1], 50)
    score = np.tile([-1e308, -1.0, 0.0, 1.0, 1e308, 2.0, 3.0, 1.7e308], 50)
    result = monitor.CBPE(chunk_size=100, auc_draws=10).fit(y, score).estimate([-1.5e308, 0.5, 1.5e308, 1.0])
    assert np.isfinite(result.estimate[:, :5]).all()


def test_degenerate_chunks_are_nan_with_a_reason():
    # No predicted positive in the chunk: precision is undefined (NaN), never a made-up 0.
    result = _fitted().estimate([0.1, 0.2, 0.1, 0.3], y_pred=[0, 0, 0, 0])
    m = result.metrics.index("precision")
    assert np.isnan(result.estimate[0, m]) and np.isnan(result.plug_in[0, m])


# NannyML as the oracle -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def nannyml_python() -> str:
    python = os.environ.get("ASSAY_NANNYML_PYTHON") or str(HERE.parents[1] / ".venv-nannyml" / "bin" / "python")
    if not Path(python).exists():
        pytest.fail(
            f"NannyML's environment is missing ({python}): run ./dev.sh test, which creates "
            ".venv-nannyml, or set ASSAY_NANNYML_PYTHON",
            pytrace=False,
        )
    return python


def test_nannyml_convention_reproduces_nannyml(nannyml_python, tmp_path):
    _, y, score = simulate(12_000, 8)
    ref, cur = slice(0, 6000), slice(6000, None)
    pred = (score >= 0.125).astype(int)
    cur_score = score[cur].copy()
    cur_score[3000:] = np.sqrt(cur_score[3000:])  # a later shift, to raise alerts
    path = tmp_path / "case.npz"
    np.savez(
        path,
        ref_score=score[ref],
        ref_pred=pred[ref],
        ref_y=y[ref],
        cur_score=cur_score,
        cur_pred=pred[cur],
        chunk_size=1000,
        metrics=np.array(ALL),
    )
    done = subprocess.run([nannyml_python, str(RUNNER), str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"NannyML runner failed:\n{done.stderr[-3000:]}", pytrace=False)
    expected = json.loads(done.stdout.strip().splitlines()[-1])
    assert expected["needs_calibration"]  # scores p**3 are miscalibrated: NannyML calibrates too
    cbpe = monitor.CBPE(metrics=ALL, chunk_size=1000, convention="nannyml", auc_draws=20)
    result = cbpe.fit(y[ref], score[ref], y_pred=pred[ref]).estimate(cur_score, y_pred=pred[cur])
    for m, metric in enumerate(ALL):
        theirs = expected["metrics"][metric]
        np.testing.assert_allclose(result.reference_estimate[:, m], theirs["reference"], rtol=1e-9, err_msg=metric)
        np.testing.assert_allclose(result.estimate[:, m], theirs["current"], rtol=1e-9, err_msg=metric)
        np.testing.assert_allclose(
            [result.band_lower[m], result.band_upper[m]],
            [theirs["lower_threshold"], theirs["upper_threshold"]],
            rtol=1e-9,
            err_msg=metric,
        )
        assert result.alerts[:, m].tolist() == theirs["alert"], metric
    assert result.alerts.any()
