"""Reliability of assay.fairness (issue 19): no silent wrong number, no unclear error.

Each bad input gives a documented result or an assay.errors class naming the argument;
undefined values are NaN with an UndefinedMetricWarning, never a disparity of zero.
"""

from __future__ import annotations

import functools
import random
import warnings

import numpy as np
import pandas as pd
import pytest
from assay import _core, _util
from assay import fairness as af
from assay.errors import (
    AssayError,
    CorruptedStateError,
    InvalidInputError,
    InvalidTypeError,
    ResourceLimitError,
)
from assay.fairness import _bootstrap
from assay.warnings import UndefinedMetricWarning

# The issue's example: group a has no positives (TPR undefined), group b no negatives
# (FPR undefined).
Y4 = np.array([0, 0, 1, 1])
P4 = np.array([0, 1, 1, 0])
G4 = np.array(["a", "a", "b", "b"])

rng = np.random.default_rng(7)
N = 400
Y = rng.integers(0, 2, N)
P = rng.integers(0, 2, N)
S = rng.uniform(0, 1, N)
G = rng.choice(["a", "b", "c"], N)


# --- 1. an undefined group value never reads as "no disparity" -------------------------------

DISPARITIES = [
    af.equalized_odds_difference,
    af.equalized_odds_ratio,
    af.equal_opportunity_difference,
    af.equal_opportunity_ratio,
]


@pytest.mark.parametrize("function", DISPARITIES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_undefined_group_rate_makes_disparity_nan_with_reason(function, method):
    with pytest.warns(UndefinedMetricWarning, match="undefined"):
        value = function(Y4, P4, sensitive_features=G4, method=method)
    assert np.isnan(value)


def test_equalized_odds_issue_example():
    with pytest.warns(UndefinedMetricWarning) as record:
        assert np.isnan(af.equalized_odds_difference(Y4, P4, sensitive_features=G4))
    reasons = " ".join(str(w.message) for w in record)
    assert "['a']" in reasons and "no actual positives" in reasons and "no actual negatives" in reasons
    assert af.equalized_odds_difference(Y4, P4, sensitive_features=G4, convention="fairlearn") == 0.5


def test_demographic_parity_with_zero_weight_group_is_nan():
    weights = np.array([0.0, 0.0, 1.0, 1.0])
    with pytest.warns(UndefinedMetricWarning, match="weights sum to zero"):
        assert np.isnan(af.demographic_parity_difference(Y4, P4, sensitive_features=G4, sample_weight=weights))
    with pytest.warns(UndefinedMetricWarning):
        assert np.isnan(af.demographic_parity_ratio(Y4, P4, sensitive_features=G4, sample_weight=weights))


@pytest.mark.parametrize("accessor", ["group_min", "group_max", "difference", "ratio"])
def test_metric_frame_aggregates_nan_when_a_group_is_undefined(accessor):
    frame = af.MetricFrame(
        metrics={"tpr": af.true_positive_rate, "sel": af.selection_rate}, y_true=Y4, y_pred=P4, sensitive_features=G4
    )
    with pytest.warns(UndefinedMetricWarning, match="'tpr'"):
        result = getattr(frame, accessor)()
    assert np.isnan(result["tpr"])
    assert not np.isnan(result["sel"])  # defined everywhere: unaffected


def test_empty_intersections_are_not_undefined_groups():
    # observed=False adds the empty combination (b, y); it is not a group of the data.
    frame = af.MetricFrame(
        metrics=af.selection_rate,
        y_true=Y4,
        y_pred=P4,
        sensitive_features={"f": G4, "h": np.array(["x", "y", "x", "x"])},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        assert frame.difference() == 1.0  # groups (a,x) 0, (a,y) 1, (b,x) 0.5; (b,y) is empty


def test_defined_disparities_are_unchanged():
    value = af.equalized_odds_difference(Y, P, sensitive_features=G)
    assert np.isfinite(value)


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize(
    "name",
    [
        "equalized_odds_difference",
        "equalized_odds_ratio",
        "equal_opportunity_difference",
        "equal_opportunity_ratio",
        "demographic_parity_difference",
        "demographic_parity_ratio",
    ],
)
@pytest.mark.parametrize("case", ["issue", "zero_weights", "random"])
def test_fairlearn_convention_gives_fairlearn_numbers(name, method, case):
    fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
    y, p, g, w = {
        "issue": (Y4, P4, G4, None),
        "zero_weights": (Y4, P4, G4, np.array([0.0, 0.0, 1.0, 2.0])),
        "random": (Y, P, G, rng.uniform(0, 2, N)),
    }[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = getattr(fairlearn_metrics, name)(y, p, sensitive_features=g, method=method, sample_weight=w)
        except ValueError:  # scikit-learn refuses a group whose weights are all zero
            pytest.skip("fairlearn raises on this input")
        ours = getattr(af, name)(y, p, sensitive_features=g, method=method, sample_weight=w, convention="fairlearn")
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-15, equal_nan=True)


def test_fairlearn_convention_metric_frame_aggregates_match():
    fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
    kwargs = dict(
        metrics={"tpr": af.true_positive_rate, "fpr": af.false_positive_rate},
        y_true=Y4,
        y_pred=P4,
        sensitive_features=G4,
    )
    ours = af.MetricFrame(**kwargs, convention="fairlearn")
    theirs = fairlearn_metrics.MetricFrame(
        metrics={"tpr": fairlearn_metrics.true_positive_rate, "fpr": fairlearn_metrics.false_positive_rate},
        y_true=Y4,
        y_pred=P4,
        sensitive_features=G4,
    )
    for accessor in ("group_min", "group_max", "difference", "ratio"):
        np.testing.assert_allclose(getattr(ours, accessor)().astype(float), getattr(theirs, accessor)().astype(float))


# --- 2. ThresholdOptimizer refuses labels outside the two classes -----------------------------


def test_threshold_optimizer_refuses_a_third_label():
    y = Y.copy()
    y[:5] = 2
    with pytest.raises(InvalidInputError, match="y: .*binary labels"):
        af.ThresholdOptimizer().fit(S, y, sensitive_features=G)


def test_threshold_optimizer_refuses_labels_without_pos_label():
    with pytest.raises(InvalidInputError, match="pos_label"):
        af.ThresholdOptimizer().fit(S, np.where(Y == 1, 2, 0), sensitive_features=G)
    af.ThresholdOptimizer(pos_label=2).fit(S, np.where(Y == 1, 2, 0), sensitive_features=G)


# --- 3. weights ----------------------------------------------------------------------------------


def test_huge_weights_do_not_overflow():
    frame = af.MetricFrame(
        metrics={"sel": af.selection_rate, "mae": af.mean_absolute_error}, y_true=Y, y_pred=P, sensitive_features=G
    )
    huge = af.MetricFrame(
        metrics={"sel": af.selection_rate, "mae": af.mean_absolute_error},
        y_true=Y,
        y_pred=P,
        sensitive_features=G,
        sample_params={"sel": {"sample_weight": np.full(N, 1e308)}, "mae": {"sample_weight": np.full(N, 1e308)}},
    )
    pd.testing.assert_frame_equal(frame.by_group, huge.by_group)
    assert af.selection_rate(Y, P, sample_weight=np.full(N, 1e308)) == af.selection_rate(Y, P)
    assert af.demographic_parity_difference(
        Y, P, sensitive_features=G, sample_weight=np.full(N, 1e308)
    ) == pytest.approx(af.demographic_parity_difference(Y, P, sensitive_features=G))


@pytest.mark.parametrize("bad", [np.nan, -1.0, np.inf])
@pytest.mark.parametrize(
    "call",
    [
        lambda w: af.selection_rate(Y, P, sample_weight=w),
        lambda w: af.MetricFrame(
            metrics=af.selection_rate, y_true=Y, y_pred=P, sensitive_features=G, sample_params={"sample_weight": w}
        ),
        lambda w: af.demographic_parity_difference(Y, P, sensitive_features=G, sample_weight=w),
        lambda w: af.equalized_odds_difference(Y, P, sensitive_features=G, sample_weight=w),
        lambda w: af.calibration_by_group(Y, S, sensitive_features=G, sample_weight=w),
        lambda w: af.smoothed_edf(Y, sensitive_features=G, sample_weight=w),
        lambda w: af.reweighing(Y, sensitive_features=G, sample_weight=w),
        lambda w: af.roc_auc_by_group(Y, S, sensitive_features=G, sample_weight=w),
        lambda w: af.ConfusionAccumulator(levels={"g": ["a", "b", "c"]}, labels=[0, 1], weighted=True).update(
            Y, P, sensitive_features={"g": G}, sample_weight=w
        ),
        lambda w: af.RegressionAccumulator(levels={"g": ["a", "b", "c"]}, weighted=True).update(
            S, S, sensitive_features={"g": G}, sample_weight=w
        ),
    ],
    ids=[
        "selection_rate",
        "MetricFrame",
        "dp_difference",
        "eo_difference",
        "calibration",
        "smoothed_edf",
        "reweighing",
        "roc_auc",
        "ConfusionAccumulator",
        "RegressionAccumulator",
    ],
)
def test_bad_weights_are_invalid_input_naming_sample_weight(call, bad):
    w = np.ones(N)
    w[3] = bad
    with pytest.raises(InvalidInputError, match="sample_weight"):
        call(w)


def test_reweighing_with_huge_weights():
    plain = af.reweighing(Y, sensitive_features=G, sample_weight=np.full(N, 2.0))
    huge = af.reweighing(Y, sensitive_features=G, sample_weight=np.full(N, 1e200))
    np.testing.assert_allclose(huge / 1e200, plain / 2.0)
    # Group a is mostly label 0, b mostly 1: the rare cells get weight 2, which overflows.
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    g = np.array(["a"] * 4 + ["b"] * 4)
    with pytest.raises(InvalidInputError, match="sample_weight.*overflow"):
        af.reweighing(y, sensitive_features=g, sample_weight=np.full(8, 1.7e308))


# --- 4. intervals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: af.wilson_interval(np.nan, 10), "successes"),
        (lambda: af.wilson_interval(12, 10), "successes"),
        (lambda: af.wilson_interval(-1, 10), "successes"),
        (lambda: af.wilson_interval(3, np.inf), "trials"),
        (lambda: af.wilson_interval(2.5, 10), "successes"),
        (lambda: af.newcombe_interval(13, 10, 5, 12), "x1"),
        (lambda: af.newcombe_interval(3, 10, 5, -12), "n2"),
        (lambda: af.katz_interval(-3, 10, 5, 12), "x1"),
        (lambda: af.katz_interval(3, 10, np.nan, 12), "x2"),
        (lambda: af.wilson_interval([1, 2], [3, 4, 5]), "different lengths"),
        (lambda: af.wilson_interval(1, 10, confidence=1.5), "confidence"),
    ],
)
def test_invalid_counts_are_errors_naming_the_argument(call, argument):
    with pytest.raises(InvalidInputError, match=argument):
        call()


def test_interval_count_types():
    with pytest.raises(InvalidTypeError, match="successes"):
        af.wilson_interval(["a"], [3])
    with pytest.raises(InvalidTypeError, match="x1"):
        af.katz_interval(1 + 2j, 3, 1, 3)


def test_zero_trials_is_nan_with_reason():
    with pytest.warns(UndefinedMetricWarning, match="trials = 0"):
        low, high = af.wilson_interval([0, 3], [0, 10])
    assert np.isnan(low[0]) and np.isnan(high[0]) and 0 < high[1] < 1
    with pytest.warns(UndefinedMetricWarning, match="n1 = 0"):
        assert np.isnan(af.newcombe_interval(0, 0, 5, 12)[0][0])
    with pytest.warns(UndefinedMetricWarning, match="x1 = 0"):
        assert np.isnan(af.katz_interval(0, 10, 5, 12)[0][0])


# --- 5. clear errors: seeds, accumulator sizes, corrupted bytes --------------------------------


def boot(**kwargs):
    return af.MetricFrame(
        metrics=af.selection_rate, y_true=Y, y_pred=P, sensitive_features=G, n_boot=5, ci_quantiles=[0.5], **kwargs
    )


@pytest.mark.parametrize(
    "seed, error",
    [
        (2**70, InvalidInputError),
        (-1, InvalidInputError),
        ("abc", InvalidInputError),  # a ValueError, not a TypeError, as scikit-learn's check_random_state
        (1.5, InvalidInputError),
    ],
)
def test_random_state_is_validated(seed, error):
    with pytest.raises(error, match="random_state") as raised:
        boot(random_state=seed)
    assert not isinstance(raised.value, TypeError)


@pytest.mark.parametrize("seed", [0, 2**64 - 1, np.uint64(2**64 - 1), np.int32(7), np.random.RandomState(1), None])
def test_random_state_accepted(seed):
    boot(random_state=seed)


def test_threshold_optimizer_predict_random_state():
    optimizer = af.ThresholdOptimizer().fit(S, Y, sensitive_features=G)
    with pytest.raises(InvalidInputError, match="random_state"):
        optimizer.predict(S, sensitive_features=G, random_state=2**70)


def test_accumulator_over_too_many_groups():
    levels = {"a": list(range(10**5)), "b": list(range(10**5))}
    with pytest.raises(ResourceLimitError, match="levels"):
        af.ConfusionAccumulator(levels=levels, labels=[0, 1])
    with pytest.raises(ResourceLimitError, match="levels"):
        af.RegressionAccumulator(levels=levels)


def accumulators():
    confusion = af.ConfusionAccumulator(levels={"g": ["a", "b", "c"]}, labels=[0, 1]).update(
        Y, P, sensitive_features={"g": G}
    )
    regression = af.RegressionAccumulator(levels={"g": ["a", "b", "c"]}, weighted=True).update(
        S, S * 2, sensitive_features={"g": G}, sample_weight=np.ones(N)
    )
    return [confusion, regression]


@pytest.mark.parametrize("kind", [0, 1])
def test_corrupted_bytes_are_corrupted_state(kind):
    accumulator = accumulators()[kind]
    cls = type(accumulator)
    data = accumulator.to_bytes()
    assert cls.from_bytes(data).to_bytes() == data
    header = int.from_bytes(data[:8], "little") + 8
    cases = {
        "truncated": data[:-3],
        "truncated header": data[:20],
        "empty": b"",
        "wrong magic": data[:header] + b"XXX" + data[header + 3 :],
        "wrong version": data[: header + 3] + b"9" + data[header + 4 :],
        "huge header length": (2**63).to_bytes(8, "little") + data[8:],
        "not json": data[:8] + b"\xff" * (header - 8) + data[header:],
        "wrong kind": accumulators()[1 - kind].to_bytes(),
    }
    for corrupted in cases.values():
        with pytest.raises(CorruptedStateError):
            cls.from_bytes(corrupted)
    with pytest.raises(InvalidTypeError, match="data"):
        cls.from_bytes("not bytes")


@pytest.mark.parametrize("kind", [0, 1])
def test_from_bytes_fuzz_never_crashes(kind):
    accumulator = accumulators()[kind]
    cls = type(accumulator)
    data = bytearray(accumulator.to_bytes())
    random_source = random.Random(kind)
    for _ in range(400):
        mutated = bytearray(data)
        for _ in range(random_source.randint(1, 4)):
            what = random_source.random()
            if what < 0.6:
                mutated[random_source.randrange(len(mutated))] ^= 1 << random_source.randrange(8)
            elif what < 0.8:
                del mutated[random_source.randrange(len(mutated)) :]
                if not mutated:
                    break
            else:
                position = random_source.randrange(len(mutated))
                mutated[position : position + 8] = random_source.randbytes(8)
        try:
            result = cls.from_bytes(bytes(mutated))
        except CorruptedStateError:
            continue
        # A mutation that still decodes gives a usable accumulator.
        result.by_group()


def test_core_stats_reject_inconsistent_counts():
    stats = accumulators()[0]._stats
    data = bytearray(stats.to_bytes())
    data[4 + 4 + 4 + 1 + 8 : 4 + 4 + 4 + 1 + 16] = (-5).to_bytes(8, "little", signed=True)  # first count
    with pytest.raises(CorruptedStateError, match="negative count"):
        type(stats).from_bytes(bytes(data))


# --- 6. sizes that cannot fit are refused before allocating ---------------------------------


def test_calibration_n_bins_too_large():
    with pytest.raises(ResourceLimitError, match="n_bins"):
        af.calibration_by_group(Y, S, sensitive_features=G, n_bins=10**9)
    with pytest.raises(ResourceLimitError, match="n_bins"):
        af.calibration_by_group(Y, S, sensitive_features=G, n_bins=2**40)


def test_threshold_grid_too_large():
    with pytest.raises(ResourceLimitError, match="grid_size"):
        af.ThresholdOptimizer(grid_size=2 * 10**9).fit(S, Y, sensitive_features=G)
    with pytest.raises(ResourceLimitError, match="grid_size"):
        af.ThresholdOptimizer(grid_size=2**40).fit(S, Y, sensitive_features=G)


def test_threshold_grid_of_the_issue_against_a_small_limit(monkeypatch):
    monkeypatch.setattr(_util, "memory_limit", lambda: 8 << 30)
    frame_limit = _core.memory_limit()
    if frame_limit > 14 << 30:
        pytest.skip("the core's limit (half the physical memory) admits this grid on this machine")
    with pytest.raises(ResourceLimitError, match="grid_size"):
        af.ThresholdOptimizer(grid_size=10**8).fit(S, Y, sensitive_features=G)


def test_cartesian_product_too_large(monkeypatch):
    n = 2 * 10**4
    a = np.arange(n) % 10**4
    b = (np.arange(n) * 7919) % 10**4
    monkeypatch.setattr(_util, "memory_limit", lambda: 8 << 30)
    with pytest.raises(ResourceLimitError, match="sensitive_features.*observed=True"):
        af.MetricFrame(
            metrics=af.selection_rate, y_true=np.zeros(n), y_pred=np.zeros(n), sensitive_features={"a": a, "b": b}
        )
    monkeypatch.undo()
    c = np.arange(n) % 100
    with pytest.raises(ResourceLimitError, match="sensitive_features"):
        af.MetricFrame(
            metrics=af.selection_rate,
            y_true=np.zeros(n),
            y_pred=np.zeros(n),
            sensitive_features={"a": a, "b": b, "c": c},
        )
    # Observed combinations only: fine.
    frame = af.MetricFrame(
        metrics=af.selection_rate,
        y_true=np.zeros(n),
        y_pred=np.zeros(n),
        sensitive_features={"a": a, "b": b},
        observed=True,
    )
    assert len(frame.by_group) <= n


@pytest.mark.parametrize("n_boot", [10**9, 2**40])
def test_n_boot_too_large(n_boot):
    with pytest.raises(ResourceLimitError, match="n_boot"):
        af.MetricFrame(
            metrics=af.selection_rate, y_true=Y, y_pred=P, sensitive_features=G, n_boot=n_boot, ci_quantiles=[0.5]
        )


@pytest.mark.parametrize("n_boot", [1e9, "10", 0, -3])
def test_n_boot_type_and_value(n_boot):
    with pytest.raises(AssayError, match="n_boot"):
        af.MetricFrame(
            metrics=af.selection_rate, y_true=Y, y_pred=P, sensitive_features=G, n_boot=n_boot, ci_quantiles=[0.5]
        )


# --- 7, 8. bootstrap in blocks; interrupts ---------------------------------------------------------


def ci_frame(metrics, n_jobs=1, **kwargs):
    return af.MetricFrame(
        metrics=metrics,
        y_true=Y,
        y_pred=P,
        sensitive_features=G,
        n_boot=37,
        ci_quantiles=[0.1, 0.5, 0.9],
        random_state=3,
        n_jobs=n_jobs,
        **kwargs,
    )


@pytest.mark.parametrize(
    "metrics, kwargs",
    [
        ({"sel": af.selection_rate, "tpr": af.true_positive_rate}, {}),  # count bootstrap
        ({"sel": af.selection_rate, "mae": af.mean_absolute_error}, {}),  # row bootstrap
        ({"sel": af.selection_rate}, {"sample_params": {"sel": {"sample_weight": np.linspace(0.5, 2, N)}}}),
    ],
)
def test_bootstrap_does_not_depend_on_block_size_or_threads(monkeypatch, metrics, kwargs):
    whole = ci_frame(metrics, **kwargs)
    monkeypatch.setattr(_bootstrap, "BLOCK_BYTES", 1)  # one replicate per block
    blocks = ci_frame(metrics, n_jobs=2, **kwargs)
    for accessor in ("by_group_ci", "overall_ci"):
        for a, b in zip(getattr(whole, accessor), getattr(blocks, accessor)):
            pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    for a, b in zip(whole.difference_ci(), blocks.difference_ci()):
        pd.testing.assert_series_equal(a, b)


def test_bootstrap_stops_when_progress_asks(monkeypatch):
    class Stop(Exception):
        pass

    calls = []

    def progress(done, total):
        calls.append((done, total))
        raise Stop

    groups = np.arange(N) % 50
    monkeypatch.setattr(_bootstrap, "BLOCK_BYTES", 1 << 16)
    with pytest.raises(Stop):
        af.MetricFrame(
            metrics=af.selection_rate,
            y_true=Y,
            y_pred=P,
            sensitive_features=groups,
            n_boot=100_000,
            ci_quantiles=[0.5],
            progress=progress,
            n_jobs=1,
        )
    assert len(calls) == 1
    done, total = calls[0]
    assert total == 100_000 and done <= 100  # stopped within the first block, after its first replicate


# --- 9, 10. the bad-input policy walk ---------------------------------------------------------------


def run_all(y, p, g, w=None, n_jobs=None):
    """Every public entry point on one input; returns nothing, raises what they raise."""
    kwargs = dict(sensitive_features=g)
    af.MetricFrame(
        metrics={"sel": af.selection_rate, "tpr": af.true_positive_rate},
        y_true=y,
        y_pred=p,
        sample_params=None if w is None else {"sel": {"sample_weight": w}, "tpr": {"sample_weight": w}},
        n_jobs=n_jobs,
        **kwargs,
    ).difference()
    af.demographic_parity_difference(y, p, sample_weight=w, n_jobs=n_jobs, **kwargs)
    af.equalized_odds_ratio(y, p, sample_weight=w, n_jobs=n_jobs, **kwargs)
    af.four_fifths(p, n_jobs=n_jobs, **kwargs)
    af.calibration_by_group(y, np.clip(np.asarray(p, dtype=float), 0, 1), sample_weight=w, n_jobs=n_jobs, **kwargs)
    af.reweighing(y, sample_weight=w, n_jobs=n_jobs, **kwargs)
    af.ThresholdOptimizer(n_jobs=n_jobs).fit(np.asarray(p, dtype=float), y, **kwargs)


def check_policy(call):
    """The call either returns (maybe with UndefinedMetricWarning / NaN) or raises an
    AssayError subclass; anything else (a crash, a raw TypeError) fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except AssayError as error:
            assert str(error), "an error must say what is wrong"
            return error
    return None


Y2 = np.array([0, 1, 1, 0, 1, 0, 0, 1])
P2 = np.array([0.0, 1, 0, 0, 1, 1, 0, 1])
G2 = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])

BAD_INPUTS = {
    "nan labels": (np.array([0, 1, np.nan, 0, 1, 0, 0, 1]), P2, G2, None, "y_true"),
    "inf preds": (Y2, np.array([0, 1, np.inf, 0, 1, 0, 0, 1]), G2, None, None),
    "nan weights": (Y2, P2, G2, np.array([1, 1, np.nan, 1, 1, 1, 1, 1.0]), "sample_weight"),
    "negative weights": (Y2, P2, G2, -np.ones(8), "sample_weight"),
    "empty": (np.array([]), np.array([]), np.array([]), None, "no rows"),
    "mismatched": (Y2, P2[:5], G2, None, "rows"),
    "mismatched groups": (Y2, P2, G2[:3], None, "rows"),
    "object labels": (Y2.astype(object), P2, G2, None, None),
    "complex preds": (Y2, P2.astype(complex), G2, None, None),
    "datetime groups": (Y2, P2, np.array(["2020-01-01"] * 4 + ["2021-01-01"] * 4, dtype="datetime64[D]"), None, None),
    "complex groups": (Y2, P2, np.arange(8).astype(complex), None, None),
    "2-D labels": (np.ones((8, 2)), P2, G2, None, "1-D"),
    "0-d labels": (np.array(1), P2, G2, None, None),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_policy_walk_bad_inputs(name):
    y, p, g, w, match = BAD_INPUTS[name]
    error = check_policy(lambda: run_all(y, p, g, w))
    if match is not None:
        assert error is not None and match in str(error), (name, error)


@pytest.mark.parametrize(
    "case", ["one row", "one class", "one group", "empty group", "many groups", "non-contiguous", "negative stride"]
)
def test_policy_walk_degenerate_inputs(case):
    y_big = np.tile(Y2, 50)
    p_big = np.tile(P2, 50)
    y, p, g = {
        "one row": (Y2[:1], P2[:1], G2[:1]),
        "one class": (np.zeros(8, int), P2, G2),
        "one group": (Y2, P2, np.array(["a"] * 8)),
        "empty group": (Y2, P2, pd.Categorical(G2, categories=["a", "b", "c"])),
        "many groups": (y_big, p_big, np.arange(400)),
        "non-contiguous": (y_big[::2], p_big[::2], np.tile(G2, 50)[::2]),
        "negative stride": (y_big[::-1], p_big[::-1], np.tile(G2, 50)[::-1]),
    }[case]
    before = [np.array(a, copy=True) for a in (y, p)]
    check_policy(lambda: run_all(y, p, g))
    for a, b in zip(before, (y, p)):
        np.testing.assert_array_equal(a, b)  # the caller's arrays are unmodified


def test_policy_strided_inputs_give_the_contiguous_result():
    y_big, p_big, g_big = np.tile(Y2, 50), np.tile(P2, 50), np.tile(G2, 50)
    expected = af.demographic_parity_difference(
        y_big[::-1].copy(), p_big[::-1].copy(), sensitive_features=g_big[::-1].copy()
    )
    assert af.demographic_parity_difference(y_big[::-1], p_big[::-1], sensitive_features=g_big[::-1]) == expected


def test_policy_ten_thousand_groups():
    n = 10**5
    groups = np.arange(n)
    y = np.tile([0, 1], n // 2)
    frame = af.MetricFrame(metrics=af.selection_rate, y_true=y, y_pred=y, sensitive_features=groups)
    assert len(frame.by_group) == n
    assert frame.difference() == 1.0


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5, "2", True])
def test_policy_bad_n_jobs(n_jobs):
    error = check_policy(lambda: run_all(Y2, P2, G2, n_jobs=n_jobs))
    assert error is not None and "n_jobs" in str(error)


@pytest.mark.parametrize("n_jobs", [-1, 1, 1000, 2**40, np.int64(2)])
def test_policy_n_jobs_does_not_change_results(n_jobs):
    expected = af.demographic_parity_difference(Y, P, sensitive_features=G, n_jobs=1)
    assert af.demographic_parity_difference(Y, P, sensitive_features=G, n_jobs=n_jobs) == expected


def test_errors_are_assay_classes_and_keep_fairlearn_types():
    with pytest.raises(InvalidInputError) as info:
        af.MetricFrame(metrics=af.selection_rate, y_true=Y, y_pred=P[:3], sensitive_features=G)
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidTypeError) as info:
        af.MetricFrame(metrics={"x": 3}, y_true=Y, y_pred=P, sensitive_features=G)
    assert isinstance(info.value, TypeError)
    with pytest.raises(InvalidInputError):
        af.MetricFrame(metrics=af.selection_rate, y_true=Y, y_pred=P, sensitive_features=G).difference(method="x")
    with pytest.raises(InvalidInputError, match="threshold"):
        af.four_fifths(P, sensitive_features=G, threshold=np.nan)
    with pytest.raises(InvalidInputError, match="threshold"):
        af.four_fifths(P, sensitive_features=G, threshold="0.8")


def test_reasons_name_partial_functions():
    # A partial binding pos_label is a built-in too: its undefined groups warn by name.
    metric = functools.partial(af.true_positive_rate, pos_label=1)
    frame = af.MetricFrame(metrics={"tpr1": metric}, y_true=Y4, y_pred=P4, sensitive_features=G4)
    with pytest.warns(UndefinedMetricWarning, match="tpr1"):
        assert np.isnan(frame.difference()["tpr1"])


def test_regression_metrics_of_huge_values_do_not_overflow():
    y = np.array([1e308, 1e308, -1e308, 5.0])
    p = np.array([1e308, 1e308, 1e308, 6.0])
    g = np.array(["a", "a", "b", "b"])
    assert af.mean_prediction(y, p) == pytest.approx(7.5e307)
    frame = af.MetricFrame(
        metrics={
            "mp": af.mean_prediction,
            "me": af.mean_error,
            "mae": af.mean_absolute_error,
            "mse": af.mean_squared_error,
            "rmse": af.root_mean_squared_error,
        },
        y_true=y,
        y_pred=p,
        sensitive_features=g,
    )
    np.testing.assert_allclose(frame.by_group["mp"], [1e308, 5e307])
    np.testing.assert_allclose(frame.by_group["mae"], [0.0, 1e308])
    np.testing.assert_allclose(frame.by_group["rmse"], [0.0, np.sqrt(2) * 1e308])
    assert frame.by_group["mse"]["b"] == np.inf  # the true value, 2e616, exceeds the double range
    np.testing.assert_allclose(frame.overall[["mp", "me", "mae"]].astype(float), [7.5e307, 5e307, 5e307])
    boot = af.MetricFrame(
        metrics=af.mean_prediction,
        y_true=np.tile(y, 10),
        y_pred=np.tile(p, 10),
        sensitive_features=np.tile(g, 10),
        n_boot=20,
        ci_quantiles=[0.5],
        random_state=1,
    )
    assert np.all(np.isfinite(boot.by_group_ci[0]))


@pytest.mark.parametrize(
    "call",
    [
        lambda: af.MetricFrame(
            metrics=af.selection_rate, y_true=Y2, y_pred=P2, sensitive_features=G2, n_boot=3, ci_quantiles=0.5
        ),
        lambda: af.four_fifths(P2, sensitive_features=G2, reference=np.array(["a", "b"])),
        lambda: af.ThresholdOptimizer().fit(P2, Y2.astype(complex), sensitive_features=G2),
        lambda: af.reweighing(Y2.astype(complex), sensitive_features=G2),
        lambda: af.ConfusionAccumulator(levels={"g": ["a", "b"]}, labels=np.array(3.0)),
        lambda: af.ConfusionAccumulator(levels={"g": "ab"}, labels=[0, 1]),
        lambda: (
            af.ConfusionAccumulator(levels={"g": [0.0, 1.0]}, labels=[0, 1])
            .update(Y2, P2, sensitive_features={"g": np.zeros(8, dtype=np.float16)})
            .update(Y2, P2, sensitive_features={"g": np.arange(8).astype("datetime64[D]")})
        ),
        lambda: af.generalized_entropy_index(Y2, P2, alpha=2**2000),
        lambda: af.roc_auc_score(np.array([0, 1, None, 1, 0, 1, 0, 1], dtype=object), P2),
    ],
    ids=[
        "ci_quantiles scalar",
        "reference array",
        "complex y (threshold)",
        "complex y (reweighing)",
        "0-d labels",
        "string levels",
        "float16 and datetime chunks",
        "huge alpha",
        "mixed labels",
    ],
)
def test_policy_walk_odd_arguments_are_assay_errors(call):
    with pytest.raises(AssayError):
        call()


def test_ratio_of_all_zero_rates_is_nan_with_reason():
    with pytest.warns(UndefinedMetricWarning, match="0 / 0"):
        assert np.isnan(af.demographic_parity_ratio(Y4, np.zeros(4, int), sensitive_features=G4))


def test_weights_that_are_not_scale_free_overflow_with_a_clear_error():
    huge = np.full(N, 1e308)
    accumulator = af.ConfusionAccumulator(levels={"g": ["a", "b", "c"]}, labels=[0, 1], weighted=True)
    with pytest.raises(InvalidInputError, match="sample_weight.*overflow"):
        accumulator.update(Y, P, sensitive_features={"g": G}, sample_weight=huge)
    half = np.full(N, 1e305)
    accumulator.update(Y, P, sensitive_features={"g": G}, sample_weight=half)
    with pytest.raises(InvalidInputError, match="sample_weight.*overflow"):  # the merged sums overflow
        for _ in range(100):
            accumulator.update(Y, P, sensitive_features={"g": G}, sample_weight=half)
    with pytest.raises(InvalidInputError, match="sample_weight.*overflow"):
        af.smoothed_edf(Y, sensitive_features=G, sample_weight=huge)
    regression = af.RegressionAccumulator(levels={"g": ["a", "b", "c"]})
    with pytest.raises(InvalidInputError, match="overflow"):
        regression.update(np.full(N, 1e200), np.full(N, -1e200), sensitive_features={"g": G})


def test_calibration_reports_bin_weights_on_the_callers_scale():
    plain = af.calibration_by_group(Y, S, sensitive_features=G, sample_weight=np.full(N, 2.0))
    huge = af.calibration_by_group(Y, S, sensitive_features=G, sample_weight=np.full(N, 1e300))
    np.testing.assert_allclose(huge.weight / 1e300, plain.weight / 2.0)
    np.testing.assert_array_equal(huge.ece, plain.ece)


def test_four_fifths_without_selections_warns():
    with pytest.warns(UndefinedMetricWarning, match="no selections"):
        result = af.four_fifths(np.zeros(N, int), sensitive_features=G)
    assert result.verdict == "inconclusive" and np.isnan(result.disparate_impact)


def test_dropping_every_row_is_an_error():
    with pytest.raises(InvalidInputError, match="dropped them all"):
        af.MetricFrame(
            metrics=af.selection_rate, y_true=Y4, y_pred=P4, sensitive_features=np.full(4, np.nan), missing="drop"
        )


def test_categorical_groups_read_by_their_codes_equal_the_same_labels_as_values():
    # A bare Categorical, a categorical Series and the labels as objects: one set of groups,
    # with unused categories left out, missing values apart and the levels in sorted order.
    rng = np.random.default_rng(5)
    labels = np.array(["north", "east", "west", None], dtype=object)[rng.integers(0, 4, 300)]
    y, p = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    categorical = pd.Categorical(labels, categories=["west", "unused", "north", "east"])
    frames = [
        af.MetricFrame(metrics=af.selection_rate, y_true=y, y_pred=p, sensitive_features=g, missing="own_group")
        for g in (categorical, pd.Series(categorical, name="sensitive_feature_0"), labels)
    ]
    for frame in frames[:2]:
        pd.testing.assert_series_equal(frame.by_group, frames[2].by_group)
    assert list(frames[0].by_group.index) == ["east", "north", "west", "(missing)"]
