"""Bad input to the model-agnostic explainers: clear errors naming the argument."""

from __future__ import annotations

import numpy as np
import pytest
from assay.explain import ExactExplainer, KernelExplainer

rng = np.random.default_rng(0)
BACKGROUND = rng.normal(size=(5, 4))
X = rng.normal(size=(3, 4))


def linear(Z):
    return Z @ np.arange(1.0, 5.0)


@pytest.mark.parametrize("explainer", [ExactExplainer, KernelExplainer])
def test_model_that_raises(explainer):
    def broken(Z):
        raise RuntimeError("boom")

    with pytest.raises(ValueError, match=r"model: raised RuntimeError.*boom"):
        explainer(broken, BACKGROUND)


@pytest.mark.parametrize("explainer", [ExactExplainer, KernelExplainer])
def test_model_that_raises_later(explainer):
    def fails_on_large_batches(Z):
        if len(Z) > len(BACKGROUND):
            raise MemoryError("too large")
        return linear(Z)

    with pytest.raises(ValueError, match="model: raised MemoryError"):
        explainer(fails_on_large_batches, BACKGROUND)(X)


def failing_on_call(number, error):
    """The linear model, raising `error` on its `number`-th call (1 = the background)."""
    calls = []

    def model(Z):
        calls.append(len(Z))
        if len(calls) == number:
            raise error
        return linear(Z)

    return model, calls


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_model_that_raises_mid_stream(n_jobs):
    # Several chunks; with two threads the next chunk's rows are being written while the
    # model fails on the current one: the error still names the model, and no chunk after
    # it is evaluated.
    model, calls = failing_on_call(4, RuntimeError("boom"))
    explainer = KernelExplainer(model, BACKGROUND, n_jobs=n_jobs, batch_size=len(BACKGROUND) * 3)
    with pytest.raises(ValueError, match=r"model: raised RuntimeError on a batch of shape \(15, 4\): boom"):
        explainer(X, nsamples=10)
    assert len(calls) == 4


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_keyboard_interrupt_in_the_model_stops_the_explainer(n_jobs):
    model, calls = failing_on_call(3, KeyboardInterrupt())
    explainer = KernelExplainer(model, BACKGROUND, n_jobs=n_jobs, batch_size=len(BACKGROUND) * 3)
    with pytest.raises(KeyboardInterrupt):
        explainer(X, nsamples=10)
    assert len(calls) == 3


@pytest.mark.parametrize(
    "bad_model, message",
    [
        (lambda Z: np.ones(len(Z) + 1), r"model: returned shape \(6,\)"),
        (lambda Z: np.ones((len(Z), 2, 2)), r"model: returned shape"),
        (lambda Z: np.ones((len(Z), 0)), "model: returned no outputs"),
        (lambda Z: 3.0, "model: returned shape"),
    ],
)
def test_model_wrong_shapes(bad_model, message):
    with pytest.raises(ValueError, match=message):
        KernelExplainer(bad_model, BACKGROUND)


def test_model_changing_output_count():
    def changing(Z):
        return np.ones((len(Z), 1 if len(Z) == len(BACKGROUND) else 2))

    with pytest.raises(ValueError, match="model: returned 2 outputs, earlier 1"):
        KernelExplainer(changing, BACKGROUND)(X)


def test_model_not_numeric():
    with pytest.raises(TypeError, match="model: returned list, which is not numeric"):
        KernelExplainer(lambda Z: [["a"]] * len(Z), BACKGROUND)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("explainer", [ExactExplainer, KernelExplainer])
def test_model_returning_non_finite(explainer, bad):
    def model(Z):
        out = linear(Z)
        if len(Z) > len(X):
            out[-1] = bad
        return out

    with pytest.raises(ValueError, match="model: returned a non-finite output"):
        explainer(model, BACKGROUND)(X)


def test_not_callable():
    class Model:
        def predict(self, Z):
            return linear(Z)

    with pytest.raises(TypeError, match=r"model: expected a callable.*model.predict"):
        KernelExplainer(Model(), BACKGROUND)
    assert KernelExplainer(Model().predict, BACKGROUND).expected_value == pytest.approx(linear(BACKGROUND).mean())


def test_logit_link_needs_probabilities():
    with pytest.raises(ValueError, match="link: 'logit' needs model outputs"):
        KernelExplainer(linear, BACKGROUND, link="logit")
    with pytest.raises(ValueError, match="link must be one of"):
        KernelExplainer(linear, BACKGROUND, link="log")


def test_budget_too_small():
    M = 12
    background, rows = rng.normal(size=(3, M)), rng.normal(size=(2, M))
    explainer = KernelExplainer(lambda Z: Z.sum(axis=1), background)
    with pytest.raises(ValueError, match=r"nsamples=5: need at least as many coalitions as features \(12\)"):
        explainer(rows, nsamples=5)
    with pytest.raises(ValueError, match="nsamples must be 'auto' or an integer"):
        explainer(rows, nsamples=2.5)


def test_singular_design_is_an_error_not_a_number():
    # 4 features, 3 coalitions of which two are complements: the normal equations are singular.
    from assay import _core

    masks = np.array([[1, 0, 0, 0], [0, 1, 1, 1], [1, 0, 0, 0]], dtype=float)
    design = _core.agnostic.design_from_arrays(masks, np.ones(3))
    with pytest.raises(ValueError, match="nsamples: the 3 coalitions do not determine the 4 values"):
        _core.agnostic.kernel_values(design, np.zeros((1, 3, 1)), np.ones((1, 1)), np.zeros(1), 1)


@pytest.mark.parametrize(
    "l1_reg, message",
    [
        ("lars", "l1_reg must be False, 'num_features"),
        ("num_features(ten)", r"l1_reg: num_features\(k\) needs an integer k >= 1"),
        ("num_features(0)", r"l1_reg: num_features\(k\) needs an integer k >= 1"),
        ("num_features(-3)", r"l1_reg: num_features\(k\) needs an integer k >= 1"),
        (True, "l1_reg must be False"),
        ([0.1], "l1_reg must be False"),
        (-0.1, "l1_reg: a Lasso alpha must be a positive finite number"),
        (float("nan"), "l1_reg: a Lasso alpha must be a positive finite number"),
        (float("inf"), "l1_reg: a Lasso alpha must be a positive finite number"),
    ],
)
def test_bad_l1_reg(l1_reg, message):
    explainer = KernelExplainer(linear, BACKGROUND)
    with pytest.raises(ValueError, match=message):
        explainer(X, l1_reg=l1_reg)


def test_l1_reg_errors_in_the_core():
    # 2 coalitions give 4 augmented rows: too few to estimate the noise variance of 4 features.
    from assay import _core

    masks = np.array([[1, 0, 0, 0], [0, 1, 1, 1]], dtype=float)
    design = _core.agnostic.design_from_arrays(masks, np.ones(2))
    for criterion in ("aic", "bic"):
        with pytest.raises(ValueError, match=f"l1_reg: '{criterion}' estimates the noise variance"):
            _core.agnostic.kernel_values(
                design,
                np.ones((1, 2, 1)),
                np.ones((1, 1)),
                np.zeros(1),
                1,
                selection=_core.agnostic.Selection[criterion],
            )
    with pytest.raises(ValueError, match=r"l1_reg: num_features\(k\) needs k >= 1"):
        _core.agnostic.kernel_values(
            design, np.ones((1, 2, 1)), np.ones((1, 1)), np.zeros(1), 1, selection=_core.agnostic.Selection.num_features
        )
    with pytest.raises(ValueError, match="values: l1_reg needs finite values"):
        _core.agnostic.kernel_values(
            design,
            np.full((1, 2, 1), np.nan),
            np.ones((1, 1)),
            np.zeros(1),
            1,
            selection=_core.agnostic.Selection.num_features,
            num_features=2,
        )


def test_too_many_features_for_exact():
    background = rng.normal(size=(2, 17))
    with pytest.raises(ValueError, match=r"data has 17 features: ExactExplainer would evaluate 2\^17"):
        ExactExplainer(lambda Z: Z.sum(axis=1), background)
    ExactExplainer(lambda Z: Z.sum(axis=1), background[:, :5], max_evals=32)
    with pytest.raises(ValueError, match="max_evals=16"):
        ExactExplainer(lambda Z: Z.sum(axis=1), background[:, :5], max_evals=16)


@pytest.mark.parametrize("explainer", [ExactExplainer, KernelExplainer])
def test_bad_data_and_rows(explainer):
    with pytest.raises(ValueError, match="data: no rows"):
        explainer(linear, np.empty((0, 4)))
    with pytest.raises(TypeError, match="data: column 'x0' is not numeric"):
        explainer(linear, np.array([["a", "b"], ["c", "d"]], dtype=object))
    ok = explainer(linear, BACKGROUND)
    with pytest.raises(ValueError, match="X has 3 columns but data has 4"):
        ok(X[:, :3])
    with pytest.raises(ValueError, match="X: no rows"):
        ok(X[:0])


def test_bad_options():
    with pytest.raises(ValueError, match="data_weights: expected 5 weights"):
        KernelExplainer(linear, BACKGROUND, data_weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="data_weights: weights must be finite"):
        KernelExplainer(linear, BACKGROUND, data_weights=[1.0, np.nan, 1, 1, 1])
    with pytest.raises(ValueError, match="data_weights: weights must be finite"):
        KernelExplainer(linear, BACKGROUND, data_weights=np.zeros(5))
    with pytest.raises(ValueError, match="n_jobs must be"):
        KernelExplainer(linear, BACKGROUND, n_jobs=0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        KernelExplainer(linear, BACKGROUND, batch_size=0)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        KernelExplainer(linear, BACKGROUND, seed=-1)


def test_non_contiguous_nan_and_one_row_inputs():
    wide = rng.normal(size=(5, 8))
    strided_background = wide[:, ::2]  # not contiguous
    explainer = ExactExplainer(linear, strided_background)
    rows = np.asfortranarray(X)
    values = explainer(rows).values
    np.testing.assert_allclose(values, np.arange(1.0, 5.0) * (X - strided_background.mean(axis=0)), atol=1e-12)
    one = explainer(X[:1]).values
    np.testing.assert_allclose(one, values[:1], atol=1e-15)
    # Missing values go to the model as they are; a model that cannot handle them gets a clear error.
    with pytest.raises(ValueError, match="model: returned a non-finite output"):
        explainer(np.where(np.eye(3, 4) > 0, np.nan, X))
    nan_aware = ExactExplainer(lambda Z: np.nan_to_num(Z).sum(axis=1), strided_background)
    assert np.isfinite(nan_aware(np.full((1, 4), np.nan)).values).all()


def test_tables_are_matched_by_column_name():
    pd = pytest.importorskip("pandas")
    names = ["a", "b", "c", "d"]
    explainer = ExactExplainer(linear, pd.DataFrame(BACKGROUND, columns=names))
    shuffled = pd.DataFrame(X, columns=names)[["d", "b", "a", "c"]]
    np.testing.assert_allclose(explainer(shuffled).values, explainer(X).values, atol=1e-15)
    assert explainer(X).feature_names == names
