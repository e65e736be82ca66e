"""ExactExplainer and KernelExplainer: brute-force Shapley oracles, shap parity, invariances."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from assay import _core
from assay.explain import ExactExplainer, KernelExplainer


def make_model(n_features: int, seed: int = 0):
    """A smooth non-additive model with two outputs (interactions of order 2 and 3)."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=(2, n_features))

    def model(X):
        first = np.sin(X @ weights[0]) + X[:, 0] * X[:, 1] * X[:, 2]
        second = np.tanh(X @ weights[1]) + X[:, 1] ** 2 * X[:, -1]
        return np.stack([first, second], axis=1)

    return model


def brute_force_shapley(model, x, background, weights=None):
    """phi_i = sum over S without i of |S|!(M-|S|-1)!/M! (v(S+i) - v(S)), v the (weighted) background mean."""
    M = len(x)
    weights = np.full(len(background), 1.0 / len(background)) if weights is None else weights / weights.sum()
    masks = np.array(list(itertools.product([0, 1], repeat=M)), dtype=bool)
    hybrid = np.where(masks[:, None, :], x[None, None, :], background[None, :, :])
    outputs = model(hybrid.reshape(-1, M)).reshape(len(masks), len(background), -1)
    v = np.einsum("sbk,b->sk", outputs, weights)
    index = {tuple(mask): s for s, mask in enumerate(masks)}
    phi = np.zeros((M, v.shape[1]))
    for s, mask in enumerate(masks):
        size = int(mask.sum())
        for i in np.flatnonzero(~mask):
            with_i = mask.copy()
            with_i[i] = True
            coefficient = math.factorial(size) * math.factorial(M - size - 1) / math.factorial(M)
            phi[i] += coefficient * (v[index[tuple(with_i)]] - v[s])
    return phi


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(1)
    M = 10
    return make_model(M), rng.normal(size=(4, M)), rng.normal(size=(3, M))


@pytest.mark.parametrize("n_features", [1, 2, 5, 10])
def test_exact_and_full_kernel_equal_brute_force(n_features):
    rng = np.random.default_rng(n_features)
    background, X = rng.normal(size=(3, n_features)), rng.normal(size=(2, n_features))
    weights = rng.uniform(0.5, 2.0, size=3)
    rng_w = rng.normal(size=(2, n_features))

    def model(Z):
        return np.stack([np.sin(Z @ rng_w[0]) + Z[:, 0] * Z[:, -1] ** 2, np.cos(Z @ rng_w[1])], axis=1)

    truth = np.stack([brute_force_shapley(model, x, background, weights) for x in X])
    exact = ExactExplainer(model, background, data_weights=weights)(X)
    kernel = KernelExplainer(model, background, data_weights=weights)(X, nsamples=max(2, 2**n_features - 2))
    per_background = KernelExplainer(model, background, data_weights=weights, per_background=True)(
        X, nsamples=max(2, 2**n_features - 2)
    )
    np.testing.assert_allclose(exact.values, truth, rtol=0, atol=1e-10)
    np.testing.assert_allclose(kernel.values, truth, rtol=0, atol=1e-10)
    np.testing.assert_allclose(per_background.values, truth, rtol=0, atol=1e-10)
    assert np.all(kernel.standard_errors == 0) and np.all(exact.standard_errors == 0)
    assert np.all(per_background.standard_errors == 0)
    fx = model(X)
    np.testing.assert_allclose(exact.base_values + exact.values.sum(axis=1), fx, atol=1e-12)
    np.testing.assert_allclose(kernel.base_values + kernel.values.sum(axis=1), fx, atol=1e-12)


def test_logit_link_explains_log_odds_of_the_mean():
    rng = np.random.default_rng(3)
    background, X = rng.normal(size=(5, 6)), rng.normal(size=(2, 6))
    w = rng.normal(size=6)

    def probability(Z):
        return 1.0 / (1.0 + np.exp(-(Z @ w + Z[:, 0] * Z[:, 1])))

    def log_odds_of_mean(Z):  # v(S) = logit(mean over the background) is what the brute force must see
        return probability(Z)

    exact = ExactExplainer(probability, background, link="logit")(X)
    kernel = KernelExplainer(probability, background, link="logit")(X, nsamples=62)
    masks = np.array(list(itertools.product([0, 1], repeat=6)), dtype=bool)
    for row, x in enumerate(X):
        means = np.array([log_odds_of_mean(np.where(m, x, background)).mean() for m in masks])
        v = {tuple(m): np.log(p / (1 - p)) for m, p in zip(masks, means)}
        phi = np.zeros(6)
        for m in masks:
            size = int(m.sum())
            for i in np.flatnonzero(~m):
                with_i = m.copy()
                with_i[i] = True
                phi[i] += (
                    math.factorial(size)
                    * math.factorial(5 - size)
                    / math.factorial(6)
                    * (v[tuple(with_i)] - v[tuple(m)])
                )
        np.testing.assert_allclose(exact.values[row], phi, atol=1e-10)
        np.testing.assert_allclose(kernel.values[row], phi, atol=1e-10)
    p_x = probability(X)
    np.testing.assert_allclose(exact.base_values + exact.values.sum(axis=1), np.log(p_x / (1 - p_x)), atol=1e-12)


# shap's l1_reg and the core's (selection, num_features, alpha) for it.
L1_OPTIONS = [
    (False, ("none", 0, 0.0)),
    ("num_features(1)", ("num_features", 1, 0.0)),
    ("num_features(4)", ("num_features", 4, 0.0)),
    ("num_features(10)", ("num_features", 10, 0.0)),
    ("num_features(20)", ("num_features", 20, 0.0)),  # more than M: every feature
    ("aic", ("aic", 0, 0.0)),
    ("bic", ("bic", 0, 0.0)),
    (1e-4, ("lasso", 0, 1e-4)),
    (1e-3, ("lasso", 0, 1e-3)),
]


def shap_problem(shap, link, scale, row, l1_reg):
    """shap's KernelExplainer on one row (12 features, 300 coalitions): its values and the arrays it solved."""
    rng = np.random.default_rng(4)
    M = 12
    background, X = rng.normal(size=(6, M)), rng.normal(size=(3, M))
    w = rng.normal(size=M)

    def model(Z):
        if link == "logit":
            return 1.0 / (1.0 + np.exp(-(Z @ w + Z[:, 0] * Z[:, 3])))
        return scale * (np.sin(Z @ w) + Z[:, 0] * Z[:, 3])

    np.random.seed(row)
    explainer = shap.KernelExplainer(model, background, link=link)
    expected = np.asarray(explainer.shap_values(X[row : row + 1], nsamples=300, l1_reg=l1_reg, silent=True)).reshape(M)
    to_link = explainer.link.f
    used = explainer.nsamplesAdded
    design = _core.agnostic.design_from_arrays(explainer.maskMatrix[:used], explainer.kernelWeights[:used])
    values = to_link(np.asarray(explainer.ey)[:used, 0])[None, :, None]
    full = np.array([[to_link(explainer.fx[0])]])
    empty = np.array([to_link(explainer.fnull[0])])
    return expected, (design, values, full, empty)


@pytest.mark.parametrize("link, scale", [("identity", 1.0), ("logit", 1.0), ("identity", 1e-3)])
def test_solver_with_shaps_sampled_coalitions_gives_shaps_values(link, scale):
    """Fed shap's coalitions, weights and v(S), the core gives shap's values for every l1_reg option."""
    shap = pytest.importorskip("shap")
    counts = {}
    for row in range(3):
        for l1_reg, (selection, num_features, alpha) in L1_OPTIONS:
            expected, arrays = shap_problem(shap, link, scale, row, l1_reg)
            ours, errors = _core.agnostic.kernel_values(
                *arrays, 1, selection=_core.agnostic.Selection[selection], num_features=num_features, alpha=alpha
            )
            ours = ours[0, :, 0]
            # shap rounds |values| < 1e-10 to 0; the same features are selected.
            np.testing.assert_array_equal(np.abs(ours) > 1e-10, expected != 0, err_msg=f"{l1_reg} row {row}")
            np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-10 * scale, err_msg=f"{l1_reg} row {row}")
            counts[l1_reg, row] = int(np.count_nonzero(ours))
            assert np.all(errors[0, ours == 0, 0] == 0)
    # The options select different numbers of features, so the comparison tests selections.
    assert all(counts["num_features(4)", row] == 4 for row in range(3))
    if scale == 1.0:
        assert all(counts["num_features(10)", row] == 10 for row in range(3))
        assert all(counts["num_features(20)", row] == 12 for row in range(3))
        assert len({counts[option, row] for option in ("aic", "bic", 1e-4, 1e-3) for row in range(3)}) >= 3
    else:  # outputs varying by ~1e-3: shap's LARS path ends before 10 steps (float32 epsilon)
        assert min(counts["num_features(10)", row] for row in range(3)) < 10


def test_num_features_keeps_that_many_values_and_matches_shap_end_to_end():
    shap = pytest.importorskip("shap")
    rng = np.random.default_rng(8)
    M = 11
    background, X = rng.normal(size=(5, M)), rng.normal(size=(3, M))
    w = rng.normal(size=M)

    def model(Z):
        return np.sin(Z @ w) + Z[:, 0] * Z[:, 3]

    # All 2^M - 2 coalitions: the same design in both tools, so the same selection.
    ours = KernelExplainer(model, background)(X, nsamples=2**M - 2, l1_reg="num_features(10)")
    theirs = shap.KernelExplainer(model, background).shap_values(
        X, nsamples=2**M - 2, l1_reg="num_features(10)", silent=True
    )
    assert np.all(np.count_nonzero(ours.values, axis=1) == 10)
    np.testing.assert_allclose(ours.values, theirs, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.base_values + ours.values.sum(axis=1), model(X), atol=1e-12)
    # Sampled coalitions, two outputs, 15 features: 10 values per row and output, still additive.
    model15, background15, X15 = make_model(15), rng.normal(size=(4, 15)), rng.normal(size=(3, 15))
    sampled = KernelExplainer(model15, background15, seed=1)(X15, nsamples=400, l1_reg="num_features(10)")
    assert np.all(np.count_nonzero(sampled.values, axis=1) == 10)
    np.testing.assert_allclose(sampled.base_values + sampled.values.sum(axis=1), model15(X15), atol=1e-12)
    unselected = sampled.values == 0
    assert np.all(sampled.standard_errors[unselected] == 0) and np.all(sampled.standard_errors[~unselected] > 0)


def test_l1_reg_options_and_their_shap_spellings(problem):
    model, background, X = problem  # 10 features
    explainer = KernelExplainer(model, background, seed=2)
    plain = explainer(X, nsamples=300).values
    np.testing.assert_array_equal(explainer(X, nsamples=300, l1_reg=0).values, plain)
    # num_features(k) with k >= M selects every feature: the unregularised values.
    np.testing.assert_allclose(explainer(X, nsamples=300, l1_reg="num_features(25)").values, plain, atol=1e-10)
    # "auto" is AIC below 20% of the 2^M - 2 coalitions evaluated, no selection above (shap's rule).
    aic = explainer(X, nsamples=150, l1_reg="aic").values
    np.testing.assert_array_equal(explainer(X, nsamples=150, l1_reg="auto").values, aic)
    assert np.any(aic == 0)
    np.testing.assert_array_equal(explainer(X, nsamples=300, l1_reg="auto").values, plain)
    # A Lasso alpha large enough removes everything; shap then reports all zeros.
    assert np.all(explainer(X, nsamples=300, l1_reg=10.0).values == 0)
    # shap_values and the tolerance loop take it too.
    np.testing.assert_array_equal(explainer.shap_values(X, nsamples=150, l1_reg="aic"), aic)
    stopped = explainer(X, nsamples=1000, tolerance=0.1, l1_reg="num_features(3)")
    assert np.all(np.count_nonzero(stopped.values, axis=1) == 3)


def test_full_enumeration_equals_shap_kernel_explainer(problem):
    shap = pytest.importorskip("shap")
    model, background, X = problem
    M = X.shape[1]
    ours = KernelExplainer(model, background)(X, nsamples=2**M - 2).values
    theirs = shap.KernelExplainer(model, background).shap_values(X, nsamples=2**M - 2, l1_reg=False, silent=True)
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=0, atol=1e-8)


def test_sampled_kernel_is_additive_close_and_reports_errors(problem):
    model, background, X = problem
    truth = ExactExplainer(model, background)(X).values
    explanation = KernelExplainer(model, background, seed=3)(X, nsamples=300)
    np.testing.assert_allclose(explanation.base_values + explanation.values.sum(axis=1), model(X), atol=1e-12)
    errors = explanation.standard_errors
    assert errors.shape == explanation.values.shape
    assert np.all(errors > 0)
    # The estimate is close to the truth on the scale of its standard errors.
    assert np.abs(explanation.values - truth).max() < 8 * errors.max()
    # Indexing keeps each value's standard error.
    part = explanation[1:3, 2]
    np.testing.assert_array_equal(part.standard_errors, errors[1:3, 2])
    assert part.nsamples == explanation.nsamples


def test_results_do_not_depend_on_threads_or_batch_size(problem):
    model, background, X = problem
    one = KernelExplainer(model, background, n_jobs=1, seed=7)(X, nsamples=200)
    two = KernelExplainer(model, background, n_jobs=2, seed=7, batch_size=50)(X, nsamples=200)
    np.testing.assert_array_equal(one.values, two.values)
    np.testing.assert_array_equal(one.standard_errors, two.standard_errors)
    other_seed = KernelExplainer(model, background, seed=8)(X, nsamples=200)
    assert not np.array_equal(one.values, other_seed.values)


def test_model_is_called_in_batches_not_per_row(problem):
    model, background, X = problem
    calls = []

    def counting(Z):
        calls.append(len(Z))
        return model(Z)

    KernelExplainer(counting, background, batch_size=10_000)(X, nsamples=500)
    # One call on the background, one on X, then chunks of up to 10,000 rows.
    assert len(calls) <= 2 + math.ceil(len(X) * 500 * len(background) / 10_000) + 1
    assert max(calls) > len(X) * len(background)


def test_integer_background_weights_equal_repeated_rows():
    rng = np.random.default_rng(5)
    background, X = rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    model = make_model(4)
    weighted = ExactExplainer(model, background, data_weights=[1, 2, 3])(X).values
    repeated = ExactExplainer(model, np.repeat(background, [1, 2, 3], axis=0))(X).values
    np.testing.assert_allclose(weighted, repeated, atol=1e-12)


def test_kernel_design_is_paired_and_weighted_like_the_shapley_kernel():
    design = _core.agnostic.kernel_design(12, 500, 1)
    masks, weights = design.masks, design.weights
    assert len(design) <= 500 and not design.exact
    present = {tuple(m) for m in masks}
    sampled = design.groups >= 0
    assert all(tuple(1 - m) in present for m in masks[sampled])  # paired sampling
    sizes = masks.sum(axis=1)
    # sizes 1 and 11 (24 coalitions) are enumerated with weights proportional to the kernel
    kernel = 11 / (np.array([math.comb(12, s) for s in sizes]) * sizes * (12 - sizes))
    enumerated = ~sampled
    assert set(sizes[enumerated]) >= {1, 11}
    ratio = weights[enumerated] / kernel[enumerated]
    np.testing.assert_allclose(ratio, ratio[0])
    np.testing.assert_allclose(weights.sum(), 1.0)
    full = _core.agnostic.kernel_design(5, 30, 1)
    assert full.exact and len(full) == 30


def test_explanation_fields(problem):
    model, background, X = problem
    explanation = KernelExplainer(model, background, feature_names=[f"f{i}" for i in range(10)])(X, nsamples=100)
    assert explanation.values.shape == (3, 10, 2)
    assert explanation.base_values.shape == (3, 2)
    assert explanation.feature_names[0] == "f0"
    np.testing.assert_array_equal(explanation.data, X)
    single = ExactExplainer(lambda Z: Z[:, 0] * 2.0, background[:, :3])(X[:, :3])
    assert single.values.shape == (3, 3)
    np.testing.assert_allclose(single.values[:, 0], 2 * (X[:, 0] - background[:, 0].mean()))
    np.testing.assert_allclose(single.values[:, 1:], 0, atol=1e-15)


def test_native_models_equal_their_python_predictions():
    sklearn_ensemble = pytest.importorskip("sklearn.ensemble")
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(6)
    data = rng.normal(size=(300, 7))
    target = data[:, 0] + data[:, 1] * data[:, 2] + np.sin(data[:, 3])
    background, X = data[:15], data[-4:]
    boosting = sklearn_ensemble.GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(
        data, target
    )
    booster = xgb.XGBClassifier(n_estimators=20, max_depth=3, n_jobs=1).fit(data, target > 0)
    logistic = sklearn_linear.LogisticRegression().fit(data, target > 0)
    cases = [
        (boosting, boosting.predict),
        (booster, lambda Z: booster.predict(Z, output_margin=True)),
        (logistic, logistic.decision_function),
    ]
    for native, python in cases:
        for explainer in (KernelExplainer, ExactExplainer):
            ours = explainer(native, background)(X)
            reference = explainer(python, background)(X)
            np.testing.assert_allclose(ours.values, reference.values, rtol=0, atol=1e-5 if native is booster else 1e-12)
            np.testing.assert_allclose(
                ours.base_values, reference.base_values, rtol=0, atol=1e-5 if native is booster else 1e-12
            )
    sampled = KernelExplainer(boosting, background, seed=2)(X, nsamples=40)
    np.testing.assert_allclose(sampled.base_values + sampled.values.sum(axis=1), boosting.predict(X), atol=1e-10)
    with pytest.raises(ValueError, match="data has 3 columns but the model uses 7 features"):
        KernelExplainer(boosting, background[:, :3])


def test_tolerance_stops_once_standard_errors_are_small(problem):
    model, background, X = problem
    explainer = KernelExplainer(model, background, seed=1)
    loose = explainer(X, nsamples=1000, tolerance=0.05)
    assert loose.nsamples <= 1000 and np.all(loose.standard_errors <= 0.05)
    tight = explainer(X, nsamples=1022, tolerance=1e-6)  # 2^10 - 2: the full enumeration is exact
    assert tight.nsamples == 1022 and np.all(tight.standard_errors == 0)
    assert loose.nsamples < tight.nsamples
    with pytest.warns(RuntimeWarning, match="tolerance: standard errors up to"):
        capped = explainer(X, nsamples=200, tolerance=1e-9)
    assert capped.nsamples == 200
    with pytest.raises(ValueError, match="tolerance must be a positive number"):
        explainer(X, tolerance=0)


def test_leverage_sampling_draws_sizes_uniformly_and_stays_exact_when_everything_fits(problem):
    design = _core.agnostic.kernel_design(16, 3000, 0, sampling=_core.agnostic.Sampling.leverage)
    sampled = design.groups >= 0
    sizes = design.masks[sampled].sum(axis=1)
    counts = np.bincount(np.minimum(sizes, 16 - sizes), minlength=9)[1:]
    paired = counts[(counts > 0) & (np.arange(1, 9) < 8)]
    # about equal counts per size class (fewer distinct ones where duplicates merge); the
    # middle class holds one size, so about half as many
    assert paired.max() / paired.min() < 1.4
    assert 0.35 < counts[7] / paired.mean() < 0.65
    model, background, X = problem
    full = KernelExplainer(model, background, sampling="leverage")(X, nsamples=1022).values
    kernel = KernelExplainer(model, background)(X, nsamples=1022).values
    np.testing.assert_allclose(full, kernel, atol=1e-10)
    with pytest.raises(ValueError, match="sampling must be 'kernel' or 'leverage'"):
        KernelExplainer(model, background, sampling="uniform")


def test_progress_is_reported_for_python_and_native_models(problem):
    sklearn_ensemble = pytest.importorskip("sklearn.ensemble")
    model, background, X = problem
    python_reports, native_reports = [], []
    KernelExplainer(
        model, background, batch_size=100, progress=lambda done, total: python_reports.append((done, total))
    )(X, nsamples=50)
    assert python_reports[-1][0] == python_reports[-1][1] == len(X) * 50 and len(python_reports) > 1
    data = np.random.default_rng(0).normal(size=(100, 10))
    forest = sklearn_ensemble.GradientBoostingRegressor(n_estimators=5, max_depth=2).fit(data, data[:, 0])
    KernelExplainer(forest, background, progress=lambda done, total: native_reports.append((done, total)))(
        X, nsamples=50
    )
    assert native_reports[-1] == (len(X), len(X))


def test_per_background_designs_are_independent_and_additive(problem):
    model, background, X = problem
    M = X.shape[1]
    explainer = KernelExplainer(model, background, per_background=True, seed=3)
    design = explainer.design(60)
    assert design.per_background and sorted(set(design.background_of.tolist())) == list(range(len(background)))
    masks_of = [design.masks[design.background_of == b] for b in range(len(background))]
    assert not np.array_equal(masks_of[0], masks_of[1])  # each background row draws its own coalitions
    one = explainer(X, nsamples=60)
    two = KernelExplainer(model, background, per_background=True, seed=3, n_jobs=2)(X, nsamples=60)
    np.testing.assert_array_equal(one.values, two.values)
    np.testing.assert_array_equal(one.standard_errors, two.standard_errors)
    np.testing.assert_allclose(one.base_values + one.values.sum(axis=1), model(X), atol=1e-12)
    assert np.all(one.standard_errors > 0)
    # Each coalition is evaluated on its own background row only: same budget of model rows.
    calls = []
    counting = KernelExplainer(lambda Z: calls.append(len(Z)) or model(Z), background, per_background=True)
    calls.clear()
    counting(X[:1], nsamples=60)
    assert sum(calls) == len(design) + 1  # the coalitions plus f(x)
    with pytest.raises(ValueError, match="link='identity'"):
        KernelExplainer(model, background, link="logit", per_background=True)
    with pytest.raises(ValueError, match="l1_reg"):
        explainer(X, nsamples=60, l1_reg="num_features(3)")
    with pytest.raises(ValueError, match="per_background must be True or False"):
        KernelExplainer(model, background, per_background="yes")
    assert M == 10


def test_per_background_designs_lower_the_error_at_equal_budget():
    # A case where the gain is typical (it varies with the game: 0.06 to 0.7 of the shared
    # design's error in most trials, and more with more background rows).
    rng = np.random.default_rng(0)
    M, budget = 8, 60
    X, w = rng.normal(size=(400, M)), rng.normal(size=M)

    def model(Z):
        return np.tanh(Z @ w) + Z[:, 0] * Z[:, 1] * Z[:, 2] + np.sin(Z[:, 3] * Z[:, 4])

    background, rows = X[:20], X[-10:]
    exact = ExactExplainer(model, background)(rows).values
    errors = {False: [], True: []}
    for seed in range(6):
        for per_background in (False, True):
            values = KernelExplainer(model, background, seed=seed, per_background=per_background)(
                rows, nsamples=budget
            ).values
            errors[per_background].append(np.mean((values - exact) ** 2))
    assert np.mean(errors[True]) < 0.5 * np.mean(errors[False])
