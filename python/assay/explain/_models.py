"""Model adapters: scikit-learn, XGBoost and LightGBM models -> assay's tree IR.

Each adapter returns a [`TreeModel`][assay.explain.TreeModel]: the core ensemble plus what the Python
layer needs around it (feature names, output names, what the raw output means, and a
function returning the original library's own raw prediction, used by the tests to
check additivity against the library rather than against the IR).

scikit-learn models are read from their fitted arrays (``tree_``, ``_predictors``);
XGBoost models from ``Booster.save_raw("ubj")`` and LightGBM models from
``Booster.model_to_string()``, both parsed in the core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .._core import explain as _core_explain
from ..errors import InvalidInputError, UnsupportedModelError

# scikit-learn's trees send x left when x <= threshold and store sample counts as covers.
_LESS_EQUAL = _core_explain.Comparison.less_equal
_COUNT = _core_explain.CoverKind.count

__all__ = ["TreeModel", "UnsupportedTreeModelError", "tree_model"]

# Category values HistGradientBoosting models may use (bitsets over the raw values).
_MAX_CATEGORY = 2**24 - 1


class UnsupportedTreeModelError(UnsupportedModelError, TypeError):
    """A model that assay's tree explainers cannot read (not a tree model, or a tree model
    with a feature they do not support). Also a ``TypeError``, so that code falling
    back to a model-agnostic explainer on ``TypeError`` keeps working."""


@dataclass
class TreeModel:
    """A tree model read into assay's core, with what the Python layer needs around it.

    Attributes
    ----------
    ensemble : TreeEnsemble
        The trees in the core's representation.
    feature_names : list of str or None
        The model's feature names, when it records them.
    output_names : list of str or None
        The names of several outputs (a classifier's classes).
    output_kind : str
        What the raw output is: ``"log_odds"`` (margins of logistic or softmax models),
        ``"probability"`` (trees that average class fractions) or ``"raw"``.
    native_predict : callable or None
        The original library's own raw prediction (rows x outputs), for checks against it.
    prepare : callable
        What the rows go through before the library's prediction (LightGBM's categories).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from assay.explain import tree_model
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> model = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, X[:, 0] ** 2)
    >>> trees = tree_model(model)
    >>> trees.n_features, trees.n_outputs, trees.output_kind
    (2, 1, 'raw')
    """

    ensemble: Any  # assay._core_explain.TreeEnsemble
    feature_names: list[str] | None
    output_names: list[str] | None
    output_kind: str
    native_predict: Callable[[Any], np.ndarray] | None = field(default=None, repr=False)
    prepare: Callable[[Any], Any] = field(default=lambda X: X, repr=False)

    @property
    def n_features(self) -> int:
        """The number of features the trees use.

        Returns
        -------
        int
            The model's number of input columns.
        """
        return self.ensemble.n_features

    @property
    def n_outputs(self) -> int:
        """The number of outputs (classes of a multiclass model, else 1).

        Returns
        -------
        int
            The number of raw outputs per row.
        """
        return self.ensemble.n_outputs


def _module_of(model: Any) -> str:
    return type(model).__module__.split(".")[0]


def _names_in(model: Any) -> list[str] | None:
    names = getattr(model, "feature_names_in_", None)
    return None if names is None else [str(n) for n in names]


def tree_model(model: Any, iteration_range: tuple[int, int] | None = None) -> TreeModel:
    """Reads a fitted tree model into assay's core.

    scikit-learn models are read from their fitted arrays; XGBoost models from
    ``Booster.save_raw("ubj")`` and LightGBM models from ``Booster.model_to_string()``,
    both parsed in the core. Without ``iteration_range`` a model explains what its
    ``predict`` computes: the scikit-learn wrappers of XGBoost and LightGBM use their best
    iteration after early stopping.

    Parameters
    ----------
    model : fitted tree model or TreeModel
        scikit-learn decision trees, random forests, extra trees, gradient boosting and
        histogram gradient boosting; XGBoost and LightGBM boosters and their scikit-learn
        wrappers. A [`TreeModel`][assay.explain.TreeModel] is returned as it is.
    iteration_range : tuple of int, optional
        ``(begin, end)``: keep the boosting iterations [begin, end) of an XGBoost or
        LightGBM model (XGBoost's ``iteration_range``; ``(0, 0)`` or None: all).

    Returns
    -------
    TreeModel
        The trees, feature and output names, and what the raw output means.

    Raises
    ------
    UnsupportedModelError
        An unfitted model, or (as ``UnsupportedTreeModelError``, also a ``TypeError``) a
        model assay cannot read: not a tree model, or one with a feature not supported.
    InvalidInputError
        ``iteration_range`` outside the model's iterations, or given for a model that is
        not XGBoost or LightGBM.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from assay.explain import tree_model
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> model = RandomForestClassifier(n_estimators=3, max_depth=2, random_state=0).fit(X, X[:, 0] > 15)
    >>> trees = tree_model(model)
    >>> trees.output_kind, trees.output_names
    ('probability', ['False', 'True'])
    """
    module = _module_of(model)
    if iteration_range is not None and (isinstance(model, TreeModel) or module not in {"xgboost", "lightgbm"}):
        raise InvalidInputError("iteration_range: only for XGBoost and LightGBM models")
    if isinstance(model, TreeModel):
        return model
    name = type(model).__name__
    if module == "xgboost":
        return _from_xgboost(model, iteration_range)
    if module == "lightgbm":
        return _from_lightgbm(model, iteration_range)
    if module == "sklearn":
        if name in {"DecisionTreeRegressor", "DecisionTreeClassifier", "ExtraTreeRegressor", "ExtraTreeClassifier"}:
            return _from_sklearn_forest(model, [model], name.endswith("Classifier"))
        if name in {"RandomForestRegressor", "RandomForestClassifier", "ExtraTreesRegressor", "ExtraTreesClassifier"}:
            _check_fitted(model, "estimators_")
            return _from_sklearn_forest(model, list(model.estimators_), name.endswith("Classifier"))
        if name in {"GradientBoostingRegressor", "GradientBoostingClassifier"}:
            return _from_sklearn_gradient_boosting(model)
        if name in {"HistGradientBoostingRegressor", "HistGradientBoostingClassifier"}:
            return _from_sklearn_hist_gradient_boosting(model)
    raise UnsupportedTreeModelError(
        f"model: {type(model).__module__}.{name} is not a supported tree model (supported: scikit-learn decision "
        "trees, random forests, extra trees, gradient boosting and histogram gradient boosting; XGBoost and "
        "LightGBM boosters and their scikit-learn wrappers)"
    )


def _check_fitted(model: Any, attribute: str) -> None:
    if not hasattr(model, attribute):
        raise UnsupportedModelError(f"model: {type(model).__name__} is not fitted")


# --- scikit-learn ---------------------------------------------------------------------


def _sklearn_tree_arrays(tree: Any, values: np.ndarray) -> dict:
    """One fitted sklearn ``tree_`` as the core's array layout (leaves: left == -1)."""
    left = np.asarray(tree.children_left, dtype=np.int64)
    missing_left = getattr(tree, "missing_go_to_left", None)
    default_left = (
        np.ones(tree.node_count, dtype=np.uint8) if missing_left is None else np.asarray(missing_left, np.uint8)
    )
    return {
        "left": left,
        "right": np.asarray(tree.children_right, dtype=np.int64),
        "feature": np.where(left < 0, -1, tree.feature).astype(np.int64),
        "threshold": np.asarray(tree.threshold, dtype=np.float64),
        "cover": np.asarray(tree.weighted_n_node_samples, dtype=np.float64),
        "values": np.ascontiguousarray(values, dtype=np.float64),
        "default_left": default_left,
    }


def _from_sklearn_forest(model: Any, estimators: list, classifier: bool) -> TreeModel:
    _check_fitted(estimators[0] if estimators else model, "tree_")
    trees = []
    scale = 1.0 / len(estimators)
    for estimator in estimators:
        value = np.asarray(estimator.tree_.value, dtype=np.float64)  # (nodes, outputs, classes)
        if classifier:
            if value.shape[1] != 1:
                raise UnsupportedTreeModelError("model: multi-output classifiers are not supported")
            fractions = value[:, 0, :]
            totals = fractions.sum(axis=1, keepdims=True)
            values = np.divide(fractions, totals, out=np.zeros_like(fractions), where=totals > 0)
        else:
            values = value[:, :, 0]
        trees.append(_sklearn_tree_arrays(estimator.tree_, values * scale))
    n_outputs = trees[0]["values"].shape[1]
    # scikit-learn compares float32(x) <= threshold (it casts X to float32).
    ensemble = _core_explain.tree_ensemble_from_arrays(
        trees, int(model.n_features_in_), n_outputs, [0.0] * n_outputs, _LESS_EQUAL, True, _COUNT, "sklearn"
    )
    output_names: list[str] | None
    if classifier:
        output_names = [str(c) for c in model.classes_]
        native = model.predict_proba
    else:
        output_names = None if n_outputs == 1 else [f"output {k}" for k in range(n_outputs)]
        native = lambda X: np.asarray(model.predict(X), dtype=np.float64).reshape(len(X), -1)  # noqa: E731
    return TreeModel(ensemble, _names_in(model), output_names, "probability" if classifier else "raw", native)


def _from_sklearn_gradient_boosting(model: Any) -> TreeModel:
    _check_fitted(model, "estimators_")
    init = model.init_
    if not (init == "zero" or type(init).__name__ in {"DummyRegressor", "DummyClassifier"}):
        raise UnsupportedTreeModelError("model: GradientBoosting with a non-constant init estimator is not supported")
    n_features = int(model.n_features_in_)
    base = np.asarray(model._raw_predict_init(np.zeros((1, n_features), dtype=np.float32)), dtype=np.float64)[0]
    n_outputs = model.estimators_.shape[1]
    trees = []
    for stage in model.estimators_:
        for k, estimator in enumerate(stage):
            leaf = np.asarray(estimator.tree_.value, dtype=np.float64)[:, 0, 0] * model.learning_rate
            values = np.zeros((len(leaf), n_outputs))
            values[:, k] = leaf
            trees.append(_sklearn_tree_arrays(estimator.tree_, values))
    ensemble = _core_explain.tree_ensemble_from_arrays(
        trees, n_features, n_outputs, base.tolist(), _LESS_EQUAL, True, _COUNT, "sklearn"
    )
    classifier = type(model).__name__.endswith("Classifier")
    output_names = None
    if classifier and n_outputs > 1:
        output_names = [str(c) for c in model.classes_]

    def native(X):
        return np.asarray(model.decision_function(X) if classifier else model.predict(X), np.float64).reshape(
            len(X), -1
        )

    return TreeModel(ensemble, _names_in(model), output_names, "log_odds" if classifier else "raw", native)


def _from_sklearn_hist_gradient_boosting(model: Any) -> TreeModel:
    _check_fitted(model, "_predictors")
    n_features = int(model.n_features_in_)
    # With categorical features, scikit-learn ordinal-encodes them (unknown -> NaN) and
    # puts them first; the trees' feature ids and bitsets refer to that encoding. We
    # fold it back into the trees: ids become original columns and bitsets hold the
    # raw (integral) category values.
    order = np.arange(n_features)
    categories: dict[int, np.ndarray] = {}
    preprocessor = getattr(model, "_preprocessor", None)
    if preprocessor is not None:
        try:
            masks = [np.asarray(t[2], dtype=bool) for t in preprocessor.transformers_ if t[0] != "remainder"]
            encoder = preprocessor.named_transformers_["encoder"]
        except (AttributeError, KeyError, IndexError, TypeError) as error:
            raise UnsupportedTreeModelError(
                "model: this HistGradientBoosting version's categorical encoding is not supported"
            ) from error
        order = np.concatenate([np.flatnonzero(m) for m in masks])
        for position, column_categories in enumerate(encoder.categories_):
            values = np.asarray(column_categories)
            if values.dtype.kind == "f" and len(values) and np.isnan(values[-1]):
                values = values[:-1]  # the encoder lists NaN last; it maps to NaN (missing) anyway
            if (
                values.dtype.kind not in "iuf"
                or not np.all(np.isfinite(values))
                or np.any(values < 0)
                or np.any(values != np.floor(values))
                or np.any(values > _MAX_CATEGORY)
            ):
                raise UnsupportedTreeModelError(
                    "model: HistGradientBoosting categorical features are supported with categories encoded as "
                    f"integers from 0 to {_MAX_CATEGORY} (encode the categories so before fitting)"
                )
            categories[position] = values.astype(np.int64)
    if len(order) != n_features:
        raise UnsupportedTreeModelError("model: cannot map HistGradientBoosting features back to the input columns")
    baseline = np.asarray(model._baseline_prediction, dtype=np.float64).ravel()
    n_outputs = len(baseline)
    trees = []
    for iteration in model._predictors:
        for k, predictor in enumerate(iteration):
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            values = np.zeros((len(nodes), n_outputs))
            values[:, k] = np.where(leaf, nodes["value"], 0.0)
            tree = {
                "left": np.where(leaf, -1, nodes["left"].astype(np.int64)),
                "right": np.where(leaf, -1, nodes["right"].astype(np.int64)),
                "feature": np.where(leaf, -1, order[nodes["feature_idx"]]).astype(np.int64),
                "threshold": nodes["num_threshold"].astype(np.float64),
                "cover": nodes["count"].astype(np.float64),
                "values": values,
                "default_left": nodes["missing_go_to_left"].astype(np.uint8),
            }
            is_categorical = nodes["is_categorical"].astype(bool) & ~leaf
            if is_categorical.any():
                tree.update(_hgb_category_bits(predictor, nodes, is_categorical, categories))
            trees.append(tree)
    ensemble = _core_explain.tree_ensemble_from_arrays(
        trees, n_features, n_outputs, baseline.tolist(), _LESS_EQUAL, False, _COUNT, "sklearn"
    )
    classifier = type(model).__name__.endswith("Classifier")
    output_names = [str(c) for c in model.classes_] if classifier and n_outputs > 1 else None

    def native(X):
        return np.asarray(model.decision_function(X) if classifier else model.predict(X), np.float64).reshape(
            len(X), -1
        )

    return TreeModel(ensemble, _names_in(model), output_names, "log_odds" if classifier else "raw", native)


def _hgb_category_bits(predictor: Any, nodes: np.ndarray, is_categorical: np.ndarray, categories: dict) -> dict:
    """Bitsets over raw category values for HGB's categorical nodes.

    HGB sends encoded category c left when bit c of the node's bitset is set, and
    unknown categories (encoded as NaN) like missing values. We store the side that
    unknown values must avoid: the left set when missing values go right, else the
    right set (with categories_go_left false), so that values outside the set take
    the missing side.
    """
    bitsets = np.asarray(predictor.raw_left_cat_bitsets, dtype=np.uint32)
    largest = max((int(v.max()) for v in categories.values() if len(v)), default=0)
    words = largest // 32 + 1
    bits = np.zeros((len(nodes), words), dtype=np.uint32)
    go_left = np.ones(len(nodes), dtype=np.uint8)
    for node in np.flatnonzero(is_categorical):
        raw_values = categories[int(nodes["feature_idx"][node])]
        codes = np.arange(len(raw_values))
        row = bitsets[nodes["bitset_idx"][node]]
        left = ((row[codes // 32] >> (codes % 32).astype(np.uint32)) & 1).astype(bool)
        missing_left = bool(nodes["missing_go_to_left"][node])
        members = raw_values[~left] if missing_left else raw_values[left]
        go_left[node] = 0 if missing_left else 1
        np.bitwise_or.at(bits[node], members // 32, (np.uint32(1) << (members % 32).astype(np.uint32)))
    return {"is_categorical": is_categorical.astype(np.uint8), "category_bits": bits, "categories_go_left": go_left}


# --- XGBoost and LightGBM -------------------------------------------------------------


def _iterations(iteration_range: tuple[int, int] | None, n_iterations: int) -> tuple[int, int]:
    """[begin, end) checked against the model's iterations ((0, 0) or None: all)."""
    if iteration_range is None:
        return 0, n_iterations
    try:
        begin, end = (int(i) for i in iteration_range)
    except (TypeError, ValueError):
        raise InvalidInputError(f"iteration_range: expected (begin, end), got {iteration_range!r}") from None
    if (begin, end) == (0, 0):
        return 0, n_iterations
    if not 0 <= begin < end <= n_iterations:
        raise InvalidInputError(
            f"iteration_range: ({begin}, {end}) is not within the model's {n_iterations} iterations"
        )
    return begin, end


def _from_xgboost(model: Any, iteration_range: tuple[int, int] | None = None) -> TreeModel:
    import xgboost

    wrapper = hasattr(model, "get_booster")
    try:
        booster = model.get_booster() if wrapper else model
    except Exception as error:  # the wrapper's NotFittedError
        raise UnsupportedModelError(f"model: {type(model).__name__} is not fitted") from error
    if not isinstance(booster, xgboost.Booster):
        raise UnsupportedTreeModelError(f"model: {type(model).__name__} is not an XGBoost booster")
    n_rounds = booster.num_boosted_rounds()
    if iteration_range is None and wrapper:
        # The scikit-learn wrapper's predict stops at the best iteration after early
        # stopping (a Booster's predict uses every tree): explain what predict computes.
        best = _best_iteration(model)
        if best is not None and 0 <= best < n_rounds:
            iteration_range = (0, best + 1)
    if iteration_range is not None:
        begin, end = _iterations(iteration_range, n_rounds)
        if (begin, end) != (0, n_rounds):
            booster = booster[begin:end]  # XGBoost's own slicing keeps its iteration semantics
    # The value the training data used for missing values: the wrapper's `missing`
    # (a Booster does not record its DMatrix's; NaN then).
    missing = _missing_of(model) if wrapper else float("nan")
    # The binary UBJSON document (parsed in the core) is smaller and faster than JSON.
    ensemble = _core_explain.load_xgboost_ubjson(bytes(booster.save_raw("ubj")), missing)
    names = booster.feature_names
    objective = ensemble.objective
    kind = (
        "log_odds"
        if objective in {"binary:logistic", "reg:logistic", "binary:logitraw"} or objective.startswith("multi:")
        else "raw"
    )
    output_names = None
    if ensemble.n_outputs > 1:
        classes = getattr(model, "classes_", None)
        output_names = (
            [str(c) for c in classes]
            if classes is not None and len(classes) == ensemble.n_outputs
            else [f"output {k}" for k in range(ensemble.n_outputs)]
        )

    def native(X: Any) -> np.ndarray:
        data = xgboost.DMatrix(X, enable_categorical=True, missing=missing)
        return np.asarray(booster.predict(data, output_margin=True), dtype=np.float64).reshape(data.num_row(), -1)

    return TreeModel(ensemble, None if names is None else list(names), output_names, kind, native)


def _best_iteration(model: Any) -> int | None:
    """The XGBoost wrapper's best iteration after early stopping, else None."""
    try:
        best = model.best_iteration
    except (AttributeError, ValueError, TypeError):
        return None
    try:
        return None if best is None else int(best)
    except (TypeError, ValueError):
        return None


def _missing_of(model: Any) -> float:
    """The XGBoost wrapper's ``missing`` sentinel as a float (NaN when none)."""
    missing = getattr(model, "missing", np.nan)
    if missing is None:
        return float("nan")
    try:
        return float(missing)
    except (TypeError, ValueError):
        raise UnsupportedModelError(f"model: missing={missing!r} is not a number") from None


def _from_lightgbm(model: Any, iteration_range: tuple[int, int] | None = None) -> TreeModel:
    import lightgbm

    booster = model
    if not isinstance(model, lightgbm.Booster) and hasattr(type(model), "booster_"):  # a scikit-learn wrapper
        try:
            booster = model.booster_
        except Exception as error:  # the wrapper's NotFittedError
            raise UnsupportedModelError(f"model: {type(model).__name__} is not fitted") from error
    if not isinstance(booster, lightgbm.Booster):
        raise UnsupportedTreeModelError(f"model: {type(model).__name__} is not a LightGBM booster")
    # Without a range, LightGBM's own defaults (its best iteration when it has one).
    start_iteration: int = 0
    num_iteration: int | None = None
    if iteration_range is not None:
        begin, end = _iterations(iteration_range, booster.current_iteration())
        start_iteration, num_iteration = begin, end - begin
    ensemble = _core_explain.load_lightgbm_text(
        booster.model_to_string(num_iteration=num_iteration, start_iteration=start_iteration)
    )
    objective = ensemble.objective
    kind = "log_odds" if objective in {"binary", "multiclass", "multiclassova", "cross_entropy"} else "raw"
    output_names = None
    if ensemble.n_outputs > 1:
        classes = getattr(model, "classes_", None)
        output_names = (
            [str(c) for c in classes]
            if classes is not None and len(classes) == ensemble.n_outputs
            else [f"output {k}" for k in range(ensemble.n_outputs)]
        )
    training_categories = getattr(booster, "pandas_categorical", None)

    def prepare(X: Any) -> Any:
        # LightGBM maps pandas categories to its training categories' codes; do the same.
        if not training_categories or type(X).__module__.split(".")[0] != "pandas" or not hasattr(X, "columns"):
            return X
        categorical = [c for c in X.columns if str(X[c].dtype) == "category"]
        if len(categorical) != len(training_categories):
            return X
        X = X.copy()
        for column, categories in zip(categorical, training_categories):
            X[column] = X[column].cat.set_categories(categories)
        return X

    def native(X: Any) -> np.ndarray:
        scores = booster.predict(X, start_iteration=start_iteration, num_iteration=num_iteration, raw_score=True)
        return np.asarray(scores, dtype=np.float64).reshape(len(X), -1)

    return TreeModel(ensemble, list(booster.feature_name()), output_names, kind, native, prepare)
