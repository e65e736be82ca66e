"""TreeExplainer: exact SHAP values of tree ensembles, computed in assay's core.

``TreeExplainer(model, data=None, feature_perturbation="auto", model_output="raw")``
follows shap's constructor. Path-dependent values (no background) use the
quadrature algorithm in float64; interventional values (with a background ``data``,
optionally weighted) tabulate each leaf's background by row pattern, so their cost
grows with rows + background (deep trees fall back to walking every pair). See docs/explain.md for
the definitions and every difference from shap.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._core import explain as _core_explain
from .._frame import Frame, as_frame
from .._progress import progress_callback
from .._util import n_jobs_arg, require_fits
from ..errors import AssayError, InvalidInputError, InvalidTypeError, UnsupportedModelError
from ..typing import ArrayLike, NJobs, Progress, TableLike
from ._explanation import Explanation
from ._models import TreeModel, tree_model
from ._shap_compat import (
    Independent,
    _background_of,
    _load_explainer,
    _names_arg,
    _one_row_table,
    _rows_of,
    _save_explainer,
)

__all__ = ["TreeExplainer"]

_PERTURBATIONS = ("auto", "tree_path_dependent", "interventional")
_OUTPUTS = ("raw", "probability", "log_loss")
# Objectives (XGBoost, LightGBM) whose loss is the squared error, for model_output="log_loss".
_SQUARED_ERROR_OBJECTIVES = {
    "reg:squarederror",
    "reg:linear",
    "regression",
    "regression_l2",
    "l2",
    "mse",
    "mean_squared_error",
}
_SMALL_ARRAY_ROWS = 64  # the lean path takes arrays up to this many rows (they need no progress bar)
_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_PATH_ALGORITHMS = ("quadrature", "treeshap")
_INTERVENTIONAL_ALGORITHMS = ("patterns", "pairwise")


class TreeExplainer:
    """Explains tree ensembles (scikit-learn, XGBoost, LightGBM) with exact SHAP values.

    Path-dependent values (no background) use the quadrature algorithm in float64;
    interventional values (with a background ``data``, optionally weighted) tabulate each
    leaf's background by row pattern, so their cost grows with rows + background. See the
    guide (docs/explain.md) for the definitions and every difference from shap.

    Parameters
    ----------
    model : fitted tree model
        A fitted tree model: scikit-learn trees, forests, gradient boosting and histogram
        gradient boosting; XGBoost and LightGBM boosters or their scikit-learn wrappers.
    data : TableLike, optional
        Background rows for ``feature_perturbation="interventional"`` (any table the
        input layer reads).
    feature_perturbation : {"auto", "tree_path_dependent", "interventional"}, default "auto"
        ``"tree_path_dependent"``: features outside a coalition are averaged by the
        trees' training covers (no background). ``"interventional"``: they take the
        background rows' values. ``"auto"`` (default): interventional when ``data`` is
        given, else path-dependent (as shap).
    model_output : {"raw", "probability", "log_loss"}, default "raw"
        ``"raw"`` (default): the model's margin (log-odds for boosted classifiers,
        class fractions for forests). ``"probability"``: for log-odds models, the
        logistic of each output with shap's per-reference rescaling (interventional
        only); for forests the raw output already is a probability. ``"log_loss"``
        (interventional, one output): the row's loss against its label ``y`` (passed to
        ``shap_values``), log(1 + e^m) - y m for logistic models and (m - y)^2 for
        squared-error regressors, with shap's per-reference rescaling; then
        ``expected_value`` is a function of the labels.
    n_jobs : NJobs, optional
        Threads (None or -1: all cores). Results do not depend on it.
    data_weights : ArrayLike, optional
        Non-negative weights of the background rows.
    algorithm : str, default "auto"
        ``"auto"`` (default) picks the fastest exact algorithm. Path-dependent:
        ``"quadrature"`` or ``"treeshap"`` (the classic recursion, as a reference).
        Interventional: ``"patterns"`` (cost grows with rows + background; trees with
        more than 16 distinct features on a path, or tables over 256 MiB, are still
        walked pairwise) or ``"pairwise"`` (every row with every background row);
        ``"auto"`` chooses per tree by a cost estimate.
    progress : Progress, optional
        True, False, None (a bar after two seconds of work) or a callable
        ``callback(done, total)``; Ctrl-C stops the work.
    iteration_range : tuple of int, optional
        ``(begin, end)``: explain only the boosting iterations [begin, end) of an XGBoost
        or LightGBM model (XGBoost's ``iteration_range``; ``(0, 0)`` or None: all).

    Raises
    ------
    UnsupportedModelError
        A model assay cannot read (also a ``TypeError``: ``UnsupportedTreeModelError``), or
        an unfitted one, or ``model_output="log_loss"`` with a loss assay does not know.
    InvalidInputError
        An unknown option value, a combination shap does not allow either (a background
        with path-dependent values, ``"probability"`` or ``"log_loss"`` without one), or
        bad ``data_weights``.
    InvalidTypeError
        A background column that is neither numeric nor a categorical.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import GradientBoostingRegressor
    >>> from assay.explain import TreeExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> model = GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0)
    >>> model = model.fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
    >>> explainer = TreeExplainer(model)
    >>> explanation = explainer(X[:2])
    >>> explanation.values.round(3)
    array([[0.06 , 0.149, 0.106],
           [0.034, 0.568, 0.106]])
    >>> bool(np.allclose(explanation.base_values + explanation.values.sum(axis=1), model.predict(X[:2])))
    True
    """

    def __init__(
        self,
        model: Any,
        data: TableLike | None = None,
        feature_perturbation: str = "auto",
        model_output: str = "raw",
        n_jobs: NJobs = None,
        *,
        data_weights: ArrayLike | None = None,
        algorithm: str = "auto",
        progress: Progress = None,
        iteration_range: tuple[int, int] | None = None,
        feature_names: Sequence[str] | None = None,
        link: Any = None,
        linearize_link: Any = None,
    ) -> None:
        if link is not None or linearize_link is not None:
            # shap accepts and ignores them (shap/shap#3513); model_output chooses the output here.
            warnings.warn(
                "TreeExplainer: link and linearize_link have no effect (as in shap); use model_output",
                UserWarning,
                stacklevel=2,
            )
        self._init_args: dict[str, Any] = {
            "feature_perturbation": feature_perturbation,
            "model_output": model_output,
            "n_jobs": n_jobs,
            "data_weights": data_weights,
            "algorithm": algorithm,
            "iteration_range": iteration_range,
            "feature_names": feature_names,
        }
        data, data_weights = _background_of(data, data_weights)
        self.masker = None if data is None else Independent(data, max_samples=None)
        if feature_perturbation == "interventional" and data is None:
            warnings.warn(
                "feature_perturbation='interventional' needs background data; without it the values are "
                "path-dependent (feature_perturbation='tree_path_dependent'), as shap does",
                UserWarning,
                stacklevel=2,
            )
            feature_perturbation = "tree_path_dependent"
        self._predict_proba_pair = False
        if model_output == "predict_proba":
            # shap's name for "the output of model.predict_proba": class probabilities.
            model_output = "probability"
            self._predict_proba_pair = True
        if feature_perturbation not in _PERTURBATIONS:
            raise InvalidInputError(
                f"feature_perturbation must be one of {_PERTURBATIONS}, got {feature_perturbation!r}"
            )
        if model_output not in _OUTPUTS:
            raise InvalidInputError(f"model_output must be one of {_OUTPUTS}, got {model_output!r}")
        self.tree_model: TreeModel = tree_model(model, iteration_range)
        if feature_names is not None:
            names = _names_arg(feature_names, self.tree_model.n_features)
            self.tree_model = dataclasses.replace(self.tree_model, feature_names=names)
        self.model = model
        self.n_jobs = n_jobs_arg(n_jobs)
        self.algorithm = algorithm
        self.progress = progress
        if feature_perturbation == "auto":
            feature_perturbation = "interventional" if data is not None else "tree_path_dependent"
        self.feature_perturbation = feature_perturbation
        allowed = _INTERVENTIONAL_ALGORITHMS if feature_perturbation == "interventional" else _PATH_ALGORITHMS
        if algorithm != "auto" and algorithm not in allowed:
            raise InvalidInputError(
                f"algorithm must be 'auto' or one of {allowed} with feature_perturbation={feature_perturbation!r}, "
                f"got {algorithm!r}"
            )
        if feature_perturbation == "tree_path_dependent" and data is not None:
            raise InvalidInputError(
                "data: a background is only used with feature_perturbation='interventional' (path-dependent values "
                "use the trees' training covers)"
            )
        if feature_perturbation == "interventional" and data is None:
            raise InvalidInputError("data: feature_perturbation='interventional' needs background rows")
        self.model_output = model_output
        self._transform = _core_explain.OutputTransform.identity
        if model_output == "probability" and self.tree_model.output_kind == "log_odds":
            if feature_perturbation != "interventional":
                raise InvalidInputError(
                    "model_output='probability' needs feature_perturbation='interventional' and background data "
                    "(as in shap): path-dependent values explain the raw margin"
                )
            self._transform = _core_explain.OutputTransform.logistic
        elif model_output == "probability" and self.tree_model.output_kind != "probability":
            if self._predict_proba_pair and self.tree_model.output_kind == "raw":
                raise InvalidInputError("model_output='predict_proba': this model has no class probabilities")
            raise InvalidInputError(
                f"model_output='probability': this model's raw output is not log-odds ({self.tree_model.output_kind})"
            )
        elif model_output == "log_loss":
            if feature_perturbation != "interventional":
                raise InvalidInputError(
                    "model_output='log_loss' needs feature_perturbation='interventional' "
                    "and background data (as in shap)"
                )
            self._transform = _loss_of(self.tree_model, model)
        self._data: Frame | None = None
        self.data_weights: np.ndarray | None = None
        if data is not None:
            self._data = self._frame(data, "data")
            weights = np.empty(0) if data_weights is None else _float_array(data_weights, "data_weights")
            if data_weights is not None and weights.shape != (self._data.n_rows,):
                raise InvalidInputError(
                    f"data_weights: expected {self._data.n_rows} weights, got shape {weights.shape}"
                )
            self.data_weights = weights
            expected = (
                np.empty(0)
                if self.model_output == "log_loss"
                else _core_explain.interventional_expected_value(
                    self.tree_model.ensemble, self._data.core_columns(), np.ascontiguousarray(weights), self._transform
                )
            )
        else:
            if data_weights is not None:
                raise InvalidInputError("data_weights: given without data")
            expected = _core_explain.tree_expected_value(self.tree_model.ensemble)
        self._expected = np.asarray(expected, dtype=np.float64)
        # predict_proba of a binary log-odds model has two columns: 1 - p and p.
        self._predict_proba_pair = (
            self._predict_proba_pair
            and self._transform == _core_explain.OutputTransform.logistic
            and self.tree_model.n_outputs == 1
        )
        if self._predict_proba_pair:
            self._expected = np.array([1.0 - self._expected[0], self._expected[0]])

    # -- public API (shap's names) --------------------------------------------------

    @property
    def expected_value(self) -> Any:
        """The output every explanation starts from.

        Returns
        -------
        float, numpy.ndarray or callable
            A float for one output, else one value per output. With
            ``model_output="log_loss"``, a function of the labels ``y`` returning each
            row's expected loss over the background (as in shap).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.ensemble import GradientBoostingRegressor
        >>> from assay.explain import TreeExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 3))
        >>> model = GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0)
        >>> model = model.fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = TreeExplainer(model)
        >>> round(explainer.expected_value, 3)
        -0.189
        """
        if self.model_output == "log_loss":
            return self._expected_loss
        return float(self._expected[0]) if len(self._expected) == 1 else self._expected.copy()

    # -- shap's persistence -----------------------------------------------------------

    def save(self, out_file: Any, model_saver: Any = ".save", masker_saver: Any = ".save") -> None:
        """Writes the explainer to an open binary file (shap's ``Explainer.save``).

        The model and the background are pickled; ``model_saver=False`` leaves the model
        out (then ``load`` needs a ``model_loader``), a callable ``model_saver(model, file)``
        writes it its own way, and ``masker_saver`` does the same for the background.

        Parameters
        ----------
        out_file : binary file
            An open file (``open(path, "wb")``, ``tempfile.TemporaryFile()``).
        model_saver : ".save", callable or False, default ".save"
            How to write the model: pickled (".save"), by the callable, or not at all.
        masker_saver : ".save", callable or False, default ".save"
            How to write the background rows, alike.
        """
        _save_explainer(self, out_file, model_saver, masker_saver, self._init_args)

    @classmethod
    def load(cls, in_file: Any, model_loader: Any = ".load", masker_loader: Any = ".load") -> TreeExplainer:
        """Reads an explainer that [`save`][assay.explain.TreeExplainer.save] wrote (shap's ``Explainer.load``).

        Parameters
        ----------
        in_file : binary file
            The open file ``save`` wrote to.
        model_loader : ".load" or callable, default ".load"
            ``model_loader(file)`` returns the model when it was saved by a callable or left out.
        masker_loader : ".load" or callable, default ".load"
            The same for the background rows.

        Returns
        -------
        TreeExplainer
            An explainer with the same model, background and options.

        Raises
        ------
        InvalidInputError
            A file that ``save`` did not write, or a model left out without a ``model_loader``.
        """
        return _load_explainer(cls, in_file, model_loader, masker_loader)

    def _expected_loss(self, y: Any) -> np.ndarray:
        background, weights = self._background()
        return np.asarray(
            _core_explain.interventional_expected_value(
                self.tree_model.ensemble, background, weights, self._transform, _labels(y, None)
            ),
            dtype=np.float64,
        )

    def _background(self) -> tuple[list[tuple], np.ndarray]:
        """The background's columns and weights for the core (interventional explainers only)."""
        # Both are set in __init__ whenever feature_perturbation is "interventional".
        assert self._data is not None and self.data_weights is not None
        return self._data.core_columns(), np.ascontiguousarray(self.data_weights)

    @property
    def data(self) -> np.ndarray | None:
        """The background rows as a float array (categories as their codes), None without one (as shap).

        Returns
        -------
        numpy.ndarray or None
            (n_background, n_features).
        """
        return None if self._data is None else _float_matrix(self._data)

    @property
    def feature_names(self) -> list[str]:
        """The model's feature names (``x0``, ``x1``, ... when it has none).

        Returns
        -------
        list of str
            One name per feature, in the model's order.
        """
        names = self.tree_model.feature_names
        return list(names) if names is not None else [f"x{j}" for j in range(self.tree_model.n_features)]

    def shap_values(
        self,
        X: TableLike,
        y: ArrayLike | None = None,
        tree_limit: int | None = None,
        approximate: bool = False,
        check_additivity: bool = True,
        from_call: bool = False,
    ) -> np.ndarray:
        """The SHAP values of the rows of X.

        Parameters
        ----------
        X : TableLike
            The rows to explain: any table the input layer reads, matched to the model's
            features by name when it has them (pandas and Arrow categoricals with the
            training categories included); one row may be a 1-D array.
        y : ArrayLike, optional
            The rows' labels, with ``model_output="log_loss"`` only.
        tree_limit : int, optional
            Explain only the first ``tree_limit`` boosting iterations of an XGBoost or
            LightGBM model (shap's name for ``iteration_range=(0, tree_limit)``); None or
            -1: all.
        approximate : bool, default False
            Saabas values instead of SHAP values (path-dependent only): along the row's
            path each split credits its feature with the change of the subtree's mean
            output. Additive and fast, but not Shapley values (as shap's ``approximate``).
        check_additivity : bool, default True
            Check that ``expected_value`` plus the values' sum equals the model library's
            own prediction (raw output; as shap, to 1e-2), and raise otherwise.
        from_call : bool, default False
            Accepted for shap's signature; it changes nothing.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, n_features), or (n_rows, n_features, n_outputs) for several
            outputs; (n_features, ...) for one row given as a 1-D array or a pandas Series.

        Raises
        ------
        InvalidInputError
            No rows, other columns than the model's features, or (``log_loss``) labels
            that are missing, not finite or of another length.
        InvalidTypeError
            A column that is neither numeric nor a categorical.
        ResourceLimitError
            The values cannot fit in memory.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.ensemble import GradientBoostingRegressor
        >>> from assay.explain import TreeExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 3))
        >>> model = GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0)
        >>> model = model.fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = TreeExplainer(model)
        >>> explainer.shap_values(X[0]).round(3)
        array([0.06 , 0.149, 0.106])
        """
        if tree_limit is not None and tree_limit != -1:
            return self._limited(tree_limit).shap_values(X, y, None, approximate, check_additivity)
        X = _rows_of(X)
        if _is_one_row(X):  # one row as a 1-D array or a Series: its values as a 1-D array (as in shap)
            return self.shap_values(_one_row_table(X), y, None, approximate, check_additivity)[0]
        if approximate:
            return self._saabas(X, check_additivity)
        values = self._shap_values(X, y)
        if check_additivity:
            self._check_additivity(X, values)
        return values

    def _shap_values(self, X: Any, y: Any) -> np.ndarray:
        if self.model_output == "log_loss" or y is not None:
            return self._values(self._frame(X, "X"), y)[..., 0]
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and 0 < X.shape[0] <= _SMALL_ARRAY_ROWS
            and X.dtype in _FLOAT_DTYPES
            and X.shape[1] == self.tree_model.n_features
            and self.feature_perturbation == "tree_path_dependent"
        ):
            # A few rows of a float array (online serving): straight to the core, which
            # copies them into float64 columns; same values as through the input layer.
            values = _core_explain.tree_shap_values_matrix(
                self.tree_model.ensemble, X, self._path_algorithm(), self.n_jobs
            )
        else:
            values = self._values(self._frame(X, "X"))
        return self._outputs(values)

    def _outputs(self, values: np.ndarray) -> np.ndarray:
        """The core's (rows, features, outputs) values as shap lays them out."""
        if self._predict_proba_pair:  # predict_proba of a binary model: 1 - p and p
            return np.concatenate([-values, values], axis=-1)
        return values[..., 0] if values.shape[-1] == 1 else values

    def _saabas(self, X: Any, check_additivity: bool) -> np.ndarray:
        if self.feature_perturbation != "tree_path_dependent":
            raise InvalidInputError("approximate=True: Saabas values are path-dependent; give no background data")
        frame = self._frame(X, "X")
        _check_output_size(frame.n_rows, self.tree_model.n_features * self.tree_model.n_outputs, "shap_values")
        values = _core_explain.tree_shap_values(
            self.tree_model.ensemble,
            frame.core_columns(),
            _core_explain.ShapAlgorithm.saabas,
            self.n_jobs,
            progress_callback(self.progress, "Saabas values"),
        )
        values = self._outputs(values)
        if check_additivity:
            self._check_additivity(frame, values)
        return values

    def _limited(self, tree_limit: Any) -> TreeExplainer:
        """The same explainer on the first ``tree_limit`` boosting iterations."""
        if isinstance(tree_limit, (bool, np.bool_)) or not isinstance(tree_limit, (int, np.integer)) or tree_limit < 1:
            raise InvalidInputError(f"tree_limit must be a positive integer, -1 or None, got {tree_limit!r}")
        limited = copy.copy(self)
        limited.tree_model = tree_model(self.model, (0, int(tree_limit)))
        if self.tree_model.feature_names != limited.tree_model.feature_names:
            limited.tree_model = dataclasses.replace(limited.tree_model, feature_names=self.tree_model.feature_names)
        return limited

    def _check_additivity(self, X: Any, values: np.ndarray) -> None:
        """Raises when expected_value + sum(values) differs from the trees' prediction of the rows
        (shap's check and tolerance, against the core's own prediction as shap checks against its
        own); only for the raw output."""
        if self._transform != _core_explain.OutputTransform.identity or self._predict_proba_pair:
            return
        frame = X if isinstance(X, Frame) else self._frame(X, "X")
        predicted = _core_explain.tree_predict(self.tree_model.ensemble, frame.core_columns(), self.n_jobs)
        total = np.asarray(values, dtype=np.float64).reshape(frame.n_rows, self.tree_model.n_features, -1)
        with np.errstate(over="ignore", invalid="ignore"):
            total = total.sum(axis=1) + self._expected
            finite = np.isfinite(predicted) & np.isfinite(total)
            if not np.allclose(total[finite], predicted[finite], rtol=1e-2, atol=1e-2):
                raise AssayError(
                    "check_additivity: expected_value + the SHAP values' sum differs from the trees' prediction by up "
                    f"to {np.max(np.abs(total - predicted)[finite]):.3g}; please report it (check_additivity=False "
                    "skips the check)"
                )

    def shap_interaction_values(
        self, X: TableLike, y: ArrayLike | None = None, tree_limit: int | None = None
    ) -> np.ndarray:
        """SHAP interaction values of the rows of X: the rows of each matrix sum to the SHAP values.

        Parameters
        ----------
        X : TableLike
            The rows to explain: any table the input layer reads, matched to the model's
            features by name when it has them (pandas and Arrow categoricals with the
            training categories included); one row may be a 1-D array.
        y : ArrayLike, optional
            Accepted for shap's signature: interaction values explain the raw output,
            which has no labels; must be None.
        tree_limit : int, optional
            Explain only the first ``tree_limit`` boosting iterations (see ``shap_values``).

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, n_features, n_features), with a last axis of outputs for several.

        Raises
        ------
        InvalidInputError
            ``model_output`` other than ``"raw"``, no rows, or other columns than the
            model's features.
        InvalidTypeError
            A column that is neither numeric nor a categorical.
        ResourceLimitError
            The values cannot fit in memory.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.ensemble import GradientBoostingRegressor
        >>> from assay.explain import TreeExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 3))
        >>> model = GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0)
        >>> model = model.fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = TreeExplainer(model)
        >>> interactions = explainer.shap_interaction_values(X[:1])
        >>> interactions.shape, interactions.sum(axis=2).round(3)
        ((1, 3, 3), array([[0.06 , 0.149, 0.106]]))
        """
        if self._transform != _core_explain.OutputTransform.identity:
            raise InvalidInputError("shap_interaction_values: only model_output='raw' has interaction values")
        if y is not None:
            raise InvalidInputError("y: interaction values explain the raw output, which uses no labels")
        if tree_limit is not None and tree_limit != -1:
            return self._limited(tree_limit).shap_interaction_values(X)
        X = _rows_of(X)
        if _is_one_row(X):
            return self.shap_interaction_values(_one_row_table(X))[0]
        frame = self._frame(X, "X")
        model = self.tree_model
        per_row = model.n_features * model.n_features * model.n_outputs
        _check_output_size(frame.n_rows, per_row, "shap_interaction_values")
        callback = progress_callback(self.progress, "SHAP interaction values")
        if self.feature_perturbation == "interventional":
            background, weights = self._background()
            values = _core_explain.interventional_interaction_values(
                self.tree_model.ensemble,
                frame.core_columns(),
                background,
                weights,
                self.n_jobs,
                callback,
                _core_explain.InterventionalAlgorithm[self.algorithm],
            )
        else:
            values = _core_explain.tree_shap_interaction_values(
                self.tree_model.ensemble, frame.core_columns(), self.n_jobs, callback
            )
        return values[..., 0] if values.shape[-1] == 1 else values

    def __call__(
        self,
        X: TableLike,
        y: ArrayLike | None = None,
        interactions: bool = False,
        check_additivity: bool = True,
        approximate: bool = False,
        silent: bool = False,
    ) -> Explanation:
        """An [`Explanation`][assay.explain.Explanation] of the rows of X.

        Parameters
        ----------
        X : TableLike
            The rows to explain: any table the input layer reads, matched to the model's
            features by name when it has them (pandas and Arrow categoricals with the
            training categories included); one row may be a 1-D array.
        y : ArrayLike, optional
            The rows' labels, with ``model_output="log_loss"`` only.
        interactions : bool, default False
            Explain with interaction values instead of SHAP values.
        check_additivity : bool, default True
            As in ``shap_values``.
        approximate : bool, default False
            Saabas values instead of SHAP values (see ``shap_values``).
        silent : bool, default False
            No progress bar (``progress=False`` for this call).

        Returns
        -------
        Explanation
            The values, ``expected_value`` as base value of every row, the rows as float
            data (categories as their codes, NaN for missing), feature and output names.

        Raises
        ------
        InvalidInputError
            No rows, other columns than the model's features, or (``log_loss``) labels
            that are missing, not finite or of another length.
        InvalidTypeError
            A column that is neither numeric nor a categorical.
        ResourceLimitError
            The values cannot fit in memory.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.ensemble import GradientBoostingRegressor
        >>> from assay.explain import TreeExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 3))
        >>> model = GradientBoostingRegressor(n_estimators=20, max_depth=2, random_state=0)
        >>> model = model.fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = TreeExplainer(model)
        >>> explainer(X[:2]).to_frame().round(3)
           base_value     x0     x1     x2
        0      -0.189  0.060  0.149  0.106
        1      -0.189  0.034  0.568  0.106
        """
        if interactions and approximate:
            raise InvalidInputError("approximate=True: Saabas values have no interaction values")
        X = _rows_of(X)
        if _is_one_row(X):  # one row: the explanation of that row (values without a row axis), as shap
            row = self(_one_row_table(X), y, interactions, check_additivity, approximate, silent)[0]
            base: Any = row.base_values
            row.base_values = np.atleast_1d(base)[:1] if np.ndim(base) == 0 else base
            return row
        frame = self._frame(X, "X")
        progress, self.progress = self.progress, False if silent else self.progress
        try:
            values = (
                self.shap_interaction_values(frame)
                if interactions
                else self.shap_values(frame, y, approximate=approximate, check_additivity=check_additivity)
            )
        finally:
            self.progress = progress
        if self.model_output == "log_loss":
            base = self._expected_loss(y)
        elif len(self._expected) == 1:
            base = np.full(frame.n_rows, self._expected[0])
        else:
            base = np.tile(self._expected, (frame.n_rows, 1))
        output_names = self.tree_model.output_names
        if self._predict_proba_pair:
            classes = getattr(self.model, "classes_", None)
            output_names = [str(c) for c in classes] if classes is not None and len(classes) == 2 else None
        explanation = Explanation(values, base, _float_matrix(frame), frame.names, output_names)
        if interactions:
            explanation._axes = ("rows", "features", "features", *(("outputs",) if values.ndim == 4 else ()))
        return explanation

    # -- internals --------------------------------------------------------------------

    def _values(self, frame: Frame, y: Any = None) -> np.ndarray:
        if y is not None and self.model_output != "log_loss":
            raise InvalidInputError("y: labels are only used with model_output='log_loss'")
        _check_output_size(frame.n_rows, self.tree_model.n_features * self.tree_model.n_outputs, "shap_values")
        callback = progress_callback(self.progress, "SHAP values")
        if self.feature_perturbation == "interventional":
            labels = _labels(y, frame.n_rows) if self.model_output == "log_loss" else np.empty(0)
            background, weights = self._background()
            return _core_explain.interventional_shap_values(
                self.tree_model.ensemble,
                frame.core_columns(),
                background,
                weights,
                self._transform,
                self.n_jobs,
                callback,
                _core_explain.InterventionalAlgorithm[self.algorithm],
                labels,
            )
        return _core_explain.tree_shap_values(
            self.tree_model.ensemble, frame.core_columns(), self._path_algorithm(), self.n_jobs, callback
        )

    def _path_algorithm(self) -> _core_explain.ShapAlgorithm:
        return _core_explain.ShapAlgorithm["quadrature" if self.algorithm == "auto" else self.algorithm]

    def _frame(self, X: Any, argument: str) -> Frame:
        """X as a frame whose columns are the model's features, in the model's order."""
        if isinstance(X, Frame):
            return X
        model = self.tree_model
        X = model.prepare(X)
        names = model.feature_names
        is_array = isinstance(X, (np.ndarray, list, tuple))
        if is_array:
            X = _as_rows(X, argument, model.n_features)
        try:
            frame = as_frame(
                X,
                argument=argument,
                feature_names=names if is_array and names is not None and len(names) == _n_columns(X) else None,
            )
        except AssayError:
            raise
        except TypeError as error:  # an unsupported dtype (complex, ...)
            message = str(error)
            raise InvalidTypeError(message if message.startswith(argument) else f"{argument}: {message}") from None
        except ValueError as error:
            message = str(error)
            raise InvalidInputError(message if message.startswith(argument) else f"{argument}: {message}") from None
        if frame.n_rows == 0:
            raise InvalidInputError(f"{argument}: no rows to explain")
        if not is_array and names is not None and frame.names != list(names) and set(names) <= set(frame.names):
            frame = frame.select(names)  # tables are matched to the model's features by name
        if len(frame.columns) != model.n_features:
            raise InvalidInputError(
                f"{argument} has {len(frame.columns)} columns but the model uses {model.n_features} features"
            )
        for column in frame.columns:
            if column.labels is not None and column.source_dtype != "category":
                raise InvalidTypeError(
                    f"{argument}: column '{column.name}' holds {column.source_dtype} values; tree models need numbers "
                    "or a pandas/Arrow categorical with the training categories"
                )
        return frame


def _loss_of(tree_model: TreeModel, model: Any) -> _core_explain.OutputTransform:
    """The core's loss transform for model_output='log_loss' (shap's choice per objective)."""
    if tree_model.n_outputs != 1:
        raise InvalidInputError(
            "model_output='log_loss': only single-output models (regression, binary classification)"
        )
    if tree_model.output_kind == "log_odds":
        return _core_explain.OutputTransform.logistic_log_loss
    sklearn_loss = getattr(model, "loss", getattr(model, "criterion", None))
    if tree_model.output_kind == "raw" and (
        tree_model.ensemble.objective in _SQUARED_ERROR_OBJECTIVES
        or (tree_model.ensemble.source == "sklearn" and sklearn_loss == "squared_error")
    ):
        return _core_explain.OutputTransform.squared_loss
    raise UnsupportedModelError(
        "model_output='log_loss': the loss is known for logistic classifiers and squared-error regressors, not for "
        f"this model (objective {tree_model.ensemble.objective or sklearn_loss!r})"
    )


def _labels(y: Any, n_rows: int | None) -> np.ndarray:
    if y is None:
        raise InvalidInputError("y: model_output='log_loss' needs the labels of the rows explained")
    labels = np.ascontiguousarray(_float_array(y, "y").reshape(-1))
    if n_rows is not None and len(labels) != n_rows:
        raise InvalidInputError(f"y: {len(labels)} labels for {n_rows} rows")
    if not np.isfinite(labels).all():
        raise InvalidInputError("y: labels must be finite")
    return labels


def _check_output_size(n_rows: int, per_row: int, what: str) -> None:
    """ResourceLimitError, before allocating, when the float64 output cannot fit."""
    require_fits(
        "X",
        8 * n_rows * per_row,
        f"{what} of {n_rows} rows ({per_row} float64 values per row)",
        "explain fewer rows at a time",
    )


def _as_rows(X: Any, argument: str, n_features: int) -> Any:
    """An array-like as rows: a 1-D array of n_features values is one row (as in shap);
    0-D and 3-D or higher arrays are an InvalidInputError naming the argument."""
    try:
        array = np.asarray(X)
    except (TypeError, ValueError) as error:  # ragged lists
        raise InvalidInputError(f"{argument}: not a table of rows ({error})") from None
    if array.ndim == 1:
        if len(array) != n_features:
            raise InvalidInputError(
                f"{argument}: a 1-D array is one row, and this one has {len(array)} values but the model uses "
                f"{n_features} features"
            )
        return array.reshape(1, -1)
    if array.ndim != 2:
        raise InvalidInputError(
            f"{argument}: expected a 2-D table (rows x features), got an array of {array.ndim} dimensions"
        )
    return X


def _float_array(values: Any, argument: str) -> np.ndarray:
    """values as a float64 array, or InvalidTypeError naming the argument."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument}: expected numbers, got an array of dtype {array.dtype}")
    return array.astype(np.float64)


def _is_one_row(X: Any) -> bool:
    return (isinstance(X, np.ndarray) and X.ndim == 1) or type(X).__name__ == "Series"


def _float_matrix(frame: Frame) -> np.ndarray:
    """A frame's rows as float64 (categories as their codes, NaN for missing)."""
    if not frame.columns:
        return np.empty((frame.n_rows, 0))
    return np.column_stack([_as_float(c) for c in frame.columns])


def _n_columns(X: Any) -> int:
    shape = np.shape(X)
    return shape[1] if len(shape) == 2 else 1


def _as_float(column: Any) -> np.ndarray:
    if column.labels is None:
        return column.values
    return np.where(column.values < 0, np.nan, column.values.astype(np.float64))
