"""Issue 19 for the model-agnostic explainers and the plots: every bad input is an
assay.errors error naming the argument (or a documented result), sizes that cannot fit
are refused before anything is allocated, and k-means stops when asked to."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from assay import _util, errors
from assay.explain import (
    Background,
    ExactExplainer,
    Explanation,
    KernelExplainer,
    LinearExplainer,
    PermutationExplainer,
    kmeans,
)

rng = np.random.default_rng(0)
M = 4
BACKGROUND = rng.normal(size=(6, M))
X = rng.normal(size=(3, M))
COEF = np.arange(1.0, M + 1)


def linear(Z):
    return Z @ COEF


def kernel(data=BACKGROUND, **options):
    return KernelExplainer(linear, data, **options)


CALLABLE_EXPLAINERS = [
    ("kernel", lambda data=BACKGROUND, **o: KernelExplainer(linear, data, **o), lambda e, x: e(x, nsamples=14)),
    (
        "permutation",
        lambda data=BACKGROUND, **o: PermutationExplainer(linear, data, **o),
        lambda e, x: e(x, max_evals=27),
    ),
    ("exact", lambda data=BACKGROUND, **o: ExactExplainer(linear, data, **o), lambda e, x: e(x)),
    ("linear", lambda data=BACKGROUND, **o: LinearExplainer((COEF, 0.5), data, **o), lambda e, x: e(x)),
]
IDS = [name for name, _, _ in CALLABLE_EXPLAINERS]


# -- seeds (item 1) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: KernelExplainer(linear, BACKGROUND, seed=seed),
        lambda seed: PermutationExplainer(linear, BACKGROUND, seed=seed),
        lambda seed: kmeans(BACKGROUND, 2, seed=seed),
    ],
    ids=["kernel", "permutation", "kmeans"],
)
def test_seeds_are_validated_in_python(make):
    with pytest.raises(errors.InvalidInputError, match=r"seed must be a non-negative integer below 2\*\*64"):
        make(2**70)
    with pytest.raises(errors.InvalidInputError, match="seed"):
        make(-1)
    for bad in (True, 1.5, "1", 2.0):
        with pytest.raises(errors.InvalidTypeError, match="seed"):
            make(bad)
    make(np.uint64(2**64 - 1))
    make(np.int32(7))
    make(None)  # a fresh seed from the operating system


def test_largest_seed_gives_reproducible_values():
    a = KernelExplainer(linear, BACKGROUND, seed=2**64 - 1)(X, nsamples=10).values
    b = KernelExplainer(linear, BACKGROUND, seed=np.uint64(2**64 - 1))(X, nsamples=10).values
    np.testing.assert_array_equal(a, b)


# -- sizes (item 2) ------------------------------------------------------------------


def test_absurd_nsamples_is_refused_up_front():
    wide = rng.normal(size=(20, 40))
    explainer = KernelExplainer(lambda Z: Z.sum(axis=1), wide)
    for nsamples in (10**9, 1e9, 10**12, 2**70):
        with pytest.raises(
            errors.ResourceLimitError, match=r"nsamples.* (more than the limit|more coalitions than can be indexed)"
        ):
            explainer(wide[:2], nsamples=nsamples)
    with pytest.raises(errors.ResourceLimitError, match="nsamples"):
        explainer.design(10**9)
    assert isinstance(errors.ResourceLimitError("x"), MemoryError)


def test_memory_limit_is_the_stated_one(monkeypatch):
    # With a 4 MiB limit, a budget that fits any machine is refused, naming nsamples.
    monkeypatch.setattr(_util, "memory_limit", lambda: 4 << 20)
    wide = rng.normal(size=(20, 40))
    explainer = KernelExplainer(lambda Z: Z.sum(axis=1), wide)
    with pytest.raises(errors.ResourceLimitError, match=r"nsamples: .*more than the limit of 0.00391 GiB"):
        explainer(wide[:2], nsamples=100_000)
    explainer(wide[:1], nsamples=100)


def test_few_features_make_any_budget_the_exact_enumeration():
    # 2^4 - 2 = 14 coalitions exist: nsamples beyond that (even beyond int64) is the exact design.
    exact = ExactExplainer(linear, BACKGROUND)(X).values
    for nsamples in (10**9, 2**70, 1e12):
        np.testing.assert_allclose(kernel()(X, nsamples=nsamples).values, exact, atol=1e-10)


def test_float_sizes_must_be_whole_numbers():
    explainer = kernel()
    np.testing.assert_array_equal(explainer(X, nsamples=14.0).values, explainer(X, nsamples=14).values)
    with pytest.raises(errors.InvalidInputError, match=r"nsamples must be 'auto' or an integer, got 14.5"):
        explainer(X, nsamples=14.5)
    for bad in (np.nan, np.inf):
        with pytest.raises(errors.InvalidInputError, match="nsamples"):
            explainer(X, nsamples=bad)
    for bad in (True, "many", [14]):
        with pytest.raises(errors.AssayError, match="nsamples"):
            explainer(X, nsamples=bad)
    with pytest.raises(errors.InvalidInputError, match="nsamples must be 'auto' or an integer, got -5"):
        explainer(X, nsamples=-5)


@pytest.mark.parametrize("max_evals", [2**40, 2**70, 1e15])
def test_permutation_max_evals_that_cannot_fit(max_evals):
    with pytest.raises(errors.ResourceLimitError, match="max_evals"):
        PermutationExplainer(linear, BACKGROUND)(X, max_evals=max_evals)


def test_permutation_sizes_and_permutations():
    explainer = PermutationExplainer(linear, BACKGROUND)
    for bad in (0, -3, 2.5, True, "500"):
        with pytest.raises(errors.AssayError, match="max_evals"):
            explainer(X, max_evals=bad)
    with pytest.raises(errors.InvalidInputError, match="too small"):
        explainer(X, max_evals=5)
    # Indices beyond int32 must not wrap around into valid ones.
    wrapped = np.array([[2**32 + 0, 1, 2, 3]], dtype=np.int64)
    with pytest.raises(errors.InvalidInputError, match="permutations: entries must be feature indices"):
        explainer(X, permutations=wrapped)
    for bad in (np.zeros((0, M), dtype=int), np.zeros((1, M)), np.zeros((1, M + 1), dtype=int), [[0, 0, 1, 2]]):
        with pytest.raises(errors.InvalidInputError, match="permutations"):
            explainer(X, permutations=bad)


def test_exact_max_evals():
    for bad in ("x", True, 1.5):
        with pytest.raises(errors.AssayError, match="max_evals"):
            ExactExplainer(linear, BACKGROUND, max_evals=bad)
    with pytest.raises(errors.InvalidInputError, match="max_evals=8"):
        ExactExplainer(linear, BACKGROUND, max_evals=8)
    ExactExplainer(linear, BACKGROUND, max_evals=2**70)(X)  # a bound, not a request


def test_exact_rows_that_cannot_fit(monkeypatch):
    explainer = ExactExplainer(linear, BACKGROUND, batch_size=12)
    monkeypatch.setattr(_util, "memory_limit", lambda: 100_000)
    with pytest.raises(errors.ResourceLimitError, match="X: exact Shapley values .*explain fewer rows at a time"):
        explainer(rng.normal(size=(1000, M)))
    explainer(X)
    # The masked rows of one call: named by batch_size, or by data when it is the default.
    with pytest.raises(errors.ResourceLimitError, match="batch_size: the masked rows of one model call"):
        ExactExplainer(linear, BACKGROUND, batch_size=10**6)(rng.normal(size=(2000, M)))
    with pytest.raises(errors.ResourceLimitError, match="data: .*summarise the background with assay.explain.kmeans"):
        ExactExplainer(linear, rng.normal(size=(3000, M)))(X)


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "big"])
def test_bad_batch_sizes(batch_size):
    with pytest.raises(errors.AssayError, match="batch_size"):
        kernel(batch_size=batch_size)


def test_huge_batch_size_is_bounded_by_the_work():
    # A batch larger than all the masked rows is simply one call.
    calls = []

    def model(Z):
        calls.append(len(Z))
        return linear(Z)

    KernelExplainer(model, BACKGROUND, batch_size=2**70)(X, nsamples=14)
    assert max(calls) <= len(X) * 14 * len(BACKGROUND)


def test_kmeans_sizes():
    for bad in (0, -1, len(BACKGROUND) + 1, 2**40):
        with pytest.raises(
            errors.InvalidInputError, match=r"k must be an integer between 1 and the number of rows \(6\)"
        ):
            kmeans(BACKGROUND, bad)
    for bad in (True, "2", None):
        with pytest.raises(errors.InvalidTypeError, match="k must be"):
            kmeans(BACKGROUND, bad)
    with pytest.raises(errors.InvalidInputError, match="k must be"):
        kmeans(BACKGROUND, 2.5)
    assert len(kmeans(BACKGROUND, 2.0)) == 2
    with pytest.raises(errors.InvalidTypeError, match="round_values"):
        kmeans(BACKGROUND, 2, round_values="yes")


# -- interrupts (item 3) -------------------------------------------------------------


def test_kmeans_reports_progress_and_stops_when_the_callback_raises():
    data = rng.normal(size=(3000, 5))
    reports = []
    kmeans(data, 10, progress=lambda done, total: reports.append((done, total)))
    total = reports[-1][1]
    assert reports[-1][0] == total == 10 + 100 + 1  # k seeding steps, max 100 iterations, rounding
    assert len(reports) >= 10  # at least one report per seeding step

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        kmeans(data, 10, progress=stop)
    kmeans(data, 10)  # the next call works


# -- models that misbehave (item 5) ---------------------------------------------------


BAD_MODELS = [
    ("wrong rows", lambda Z: np.zeros(len(Z) + 1), errors.InvalidInputError, r"model: returned shape \(\d+,\)"),
    ("3-d", lambda Z: np.zeros((len(Z), 1, 1)), errors.InvalidInputError, r"model: returned shape \(\d+, 1, 1\)"),
    ("scalar", lambda Z: 1.0, errors.InvalidInputError, r"model: returned shape \(\)"),
    ("no outputs", lambda Z: np.zeros((len(Z), 0)), errors.InvalidInputError, "model: returned no outputs"),
    ("nan", lambda Z: np.full(len(Z), np.nan), errors.InvalidInputError, "model: returned a non-finite output"),
    ("inf", lambda Z: np.full(len(Z), -np.inf), errors.InvalidInputError, "model: returned a non-finite output"),
    (
        "strings",
        lambda Z: np.array(["a"] * len(Z)),
        errors.InvalidTypeError,
        "model: returned ndarray, which is not numeric",
    ),
    ("objects", lambda Z: [object()] * len(Z), errors.InvalidTypeError, "model: returned list, which is not numeric"),
    ("complex", lambda Z: linear(Z) + 1j, errors.InvalidTypeError, "model: returned ndarray, which is not numeric"),
    ("datetime", lambda Z: np.zeros(len(Z), dtype="datetime64[s]"), errors.InvalidTypeError, "not numeric"),
    ("None", lambda Z: None, errors.InvalidTypeError, "model: returned None"),
    ("ragged", lambda Z: [[1.0]] + [[1.0, 2.0]] * (len(Z) - 1), errors.InvalidTypeError, "model: returned list"),
]


@pytest.mark.parametrize("explainer", [KernelExplainer, PermutationExplainer, ExactExplainer])
@pytest.mark.parametrize("name, model, error, message", BAD_MODELS, ids=[m[0] for m in BAD_MODELS])
def test_models_returning_the_wrong_thing(explainer, name, model, error, message):
    with pytest.raises(error, match=message):
        explainer(model, BACKGROUND)


@pytest.mark.parametrize("name, model, error, message", BAD_MODELS[:6], ids=[m[0] for m in BAD_MODELS[:6]])
def test_models_going_wrong_after_the_background(name, model, error, message):
    def later(Z):
        return linear(Z) if len(Z) == len(BACKGROUND) else model(Z)

    with pytest.raises(error, match=message):
        KernelExplainer(later, BACKGROUND)(X, nsamples=14)


def test_models_that_raise_are_named_and_chained():
    def broken(Z):
        raise ZeroDivisionError("mine")

    with pytest.raises(errors.InvalidInputError, match="model: raised ZeroDivisionError .*mine") as info:
        KernelExplainer(broken, BACKGROUND)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_bool_and_integer_outputs_are_numbers():
    values = KernelExplainer(lambda Z: (linear(Z) > 0).astype(int), BACKGROUND)(X, nsamples=14).values
    assert np.all(np.isfinite(values))
    KernelExplainer(lambda Z: linear(Z) > 0, BACKGROUND)(X, nsamples=14)


def test_huge_model_outputs_give_right_values_or_a_clear_error():
    # A constant output of 1e308: every value is exactly 0 (before: NaN from an overflowing mean).
    explanation = KernelExplainer(lambda Z: np.full(len(Z), 1e308), BACKGROUND)(X, nsamples=14)
    np.testing.assert_array_equal(explanation.values, 0.0)
    assert explanation.base_values[0] == 1e308
    # Outputs whose differences overflow: an error, not NaN values.
    with pytest.raises(errors.InvalidInputError, match="model: the attributions overflow"):
        KernelExplainer(lambda Z: np.where(Z[:, 0] > 0, 1.7e308, -1.7e308), BACKGROUND)(X, nsamples=14)


# -- data, background and rows (item 7) -----------------------------------------------


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS, ids=IDS)
@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((0, M)), "X: no rows"),
        (np.float64(1.0), r"X: expected a table"),
        (np.zeros((2, 2, M)), r"X: expected a 2-D array .* got 3 dimension"),
        (np.zeros((2, M - 1)), "X has 3 columns but"),
        (np.zeros((2, M + 1)), "X has 5 columns but"),
        (np.zeros((2, M), dtype=complex), "X: .*complex"),
        (np.full((2, M), "a", dtype=object), "X: column 'x0' is not numeric"),
        (np.array([["a"] * M] * 2), "X: column 'x0' is not numeric"),
        (np.zeros((2, 0)), "X: "),
    ],
)
def test_bad_rows(name, make, explain, bad, message):
    explainer = make()
    with pytest.raises(errors.AssayError, match=message):
        explain(explainer, bad)


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS, ids=IDS)
@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((0, M)), "data: no rows"),
        (np.zeros(M), r"data: expected a 2-D array"),
        (np.zeros((2, 2, M)), r"data: expected a 2-D array"),
        (np.zeros((2, M), dtype=complex), "data: .*complex"),
        (np.array([["a"] * M] * 2), "data: column 'x0' is not numeric"),
    ],
)
def test_bad_background(name, make, explain, bad, message):
    with pytest.raises(errors.AssayError, match=message):
        make(bad)


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS, ids=IDS)
def test_layouts_and_float32_give_the_same_values(name, make, explain):
    explainer = make()
    reference = explain(explainer, X).values
    np.testing.assert_allclose(explain(explainer, np.asfortranarray(X)).values, reference)
    np.testing.assert_allclose(explain(explainer, X[::-1][::-1]).values, reference)
    flipped = explain(explainer, X[::-1, :]).values
    np.testing.assert_allclose(flipped[::-1], reference)
    wide = np.repeat(X, 2, axis=1)[:, ::2]  # non-contiguous columns
    np.testing.assert_allclose(explain(explainer, wide).values, reference)
    one_row = explain(explainer, X[:1]).values
    np.testing.assert_allclose(one_row, reference[:1])
    X32 = X.astype(np.float32)
    np.testing.assert_allclose(explain(explainer, X32).values, explain(explainer, X32.astype(np.float64)).values)
    copy = X.copy()
    explain(explainer, X)
    np.testing.assert_array_equal(X, copy)  # the caller's array is not modified


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS[:3], ids=IDS[:3])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e308])
def test_non_finite_and_huge_values_reach_the_model_and_its_output_is_judged(name, make, explain, value):
    # A linear model of NaN/inf/1e308 inputs gives NaN/inf/overflowing outputs: a clear error naming the model.
    bad = X.copy()
    bad[0, 1] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(errors.InvalidInputError, match="model: returned a non-finite output"):
            explain(make(), bad if value != 1e308 else bad * 10)
        background = BACKGROUND.copy()
        background[2, 0] = value
        with pytest.raises(errors.InvalidInputError, match="model: returned a non-finite output"):
            explain(make(background), X) if value != 1e308 else explain(make(background * 10), X)


def test_a_model_that_handles_missing_values_is_explained():
    def robust(Z):
        return np.nansum(Z, axis=1)

    bad = X.copy()
    bad[0, 1] = np.nan
    explanation = KernelExplainer(robust, BACKGROUND)(bad, nsamples=14)
    assert np.all(np.isfinite(explanation.values))


def test_float32_extremes():
    big = np.float32(np.finfo(np.float32).max)
    rows = np.array([[big, -big, np.finfo(np.float32).tiny, 1e-45]], dtype=np.float32)
    explanation = KernelExplainer(linear, BACKGROUND)(rows, nsamples=14)
    full = linear(rows.astype(np.float64))[0]
    assert explanation.base_values[0] + explanation.values.sum() == pytest.approx(full, rel=1e-9)


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS, ids=IDS)
@pytest.mark.parametrize(
    "n_jobs, error",
    [
        (0, errors.InvalidInputError),
        (-2, errors.InvalidInputError),
        (1.5, errors.InvalidTypeError),
        (True, errors.InvalidTypeError),
    ],
)
def test_bad_n_jobs(name, make, explain, n_jobs, error):
    with pytest.raises(error, match="n_jobs must be None, -1 or a positive integer"):
        make(n_jobs=n_jobs)


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS, ids=IDS)
def test_results_do_not_depend_on_n_jobs(name, make, explain):
    reference = explain(make(n_jobs=1), X).values
    for n_jobs in (-1, None, 2, 1000, np.int64(3)):
        np.testing.assert_array_equal(explain(make(n_jobs=n_jobs), X).values, reference)


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS, ids=IDS)
@pytest.mark.parametrize(
    "weights, error, message",
    [
        ([np.nan, 1, 1, 1, 1, 1], errors.InvalidInputError, "data_weights: weights must be finite, non-negative"),
        ([-1, 1, 1, 1, 1, 1], errors.InvalidInputError, "data_weights: weights must be finite, non-negative"),
        ([np.inf, 1, 1, 1, 1, 1], errors.InvalidInputError, "data_weights: weights must be finite, non-negative"),
        (np.zeros(6), errors.InvalidInputError, "not all zero"),
        (np.ones(5), errors.InvalidInputError, "data_weights: expected 6 weights"),
        (np.ones((6, 1)), errors.InvalidInputError, "data_weights: expected 6 weights"),
        (["a"] * 6, errors.InvalidTypeError, "data_weights: expected numbers"),
    ],
)
def test_bad_weights(name, make, explain, weights, error, message):
    with pytest.raises(error, match=message):
        make(data_weights=weights)


@pytest.mark.parametrize("name, make, explain", CALLABLE_EXPLAINERS, ids=IDS)
def test_huge_and_tiny_weights_are_the_same_as_ones(name, make, explain):
    # Only the weights' ratios matter: 1e308 each (whose sum overflows) or 5e-324 each.
    reference = explain(make(), X)
    for scale in (1e308, 5e-324):
        explanation = explain(make(data_weights=np.full(6, scale)), X)
        np.testing.assert_allclose(explanation.values, reference.values, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(explanation.base_values, reference.base_values, rtol=1e-12)


def test_background_object_and_weights():
    summary = kmeans(BACKGROUND, 3)
    with pytest.raises(errors.InvalidInputError, match="data_weights: a Background already carries its weights"):
        KernelExplainer(linear, summary, data_weights=np.ones(3))
    broken = Background(summary.data, np.array([np.nan, 1, 1]), summary.feature_names)
    with pytest.raises(errors.InvalidInputError, match="data_weights"):
        KernelExplainer(linear, broken)


def test_kmeans_bad_data():
    for value in (np.nan, np.inf):
        bad = BACKGROUND.copy()
        bad[1, 1] = value
        with pytest.raises(errors.InvalidInputError, match="data: k-means needs finite values"):
            kmeans(bad, 2)
    with pytest.raises(errors.InvalidInputError, match="data: expected a 2-D array"):
        kmeans(BACKGROUND[0], 1)
    with pytest.raises(errors.InvalidInputError, match="data: no rows"):
        kmeans(np.zeros((0, 2)), 1)


def test_kmeans_of_values_near_the_largest_double():
    data = np.array([[1e308, -1e308], [1e308, -1e308], [-1e308, 1e308], [5.0, 1e307], [0.0, 0.0]])
    summary = kmeans(data, 2, round_values=False)
    assert np.all(np.isfinite(summary.data)) and summary.weights.sum() == pytest.approx(1.0)
    rounded = kmeans(data, 2)
    for j in range(2):
        assert set(rounded.data[:, j]) <= set(data[:, j])


# -- LinearExplainer -------------------------------------------------------------------


def test_linear_explainer_bad_models_and_extremes():
    for model, error, message in [
        ((np.ones((1, 1, M)), 0.0), errors.InvalidInputError, "coef must be a non-empty 1-D or 2-D"),
        ((["a"] * M, 0.0), errors.InvalidTypeError, "coef has dtype"),
        ((np.ones((2, M)), [1.0, 2.0, 3.0]), errors.InvalidInputError, "3 intercepts for 2 outputs"),
        ((np.full(M, np.nan), 0.0), errors.InvalidInputError, "coefficients must be a finite"),
        ((np.ones(M), np.inf), errors.InvalidInputError, "coefficients must be a finite"),
        (object(), errors.InvalidTypeError, "model: expected a fitted linear model"),
    ]:
        with pytest.raises(error, match=message):
            LinearExplainer(model, BACKGROUND)
    # A background of values near 1e308: its mean is finite (before: the sum overflowed).
    huge = np.full((4, M), 1.5e308)
    explainer = LinearExplainer((np.full(M, 1e-10), 0.0), huge)
    np.testing.assert_allclose(explainer.mean, 1.5e308)
    # Values that overflow, and infinite rows: errors; NaN (missing) gives NaN for its feature.
    with pytest.raises(errors.InvalidInputError, match="X: coef \\* \\(x - mean\\) overflows"):
        LinearExplainer((np.full(M, 1e300), 0.0), BACKGROUND)(np.full((1, M), 1e100))
    with pytest.raises(errors.InvalidInputError, match="X: infinite values"):
        LinearExplainer((COEF, 0.0), BACKGROUND)(np.full((1, M), np.inf))
    rows = X.copy()
    rows[0, 2] = np.nan
    values = LinearExplainer((COEF, 0.0), BACKGROUND)(rows).values
    assert np.isnan(values[0, 2]) and np.isfinite(np.delete(values, [2], axis=1)).all()
    with pytest.raises(errors.InvalidInputError, match="model: the expected value"):
        LinearExplainer((np.full(M, 1e308), 0.0), np.full((2, M), 1e308))


def test_native_linear_model_object_is_validated():
    class Model:
        coef_ = np.array([["a"] * M])
        intercept_ = 0.0

    with pytest.raises(errors.InvalidTypeError, match="coef has dtype"):
        KernelExplainer(Model(), BACKGROUND)


def test_other_options():
    with pytest.raises(errors.InvalidInputError, match="link must be one of"):
        kernel(link="probit")
    with pytest.raises(errors.InvalidInputError, match="link must be one of"):
        kernel(link=["identity"])
    with pytest.raises(errors.InvalidInputError, match="sampling must be"):
        kernel(sampling=3)
    with pytest.raises(errors.InvalidTypeError, match="per_background"):
        kernel(per_background="yes")
    with pytest.raises(errors.InvalidTypeError, match="model: expected a callable"):
        KernelExplainer("model", BACKGROUND)
    for tolerance in (0, -1, np.nan, "small", True):
        with pytest.raises(errors.InvalidInputError, match="tolerance"):
            kernel()(X, tolerance=tolerance)
    for l1_reg in ("num_features(0)", "lots", -1.0, np.inf, [1]):
        with pytest.raises(errors.AssayError, match="l1_reg"):
            kernel()(X, l1_reg=l1_reg)


# -- Explanation (construction and slicing) ----------------------------------------------


def test_explanation_construction():
    with pytest.raises(errors.InvalidInputError, match="values: expected at least one dimension"):
        Explanation(np.float64(1.0))
    for bad in (["a", "b"], np.zeros(2, dtype=complex), np.zeros(2, dtype="datetime64[s]"), [object()]):
        with pytest.raises(errors.InvalidTypeError, match="values: expected numbers"):
            Explanation(bad)
    with pytest.raises(errors.InvalidInputError, match="feature_names: 1 names for 3 features"):
        Explanation(np.zeros((2, 3)), feature_names=["a"])
    with pytest.raises(errors.InvalidTypeError, match="feature_names: expected a sequence of names"):
        Explanation(np.zeros((2, 3)), feature_names="abc")
    with pytest.raises(errors.InvalidInputError, match="base_values: shape \\(5,\\)"):
        Explanation(np.zeros((2, 3)), np.zeros(5))
    with pytest.raises(errors.InvalidInputError, match="data: shape"):
        Explanation(np.zeros((2, 3)), data=np.zeros((3, 3)))
    with pytest.raises(errors.InvalidInputError, match="output_names: 3 names for 2 outputs"):
        Explanation(np.zeros((2, 3, 2)), output_names=["a", "b", "c"])
    with pytest.raises(errors.InvalidTypeError, match="base_values"):
        Explanation(np.zeros((2, 3)), ["a", "b"])
    Explanation(np.zeros((2, 3)), 0.5, np.zeros((2, 3)), ["a", "b", "c"])  # a scalar base value is fine


def test_explanation_slicing_and_summaries():
    explanation = Explanation(np.arange(6.0).reshape(2, 3), np.zeros(2), np.ones((2, 3)), ["a", "b", "c"])
    assert explanation[:, "b"].values.tolist() == [1.0, 4.0]
    assert explanation[1, 2].values == 5.0
    with pytest.raises(KeyError, match="feature 'zz'"):  # documented: unknown names are KeyErrors
        explanation[:, "zz"]
    with pytest.raises(IndexError):  # documented: numpy's indexing
        explanation[5]
    empty = Explanation(np.zeros((0, 3)))
    with pytest.warns(UserWarning, match="no rows"):
        assert np.isnan(empty.mean_abs()).all()
    huge = Explanation(np.full((3, 2), 1.5e308))
    np.testing.assert_allclose(huge.mean_abs(), 1.5e308)
    with pytest.raises(errors.InvalidInputError, match="to_frame"):
        Explanation(np.zeros((2, 3, 3, 2))).to_frame()


# -- plots (item 4) ----------------------------------------------------------------------

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:  # pragma: no cover - the plot extra is not installed
    plt = None
from assay import drift, plots  # noqa: E402
from assay import fairness as af  # noqa: E402

needs_matplotlib = pytest.mark.skipif(plt is None, reason="needs matplotlib")


@pytest.fixture
def explanation():
    values = rng.normal(size=(30, 5)) * np.arange(5, 0, -1)
    data = rng.normal(size=(30, 5))
    return Explanation(values, np.full(30, 0.5), data, [f"f{j}" for j in range(5)])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    if plt is not None:
        plt.close("all")


DRAW = {
    "bar": lambda e: plots.bar(e),
    "beeswarm": lambda e: plots.beeswarm(e),
    "dependence": lambda e: plots.dependence(e, 0, color=1),
    "waterfall": lambda e: plots.waterfall(e[0]),
}


@needs_matplotlib
@pytest.mark.parametrize("plot", DRAW)
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_plots_of_non_finite_shap_values_are_clear_errors(explanation, plot, value):
    explanation.values[0, 0] = value
    with pytest.raises(errors.InvalidInputError, match=f"{plot}: 1 SHAP values are not finite"):
        DRAW[plot](explanation)
    finite = explanation[np.isfinite(explanation.values).all(axis=1)]  # the advice in the message works
    if plot != "waterfall":
        DRAW[plot](finite)


@needs_matplotlib
@pytest.mark.parametrize("plot", ["bar", "beeswarm", "dependence"])
def test_plots_of_empty_or_malformed_explanations(explanation, plot):
    with pytest.raises(errors.InvalidInputError, match=f"{plot}: the explanation is empty"):
        DRAW[plot](Explanation(np.zeros((0, 5)), None, np.zeros((0, 5))))
    for bad in ("explanation", {"values": 1}, None, np.zeros((3, 5))):
        with pytest.raises(errors.InvalidTypeError, match=f"{plot}: expected an assay.explain.Explanation"):
            DRAW[plot](bad)
    explanation.feature_names = ["a"]
    with pytest.raises(errors.InvalidInputError, match="feature_names: 1 names for 5 features"):
        DRAW[plot](explanation)
    explanation.feature_names = None
    explanation.data = np.zeros((2, 2))
    with pytest.raises(errors.InvalidInputError, match="data: shape"):
        plots.beeswarm(explanation)
    multi = Explanation(np.zeros((4, 3, 2)), np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(errors.InvalidInputError, match="select one output first"):
        DRAW[plot](multi)


@needs_matplotlib
def test_dependence_feature_must_be_a_name_or_an_index_in_range(explanation):
    for bad in (1.5, 1.0, True, np.bool_(False), None, [1]):
        with pytest.raises(errors.InvalidTypeError, match="feature: expected a feature name or an integer index"):
            plots.dependence(explanation, bad)
    for bad in (-1, 5, 10**20):
        with pytest.raises(errors.InvalidInputError, match=r"feature: index .* is out of range for 5 features"):
            plots.dependence(explanation, bad)
    with pytest.raises(errors.InvalidInputError, match="feature: 'nope' is not one of"):
        plots.dependence(explanation, "nope")
    with pytest.raises(errors.InvalidTypeError, match="color: expected"):
        plots.dependence(explanation, 0, color=2.5)
    assert plots.dependence(explanation, np.int64(2)).get_xlabel() == "f2"
    assert plots.dependence(explanation, "f3", color=np.int32(1)).get_xlabel() == "f3"
    no_data = Explanation(explanation.values)
    with pytest.raises(errors.InvalidInputError, match="dependence: the explanation has no data"):
        plots.dependence(no_data, 0)


@needs_matplotlib
def test_non_finite_feature_data_is_left_out_or_grey(explanation):
    explanation.data[:3, 0] = [np.nan, np.inf, -np.inf]
    explanation.data[4, 1] = np.inf
    ax = plots.dependence(explanation, 0, color=1)
    assert ax.get_title() == "3 rows with a missing or infinite f0 not shown"
    assert len(ax.collections[0].get_offsets()) == 27
    plots.beeswarm(explanation)
    explanation.data[:, 2] = np.nan
    with pytest.raises(errors.InvalidInputError, match="feature 'f2' has no finite values"):
        plots.dependence(explanation, 2)


@needs_matplotlib
def test_plot_options(explanation):
    for bad in (0, -1):
        with pytest.raises(errors.InvalidInputError, match="max_display"):
            plots.bar(explanation, max_display=bad)
    for bad in (1.5, True, "3"):
        with pytest.raises(errors.InvalidTypeError, match="max_display"):
            plots.beeswarm(explanation, max_display=bad)
    with pytest.raises(errors.InvalidInputError, match="color_map: 'nope'"):
        plots.beeswarm(explanation, color_map="nope")
    row = explanation[0]
    row.base_values = np.array(np.nan)
    with pytest.raises(errors.InvalidInputError, match="waterfall: the base value is not finite"):
        plots.waterfall(row)


@needs_matplotlib
def test_plots_of_values_near_the_largest_double():
    # matplotlib's axes overflow near the largest double ("Singular matrix" before): a clear
    # error beyond 1e307; values up to that are drawn, and importances never overflow.
    values = np.array([[1.5e308, -1.5e308, 1.0], [1.2e308, 1e308, -1.0], [1.0, 1.0, 1.0]])
    big = Explanation(values, np.zeros(3), np.ones((3, 3)), ["a", "b", "c"])
    for draw in (plots.bar, plots.beeswarm, lambda e: plots.dependence(e, "a"), lambda e: plots.waterfall(e[0])):
        with pytest.raises(errors.InvalidInputError, match="the values are too large to draw"):
            draw(big)
    drawable = Explanation(values / 20, np.zeros(3), np.ones((3, 3)) * 1e307, ["a", "b", "c"])
    widths = [p.get_width() for p in plots.bar(drawable).patches]
    assert max(widths) == pytest.approx(1.5e308 / 60 + 1.2e308 / 60)
    for ax in (plots.beeswarm(drawable), plots.dependence(drawable, "a", color="b"), plots.waterfall(drawable[0])):
        ax.figure.canvas.draw()
    # A constant column of large values (its swarm bins used to collapse).
    plots.beeswarm(Explanation(np.full((5, 2), 1e10), np.zeros(5), np.ones((5, 2))))


@needs_matplotlib
def test_drift_distribution_bad_input():
    reference = {"x": rng.normal(size=50)}
    current = {"x": rng.normal(size=40)}
    with pytest.raises(errors.InvalidInputError, match="bins must be between 1 and 10000, got 1000000000"):
        plots.drift_distribution(reference, current, "x", bins=10**9)
    for bad in (2.0, True, "10"):
        with pytest.raises(errors.InvalidTypeError, match="bins must be a positive integer"):
            plots.drift_distribution(reference, current, "x", bins=bad)
    assert len(plots.drift_distribution(reference, current, "x", bins=np.int64(5)).patches) == 10
    with pytest.raises(errors.InvalidTypeError, match="column must be a column name"):
        plots.drift_distribution(reference, current, 0)
    with pytest.raises(errors.InvalidInputError, match="column 'y' must be in both"):
        plots.drift_distribution(reference, current, "y")
    with pytest.raises(errors.InvalidInputError, match="column 'x' has no finite values"):
        plots.drift_distribution({"x": [np.inf, np.nan]}, {"x": [-np.inf]}, "x")
    with pytest.raises(errors.AssayError, match="reference"):
        plots.drift_distribution(np.zeros((2, 2, 2)), current, "x")
    with pytest.raises(errors.InvalidTypeError, match="numeric in one table and categorical"):
        plots.drift_distribution({"x": ["a", "b"]}, current, "x")


@needs_matplotlib
def test_drift_distribution_of_values_at_the_extremes_of_float64():
    reference = {"x": np.array([1e308, -1e308, 5.0, 1.7e308])}
    current = {"x": np.array([-1.7e308, 0.0, 1e307])}
    ax = plots.drift_distribution(reference, current, "x", bins=4)
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 8 and np.all(np.isfinite(heights)) and max(heights) > 0
    lefts = [p.get_x() for p in ax.patches]
    assert np.all(np.isfinite(lefts)) and ax.get_xlabel() == "x / 1e+308"
    ax.figure.canvas.draw()  # matplotlib can lay the axes out
    plots.drift_distribution({"x": [1e308] * 3}, {"x": [1e308]}, "x").figure.canvas.draw()  # one value


@needs_matplotlib
def test_drift_over_time_and_reconstruction_bad_input():
    for bad in ("nope", None, {"chunks": []}):
        with pytest.raises(errors.InvalidTypeError, match="result must be a DriftOverTime"):
            plots.drift_over_time(bad)
        with pytest.raises(errors.InvalidTypeError, match="result must be a ReconstructionDrift"):
            plots.reconstruction_error(bad)
    reference = {"x": rng.normal(size=300)}
    current = {"x": rng.normal(size=300)}
    result = drift.over_time(reference, current, chunk_size=100)
    with pytest.raises(errors.InvalidInputError, match="column 'y' is not in the result"):
        plots.drift_over_time(result, "y")
    with pytest.raises(errors.InvalidTypeError, match="column must be a column name"):
        plots.drift_over_time(result, 0)


@needs_matplotlib
def test_metric_by_group_from_a_mapping():
    ax = plots.plot_metric_by_group({"a": 0.5, "b": 0.75, "c": np.nan, "d": np.inf}, "tpr")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_xlabel() == "tpr"
    assert "1 undefined: c" in ax.get_title() and "1 infinite: d" in ax.get_title()
    pd = pytest.importorskip("pandas")
    ax = plots.plot_metric_by_group(pd.Series({("x", 1): 0.1, ("y", 2): 0.2}))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x / 1", "y / 2"] and ax.get_xlabel() == "value"
    with pytest.raises(errors.InvalidInputError, match="frame: the mapping of group to value is empty"):
        plots.plot_metric_by_group({})
    for bad in ({"a": "high"}, {"a": None}, {"a": True}):
        with pytest.raises(errors.InvalidTypeError, match="frame: the value of group 'a' is not a number"):
            plots.plot_metric_by_group(bad)
    for bad in ([0.5, 0.7], None, "frame", 3.0):
        with pytest.raises(errors.InvalidTypeError, match="frame: expected an assay.fairness.MetricFrame or a mapping"):
            plots.plot_metric_by_group(bad)
    with pytest.raises(errors.InvalidTypeError, match="metric must be a metric name"):
        plots.plot_metric_by_group({"a": 1.0}, 3)
    with pytest.raises(errors.InvalidInputError, match="values beyond 1e307"):
        plots.plot_metric_by_group({"a": 1e308, "b": -1e308})


@needs_matplotlib
def test_metric_by_group_from_a_frame_bad_metric():
    groups = np.array(["a", "b"] * 20)
    y = np.tile([0, 1, 1, 0], 10)
    frame = af.MetricFrame(metrics={"sel": af.selection_rate}, y_true=y, y_pred=y, sensitive_features=groups)
    with pytest.raises(errors.InvalidInputError, match="metric: 'zz' is not one of"):
        plots.plot_metric_by_group(frame, "zz")
    with pytest.raises(errors.InvalidTypeError, match="metric must be a metric name"):
        plots.plot_metric_by_group(frame, ["sel"])
    assert plots.plot_metric_by_group(frame).get_xlabel() == "sel"
