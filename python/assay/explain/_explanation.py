"""The result of every explainer: attributions with their base values and data.

The fields follow ``shap.Explanation`` so that switching is an import change and
``to_shap()`` hands the same arrays to shap's plots. Shapes:

* ``values``: (n_rows, n_features) for one output, (n_rows, n_features, n_outputs)
  for several; interaction values add a feature axis after the first.
* ``base_values``: (n_rows,) or (n_rows, n_outputs): the model output that the
  attributions start from (the explainer's expected value, repeated per row).
* ``data``: (n_rows, n_features) float64, the explained rows (categorical columns as
  their codes, NaN for missing).

For every row, ``base_values + values.sum(over features)`` equals the explained
model output (additivity).

``to_json()`` / ``Explanation.from_json()`` write and read every field (arrays as nested
lists with their shapes, NaN as null); ``to_html()`` and the notebook view show the
importance bars, a beeswarm and the top features through ``assay.report``.

Construction checks that the fields agree (numeric values of at least one dimension,
one base value per row, one name per feature, data of the values' shape) and raises
``assay.errors.InvalidInputError`` / ``InvalidTypeError`` otherwise. Indexing follows
numpy (an index out of range is an ``IndexError``); an unknown feature or output name is
a ``KeyError``, as for a mapping.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .. import report
from .._results import Exportable
from .._util import json_safe
from ..errors import InvalidInputError, InvalidTypeError, MissingDependencyError
from ..typing import ArrayLike
from ..warnings import DegenerateInputWarning
from ._report import explanation_sections

__all__ = ["Cohorts", "Explanation"]

# shap's fields that assay keeps as given (None when absent).
_SHAP_FIELDS = (
    "display_data",
    "instance_names",
    "output_indexes",
    "lower_bounds",
    "upper_bounds",
    "error_std",
    "main_effects",
    "hierarchical_values",
    "clustering",
    "compute_time",
)


class Explanation(Exportable):
    """Attributions of a model's outputs to the features of some rows; what every explainer returns.

    The fields follow ``shap.Explanation``, so ``to_shap()`` hands the same arrays to
    shap's plots. For every row, ``base_values + values.sum(over features)`` equals the
    explained model output (additivity). Indexing follows numpy (rows, then features,
    then outputs); a feature or output may also be given by name. ``to_json()`` and
    ``Explanation.from_json()`` write and read every field; ``to_html()`` gives a
    standalone page (importance bars, a beeswarm, the top features), which a notebook shows
    too.

    Parameters
    ----------
    values : ArrayLike
        The attributions: (n_rows, n_features) for one output, (n_rows, n_features,
        n_outputs) for several; interaction values add a feature axis after the first.
    base_values : ArrayLike, optional
        The model output the attributions start from, per row: (n_rows,) or (n_rows,
        n_outputs).
    data : ArrayLike, optional
        The explained rows, (n_rows, n_features) (categorical columns as their codes, NaN
        for missing).
    feature_names : sequence of str, optional
        One name per feature.
    output_names : sequence of str, optional
        One name per output (several outputs only).

    Attributes
    ----------
    standard_errors : numpy.ndarray
        Set by the model-agnostic explainers: a standard error per value, indexed like
        ``values``.
    nsamples : int
        Set by [`KernelExplainer`][assay.explain.KernelExplainer]: the coalition budget used.

    Raises
    ------
    InvalidInputError
        Fields that disagree: values without a dimension, a base value count or data shape
        that does not match the rows, or a name count that does not match the features or
        outputs.
    InvalidTypeError
        Values or base values that are not numbers, or names given as one string.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.explain import Explanation
    >>> explanation = Explanation(
    ...     np.array([[0.5, -0.2], [0.1, 0.3]]), base_values=[1.0, 1.0], data=[[1.0, 2.0], [3.0, 4.0]],
    ...     feature_names=["age", "income"],
    ... )
    >>> explanation.mean_abs()
    array([0.3 , 0.25])
    >>> explanation[:, "income"].values
    array([-0.2,  0.3])
    """

    # Set by the model-agnostic explainers only: a standard error per value (indexed like
    # ``values``) and, for KernelExplainer, the coalition budget used.
    standard_errors: np.ndarray
    nsamples: int
    display_data: Any
    instance_names: Any
    output_indexes: Any
    lower_bounds: Any
    upper_bounds: Any
    error_std: Any
    main_effects: Any
    hierarchical_values: Any
    clustering: Any
    compute_time: float | None
    _axes: tuple[str, ...]

    def __init__(
        self,
        values: ArrayLike,
        base_values: ArrayLike | None = None,
        data: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        output_names: Sequence[str] | None = None,
        *,
        display_data: ArrayLike | None = None,
        instance_names: Sequence[Any] | None = None,
        output_indexes: ArrayLike | None = None,
        lower_bounds: ArrayLike | None = None,
        upper_bounds: ArrayLike | None = None,
        error_std: ArrayLike | None = None,
        main_effects: ArrayLike | None = None,
        hierarchical_values: ArrayLike | None = None,
        clustering: ArrayLike | None = None,
        compute_time: float | None = None,
    ) -> None:
        self.values = _numeric(values, "values")
        if self.values.ndim < 1:
            raise InvalidInputError("values: expected at least one dimension (features)")
        self.base_values = None if base_values is None else _numeric(base_values, "base_values")
        if data is not None and hasattr(data, "columns") and hasattr(data, "to_numpy"):  # a DataFrame, as shap
            if feature_names is None:
                feature_names = [str(c) for c in data.columns]
            data = data.to_numpy()
        elif data is not None and hasattr(data, "to_numpy"):  # a Series
            data = data.to_numpy()
        self.data = None if data is None else np.asarray(data)
        self.feature_names: Any = _names(feature_names, "feature_names")
        self.output_names: Any = _names(output_names, "output_names")
        for name, field in (
            ("display_data", display_data),
            ("instance_names", instance_names),
            ("output_indexes", output_indexes),
            ("lower_bounds", lower_bounds),
            ("upper_bounds", upper_bounds),
            ("error_std", error_std),
            ("main_effects", main_effects),
            ("hierarchical_values", hierarchical_values),
            ("clustering", clustering),
        ):
            setattr(self, name, None if field is None else np.asarray(field))
        self.compute_time = compute_time
        if (
            self.data is not None
            and self.data.shape[: min(2, self.data.ndim)] != self.values.shape[: min(2, self.data.ndim)]
        ):
            raise InvalidInputError(f"data: shape {self.data.shape} does not match values {self.values.shape}")
        n_features = self.values.shape[1] if self.values.ndim >= 2 else self.values.shape[0]
        if self.feature_names is not None and len(self.feature_names) != n_features:
            raise InvalidInputError(f"feature_names: {len(self.feature_names)} names for {n_features} features")
        if self.output_names is not None and self.values.ndim >= 3 and len(self.output_names) != self.values.shape[-1]:
            raise InvalidInputError(f"output_names: {len(self.output_names)} names for {self.values.shape[-1]} outputs")
        if (
            self.base_values is not None
            and self.base_values.ndim >= 1
            and self.values.ndim >= 2
            and self.base_values.shape[0] != self.values.shape[0]
        ):
            raise InvalidInputError(
                f"base_values: shape {self.base_values.shape} does not give one base value per row of values "
                f"{self.values.shape}"
            )
        self._axes = _default_axes(self.values.ndim)

    # -- array-like behaviour ------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``values``.

        Returns
        -------
        tuple of int
            (n_rows, n_features) or (n_rows, n_features, n_outputs).
        """
        return self.values.shape

    def __len__(self) -> int:
        return len(self.values)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The values as a numpy array (``numpy.asarray(explanation)``, as code written for shap expects)."""
        values = np.asarray(self.values, dtype=dtype)
        return values.copy() if copy else values

    def __getitem__(self, item: Any) -> Explanation:
        """Index like the values array (rows, then features, then outputs); the other fields follow.

        As in shap: ``...`` stands for the axes not given (``explanation[..., 0]`` is the
        first output of a multi-output explanation, the first feature otherwise), a string
        is a feature name (or an output name), and picking one feature leaves its name as
        a string in ``feature_names``.

        Parameters
        ----------
        item : index
            A numpy index; the feature position may be a feature name and the output
            position an output name.

        Returns
        -------
        Explanation
            The selected values with their base values, data, names and standard errors.

        Raises
        ------
        KeyError
            An unknown feature or output name.
        IndexError
            An index out of range, or more indices than the values have axes.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.explain import Explanation
        >>> explanation = Explanation(
        ...     np.array([[0.5, -0.2], [0.1, 0.3]]), base_values=[1.0, 1.0], data=[[1.0, 2.0], [3.0, 4.0]],
        ...     feature_names=["age", "income"],
        ... )
        >>> explanation[0].values
        array([ 0.5, -0.2])
        >>> explanation[:, "age"].feature_names
        'age'
        """
        items = list(item) if isinstance(item, tuple) else [item]
        ndim = self.values.ndim
        if any(index is Ellipsis for index in items):
            at = next(i for i, index in enumerate(items) if index is Ellipsis)
            items = items[:at] + [slice(None)] * (ndim - len(items) + 1) + items[at + 1 :]
        if len(items) > ndim:
            raise IndexError(f"too many indices: {len(items)} for values of {ndim} dimensions")
        items += [slice(None)] * (ndim - len(items))
        axes = self._axes
        for position, index in enumerate(items):
            if isinstance(index, str):
                items[position] = self._name_index(index, axes[position])
            elif isinstance(index, (list, tuple)) and index and all(isinstance(i, str) for i in index):
                items[position] = [self._name_index(name, axes[position]) for name in index]
            elif isinstance(index, Explanation):  # shap's dot chains, e.g. explanation.abs.mean(0).argsort[-2]
                items[position] = np.asarray(index.values).item() if np.ndim(index.values) == 0 else index.values
        explanation = Explanation.__new__(Explanation)
        explanation.__dict__.update(self.__dict__)
        explanation.values = np.asarray(self.values[tuple(items)])
        kept = tuple(a for a, index in zip(axes, items) if not _drops_axis(index))
        explanation._axes = kept
        explanation.base_values = self._take(self.base_values, ("rows", "outputs"), items)
        explanation.data = self._take(self.data, ("rows", "features"), items)
        explanation.display_data = self._take(self.display_data, ("rows", "features"), items)
        explanation.instance_names = self._take(self.instance_names, ("rows",), items)
        for name in ("standard_errors", "lower_bounds", "upper_bounds", "error_std", "main_effects"):
            field = getattr(self, name, None)
            if field is not None and np.shape(field) == self.values.shape:
                setattr(explanation, name, np.asarray(field[tuple(items)]))
        explanation.feature_names = _take_names(self.feature_names, _first(axes, items, "features"))
        explanation.output_names = _take_names(self.output_names, _first(axes, items, "outputs"))
        return explanation

    def _name_index(self, name: str, axis: str) -> int:
        """A name's position on an axis: feature names first, then output names (as shap)."""
        features = self.feature_names if isinstance(self.feature_names, list) else None
        outputs = self.output_names if isinstance(self.output_names, list) else None
        if axis == "outputs" and outputs is not None and name in outputs:
            return outputs.index(name)
        if features is not None and name in features:
            return features.index(name)
        if outputs is not None and name in outputs:
            return outputs.index(name)
        if axis == "outputs":
            raise KeyError(f"output {name!r} not in {self.output_names}")
        raise KeyError(f"feature {name!r} not in {self.feature_names}")

    def _feature_index(self, name: str) -> int:
        return self._name_index(name, "features")

    def _take(self, field: Any, roles: tuple[str, ...], items: list) -> Any:
        """A field laid out along some of the values' axes (``roles``, in order), indexed alike."""
        if field is None:
            return None
        field = np.asarray(field)
        positions = [self._axes.index(role) for role in roles if role in self._axes]
        if field.ndim == 0 or field.ndim != len(positions):
            if field.ndim >= 1 and positions and field.shape[0] == self.values.shape[positions[0]]:
                positions = positions[:1]  # base values of one output per row, data of one row, ...
                return _array_or_scalar(field[(items[positions[0]],)]) if field.ndim == 1 else field
            return field
        return _array_or_scalar(field[tuple(items[p] for p in positions)])

    # -- shap's operations -----------------------------------------------------------

    @property
    def abs(self) -> Explanation:
        """The same explanation with the absolute values (as ``shap.Explanation.abs``).

        Returns
        -------
        Explanation
            ``|values|``, every other field unchanged.
        """
        return self._with_values(np.abs(self.values))

    @property
    def identity(self) -> Explanation:
        """The explanation itself (shap's no-op, e.g. as a plot's ``order``).

        Returns
        -------
        Explanation
            ``self``.
        """
        return self

    @property
    def argsort(self) -> Explanation:
        """The values replaced by their argsort along the last axis (as shap).

        Returns
        -------
        Explanation
            ``numpy.argsort(values)``, every other field unchanged.
        """
        return self._with_values(np.argsort(self.values))

    @property
    def flip(self) -> Explanation:
        """Values and data reversed along every axis (``numpy.flip``, as shap).

        Returns
        -------
        Explanation
            ``numpy.flip(values)``; the data flipped alike when they have the values' shape.
        """
        flipped = self._with_values(np.flip(self.values))
        if self.data is not None and np.shape(self.data) == self.values.shape:
            flipped.data = np.flip(self.data)
        return flipped

    def mean(self, axis: int | None = None) -> Explanation:
        """The mean over an axis (0: over the rows, a global importance per feature), as shap.

        Parameters
        ----------
        axis : int, optional
            The axis of ``values`` to reduce (None: all).

        Returns
        -------
        Explanation
            The reduced values; the data and base values reduced alike when they lie along
            the axis, the names of the remaining axes kept.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.explain import Explanation
        >>> Explanation(np.array([[1.0, -2.0], [3.0, 4.0]])).abs.mean(0).values
        array([2., 3.])
        """
        return self._reduce(np.mean, axis)

    def max(self, axis: int | None = None) -> Explanation:
        """The maximum over an axis (see [`mean`][assay.explain.Explanation.mean]).

        Parameters
        ----------
        axis : int, optional
            The axis of ``values`` to reduce (None: all).

        Returns
        -------
        Explanation
            The reduced explanation.
        """
        return self._reduce(np.max, axis)

    def min(self, axis: int | None = None) -> Explanation:
        """The minimum over an axis (see [`mean`][assay.explain.Explanation.mean]).

        Parameters
        ----------
        axis : int, optional
            The axis of ``values`` to reduce (None: all).

        Returns
        -------
        Explanation
            The reduced explanation.
        """
        return self._reduce(np.min, axis)

    def sum(self, axis: int | None = None) -> Explanation:
        """The sum over an axis (see [`mean`][assay.explain.Explanation.mean]).

        Parameters
        ----------
        axis : int, optional
            The axis of ``values`` to reduce (None: all).

        Returns
        -------
        Explanation
            The reduced explanation.
        """
        return self._reduce(np.sum, axis)

    def percentile(self, q: float, axis: int | None = None) -> Explanation:
        """The q-th percentile over an axis (see [`mean`][assay.explain.Explanation.mean]).

        Parameters
        ----------
        q : float
            The percentile, from 0 to 100.
        axis : int, optional
            The axis of ``values`` to reduce (None: all).

        Returns
        -------
        Explanation
            The reduced explanation.
        """
        return self._reduce(lambda array, axis: np.percentile(array, q, axis=axis), axis)

    def _reduce(self, function: Callable[..., Any], axis: int | None) -> Explanation:
        ndim = self.values.ndim
        if axis is not None and not (isinstance(axis, (int, np.integer)) and -ndim <= axis < ndim):
            raise InvalidInputError(f"axis must be None or an axis of the values (0 to {ndim - 1}), got {axis!r}")
        reduced = Explanation.__new__(Explanation)
        reduced.__dict__.update(self.__dict__)
        reduced.values = np.asarray(function(self.values, axis=axis))
        if axis is None:
            reduced._axes = ()
            reduced.base_values = reduced.feature_names = reduced.output_names = None
            try:  # the data alike, when they are numbers
                reduced.data = None if self.data is None else np.asarray(function(np.asarray(self.data), axis=None))
            except (TypeError, ValueError):
                reduced.data = None
            return reduced
        axis = int(axis) % ndim
        role = self._axes[axis]
        reduced._axes = self._axes[:axis] + self._axes[axis + 1 :]
        for name, roles in (("base_values", ("rows", "outputs")), ("data", ("rows", "features"))):
            field = getattr(self, name)
            positions = [self._axes.index(r) for r in roles if r in self._axes]
            if field is None or role not in roles or np.ndim(field) != len(positions):
                continue
            try:
                setattr(reduced, name, np.asarray(function(np.asarray(field), axis=positions.index(axis))))
            except (TypeError, ValueError):  # data that are not numbers
                setattr(reduced, name, None)
        for name in ("standard_errors", "lower_bounds", "upper_bounds", "error_std", "main_effects"):
            if getattr(self, name, None) is not None:
                setattr(reduced, name, None)
        return reduced

    def sample(self, max_samples: int, replace: bool = False, random_state: int | None = 0) -> Explanation:
        """A random sample of the rows (numpy's ``RandomState(random_state).choice``, as shap).

        Parameters
        ----------
        max_samples : int
            The rows to draw (all of them at most, without replacement).
        replace : bool, default False
            Draw with replacement.
        random_state : int, optional
            The seed (0 by default, as shap).

        Returns
        -------
        Explanation
            The sampled rows, with every field.

        Raises
        ------
        InvalidInputError
            A negative ``max_samples``.
        """
        if isinstance(max_samples, (bool, np.bool_)) or not isinstance(max_samples, (int, np.integer)):
            raise InvalidTypeError(f"max_samples must be an integer, got {max_samples!r}")
        if max_samples < 0:
            raise InvalidInputError(f"max_samples must be at least 0, got {max_samples}")
        n = len(self.values)
        rows = np.random.RandomState(random_state).choice(n, size=min(int(max_samples), n), replace=replace)
        return self[list(rows)]

    def hclust(self, metric: str = "sqeuclidean", axis: int = 0) -> np.ndarray:
        """An order of the rows (axis 0) or features (axis 1) that puts similar ones together (as shap).

        scipy's complete-linkage clustering of the values, with the optimal leaf ordering.

        Parameters
        ----------
        metric : str, default "sqeuclidean"
            A scipy distance metric.
        axis : {0, 1}, default 0
            Order the rows (0) or the features (1).

        Returns
        -------
        numpy.ndarray
            The positions in that order.

        Raises
        ------
        InvalidInputError
            Values that are not 2-D, or an axis other than 0 or 1.
        """
        from scipy.cluster.hierarchy import complete, leaves_list, optimal_leaf_ordering
        from scipy.spatial.distance import pdist

        values = np.asarray(self.values, dtype=np.float64)
        if values.ndim != 2 or axis not in (0, 1):
            raise InvalidInputError(f"hclust: needs 2-D values and axis 0 or 1, got shape {values.shape}, axis {axis}")
        points = values if axis == 0 else values.T
        if len(points) < 2:
            return np.arange(len(points))
        distances = pdist(points, metric)
        return leaves_list(optimal_leaf_ordering(complete(distances), distances))

    def hstack(self, other: Explanation) -> Explanation:
        """The features of ``other`` appended after these (same rows and base values), as shap.

        Parameters
        ----------
        other : Explanation
            An explanation of the same rows.

        Returns
        -------
        Explanation
            Values side by side; data and names joined when both have them.

        Raises
        ------
        InvalidInputError
            Another number of rows, or other base values.
        """
        if self.values.shape[0] != other.values.shape[0]:
            raise InvalidInputError("Can't hstack explanations with different numbers of rows")
        if (self.base_values is None) != (other.base_values is None) or (
            self.base_values is not None
            and other.base_values is not None
            and not np.allclose(self.base_values, other.base_values, atol=1e-6)
        ):
            raise InvalidInputError("Can't hstack explanations with different base values")
        data = None
        if self.data is not None and other.data is not None:
            data = np.hstack([self.data, other.data])
        names = None
        if isinstance(self.feature_names, list) and isinstance(other.feature_names, list):
            names = self.feature_names + other.feature_names
        return Explanation(np.hstack([self.values, other.values]), self.base_values, data, names, self.output_names)

    def cohorts(self, cohorts: int | Sequence[Any] | np.ndarray) -> Cohorts:
        """Splits the rows into cohorts, as shap's ``Explanation.cohorts``.

        Parameters
        ----------
        cohorts : int or array-like
            An int n: up to n cohorts of rows with similar SHAP values, the leaves of a
            scikit-learn decision tree (``max_leaf_nodes=n``) fit from the data to the
            values, named by their conditions. An array: a cohort name per row.

        Returns
        -------
        Cohorts
            The cohorts, each an Explanation of its rows.

        Raises
        ------
        InvalidInputError
            Several outputs (select one first), or no data for automatic cohorts.
        InvalidTypeError
            ``cohorts`` is neither an int nor an array.
        """
        if self.values.ndim > 2:
            raise InvalidInputError(
                "Cohorts cannot be calculated on multiple outputs at once; select one output first, "
                "e.g. explanation[..., 0].cohorts(2)"
            )
        if isinstance(cohorts, (int, np.integer)) and not isinstance(cohorts, (bool, np.bool_)):
            return _auto_cohorts(self, int(cohorts))
        if isinstance(cohorts, (list, tuple, np.ndarray)):
            labels = np.asarray(cohorts)
            return Cohorts(**{str(name): self[labels == name] for name in np.unique(labels)})
        raise InvalidTypeError(f"cohorts: expected an int or an array of cohort names, got {type(cohorts).__name__}")

    def _with_values(self, values: np.ndarray) -> Explanation:
        explanation = Explanation.__new__(Explanation)
        explanation.__dict__.update(self.__dict__)
        explanation.values = values
        return explanation

    def _binary(self, other: Any, operation: Callable[[Any, Any], Any]) -> Explanation:
        other_values = other.values if isinstance(other, Explanation) else other
        return self._with_values(np.asarray(operation(self.values, other_values)))

    def __add__(self, other: Any) -> Explanation:
        return self._binary(other, np.add)

    def __radd__(self, other: Any) -> Explanation:
        return self._binary(other, lambda a, b: np.add(b, a))

    def __sub__(self, other: Any) -> Explanation:
        return self._binary(other, np.subtract)

    def __rsub__(self, other: Any) -> Explanation:
        return self._binary(other, lambda a, b: np.subtract(b, a))

    def __mul__(self, other: Any) -> Explanation:
        return self._binary(other, np.multiply)

    def __rmul__(self, other: Any) -> Explanation:
        return self._binary(other, lambda a, b: np.multiply(b, a))

    def __truediv__(self, other: Any) -> Explanation:
        return self._binary(other, np.divide)

    # -- conversions ------------------------------------------------------------------

    def to_shap(self) -> Any:
        """The same explanation as a ``shap.Explanation``, for shap's plots.

        Returns
        -------
        shap.Explanation
            With the same values, base values, data and names.

        Raises
        ------
        MissingDependencyError
            shap is not installed.
        """
        try:
            import shap
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise MissingDependencyError("to_shap() needs the shap package: pip install shap") from error
        return shap.Explanation(
            values=self.values,
            base_values=self.base_values,
            data=self.data,
            feature_names=self.feature_names,
            output_names=self.output_names,
            **{name: getattr(self, name, None) for name in _SHAP_FIELDS},
        )

    def to_frame(self) -> Any:
        """The values as a pandas DataFrame: one row per explained row (and output), one column per feature.

        Returns
        -------
        pandas DataFrame
            A ``base_value`` column first when there are base values; with several outputs
            also ``row`` and ``output`` columns.

        Raises
        ------
        InvalidInputError
            Values of another number of dimensions than 2 or 3 (interaction values).

        Examples
        --------
        >>> import numpy as np
        >>> from assay.explain import Explanation
        >>> explanation = Explanation(
        ...     np.array([[0.5, -0.2], [0.1, 0.3]]), base_values=[1.0, 1.0], data=[[1.0, 2.0], [3.0, 4.0]],
        ...     feature_names=["age", "income"],
        ... )
        >>> explanation.to_frame()
           base_value  age  income
        0         1.0  0.5    -0.2
        1         1.0  0.1     0.3
        """
        import pandas as pd

        names = _name_list(self.feature_names, self.values.shape[1] if self.values.ndim >= 2 else 0)
        if self.values.ndim == 2:
            frame = pd.DataFrame(self.values, columns=names)
            if self.base_values is not None:
                frame.insert(0, "base_value", np.broadcast_to(self.base_values, (len(frame),)))
            return frame
        if self.values.ndim == 3:
            n, m, k = self.values.shape
            outputs = self.output_names or [str(i) for i in range(k)]
            frame = pd.DataFrame(self.values.transpose(0, 2, 1).reshape(n * k, m), columns=names)
            frame.insert(0, "output", np.tile(outputs, n))
            frame.insert(0, "row", np.repeat(np.arange(n), k))
            if self.base_values is not None:
                frame.insert(2, "base_value", np.broadcast_to(self.base_values, (n, k)).reshape(-1))
            return frame
        raise InvalidInputError("to_frame() needs values of 2 or 3 dimensions (use .values for interactions)")

    def to_dict(self) -> dict[str, Any]:
        """Every field as a JSON-safe dictionary (NaN as None); ``from_json`` reads its JSON back.

        Returns
        -------
        dict
            ``values``, ``base_values``, ``data`` and ``standard_errors`` as nested lists
            (None when absent; data of numbers as floats, other data as text), ``shapes``
            (each array's shape, so that empty arrays keep theirs), ``feature_names``,
            ``output_names`` and ``nsamples`` (None when absent).

        Examples
        --------
        >>> import numpy as np
        >>> from assay.explain import Explanation
        >>> explanation = Explanation(
        ...     np.array([[0.5, -0.2], [0.1, 0.3]]), base_values=[1.0, 1.0], data=[[1.0, 2.0], [3.0, 4.0]],
        ...     feature_names=["age", "income"],
        ... )
        >>> explanation.to_dict()["values"]
        [[0.5, -0.2], [0.1, 0.3]]
        >>> Explanation.from_json(explanation.to_json()).feature_names
        ['age', 'income']
        """
        errors = getattr(self, "standard_errors", None)
        arrays = {
            "values": self.values,
            "base_values": self.base_values,
            "data": None if self.data is None else _data_for_json(self.data),
            "standard_errors": None if errors is None else np.asarray(errors, dtype=np.float64),
        }
        return json_safe(
            {
                **{key: None if array is None else array.tolist() for key, array in arrays.items()},
                "shapes": {key: None if array is None else list(array.shape) for key, array in arrays.items()},
                "feature_names": self.feature_names,
                "output_names": self.output_names,
                "nsamples": getattr(self, "nsamples", None),
            }
        )

    _kind = "Explanation"
    _title = "assay explanation"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Explanation:
        shapes = data["shapes"]

        def array(key: str) -> np.ndarray | None:
            if data[key] is None:
                return None
            if key == "data":
                cells = np.array(data[key], dtype=object).reshape(shapes[key])
                if any(isinstance(cell, str) for cell in cells.flat):
                    return cells  # data of text (None where missing)
            return np.array(data[key], dtype=np.float64).reshape(shapes[key])  # null is read as NaN

        # The fields as written, without the constructor's checks: an indexed explanation (one
        # feature of many rows, say) has fields the constructor would not take.
        explanation = cls.__new__(cls)
        explanation.values = np.array(data["values"], dtype=np.float64).reshape(shapes["values"])
        explanation.base_values = array("base_values")
        explanation.data = array("data")
        explanation.feature_names = _names_or_one(data["feature_names"], "feature_names")
        explanation.output_names = _names_or_one(data["output_names"], "output_names")
        explanation._axes = _default_axes(explanation.values.ndim)
        for name in _SHAP_FIELDS:
            setattr(explanation, name, None)
        errors = array("standard_errors")
        if errors is not None:
            if errors.shape != explanation.values.shape:
                raise ValueError(f"standard_errors: shape {errors.shape} unlike values {explanation.values.shape}")
            explanation.standard_errors = errors
        if data["nsamples"] is not None:
            explanation.nsamples = int(data["nsamples"])
        return explanation

    def mean_abs(self) -> np.ndarray:
        """Mean |value| per feature (and output) over the rows: the global importance.

        Finite for values near the largest double (each feature is scaled by its largest
        magnitude first).

        Returns
        -------
        numpy.ndarray
            Shape (n_features,) or (n_features, n_outputs); NaN when there are no rows.

        Warns
        -----
        DegenerateInputWarning
            The explanation has no rows.

        Examples
        --------
        >>> import numpy as np
        >>> from assay.explain import Explanation
        >>> explanation = Explanation(
        ...     np.array([[0.5, -0.2], [0.1, 0.3]]), base_values=[1.0, 1.0], data=[[1.0, 2.0], [3.0, 4.0]],
        ...     feature_names=["age", "income"],
        ... )
        >>> explanation.mean_abs()
        array([0.3 , 0.25])
        """
        if len(self.values) == 0:
            warnings.warn(
                "mean_abs: the explanation has no rows; the importance is NaN", DegenerateInputWarning, stacklevel=2
            )
            return np.full(self.values.shape[1:], np.nan)
        return _scaled_mean_abs(self.values)

    def __repr__(self) -> str:  # shap's layout
        text = f".values =\n{self.values!r}"
        if self.base_values is not None:
            base = self.base_values
            text += f"\n\n.base_values =\n{base.item() if isinstance(base, np.ndarray) and base.ndim == 0 else base!r}"
        if self.data is not None:
            text += f"\n\n.data =\n{self.data!r}"
        return text

    def _by_output(self) -> tuple[np.ndarray, list[str]]:
        """The values as (rows, features, outputs) and a label per output, for the report.

        Values of one dimension are one row (one feature of many rows when a single
        feature name goes with several values); interaction values (a second feature axis)
        are summed over it, which gives each feature's SHAP value.
        """
        values = self.values
        if values.ndim == 1:
            values = values[:, None, None] if self._axes == ("rows",) else values[None, :, None]
        elif values.ndim == 2:
            values = values[:, :, None]
        elif values.ndim > 3:
            values = values.reshape(values.shape[0], values.shape[1], -1, values.shape[-1]).sum(axis=2)
        n_outputs = values.shape[2]
        names = self.output_names if self.output_names is not None and len(self.output_names) == n_outputs else None
        return values, names or [f"output {o}" for o in range(n_outputs)]

    def _feature_values(self, shape: tuple[int, int]) -> np.ndarray | None:
        """The data that colours the beeswarm: numbers of the values' (rows, features) shape, else None."""
        if self.data is None or self.data.dtype.kind not in "biuf":
            return None
        data = np.asarray(self.data, dtype=np.float64)
        if data.size == shape[0] * shape[1] and data.ndim <= 2:
            return data.reshape(shape)
        return None

    def _tiles(self) -> list[report.Tile]:
        values, outputs = self._by_output()
        tiles = [
            report.Tile("rows", report.Number(values.shape[0], format="count")),
            report.Tile("features", report.Number(values.shape[1], format="count")),
        ]
        if len(outputs) > 1:
            tiles.append(report.Tile("outputs", report.Number(len(outputs), format="count")))
        return tiles

    def _sections(self) -> list[report.Section]:
        values, outputs = self._by_output()
        n_rows, n_features, _ = values.shape
        names = _name_list(self.feature_names, n_features)
        importance = _scaled_mean_abs(values) if n_rows else np.full(values.shape[1:], np.nan)
        return explanation_sections(values, importance, self._feature_values((n_rows, n_features)), names, outputs)


def _scaled_mean_abs(values: np.ndarray) -> np.ndarray:
    """Mean |value| over the first axis, each column scaled by its largest magnitude first so
    that values near the largest double do not overflow the sum."""
    magnitude = np.abs(values)
    scale = magnitude.max(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # NaN stays NaN
    return (magnitude / scale).mean(axis=0) * scale


def _data_for_json(data: np.ndarray) -> np.ndarray:
    """The explained rows as JSON holds them: numbers as floats, anything else as text (None stays)."""
    if data.dtype.kind in "biuf":
        return np.asarray(data, dtype=np.float64)
    return np.frompyfunc(_json_cell, 1, 1)(data) if data.ndim else np.asarray(_json_cell(data.item()), dtype=object)


def _json_cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value)
    return str(value)


def _numeric(value: Any, argument: str) -> np.ndarray:
    """A float64 array of numbers (bool, int, float); strings, objects that are not numbers,
    complex and datetime values are an InvalidTypeError naming the argument."""
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged sequences
        raise InvalidTypeError(f"{argument}: expected a numeric array") from error
    if array.dtype.kind == "O":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise InvalidTypeError(f"{argument}: expected numbers, got objects that are not") from error
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument}: expected numbers, got dtype {array.dtype}")
    return array if array.dtype.kind in "iuf" else array.astype(np.float64)


def _names(names: Any, argument: str) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, (str, bytes)):
        raise InvalidTypeError(f"{argument}: expected a sequence of names, got a single string {names!r}")
    try:
        return [str(name) for name in names]
    except TypeError as error:
        raise InvalidTypeError(f"{argument}: expected a sequence of names, got {type(names).__name__}") from error


class Cohorts:
    """Named groups of explanations (shap's ``Cohorts``), e.g. from
    [`Explanation.cohorts`][assay.explain.Explanation.cohorts]; a bar plot draws them side by side.

    An attribute, method call or index is applied to every cohort and gives new Cohorts
    (``cohorts.abs.mean(0)``, ``cohorts[..., "age"]``).

    Parameters
    ----------
    **cohorts : Explanation
        The explanation of each cohort, by name.

    Raises
    ------
    InvalidTypeError
        A cohort that is not an Explanation.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.explain import Cohorts, Explanation
    >>> explanation = Explanation(np.array([[1.0, -2.0], [3.0, 4.0]]), feature_names=["a", "b"])
    >>> cohorts = Cohorts(first=explanation[:1], second=explanation[1:])
    >>> cohorts.abs.mean(0).cohorts["second"].values
    array([3., 4.])
    """

    def __init__(self, **cohorts: Explanation) -> None:
        self.cohorts = cohorts
        self._callables: dict[str, Callable[..., Any]] = {}

    @property
    def cohorts(self) -> dict[str, Explanation]:
        """The explanation of each cohort, by name.

        Returns
        -------
        dict of str to Explanation
            The cohorts.
        """
        return self._cohorts

    @cohorts.setter
    def cohorts(self, cohorts: dict[str, Explanation]) -> None:
        if not isinstance(cohorts, dict):
            raise InvalidTypeError(f"cohorts: expected a dict of Explanations, got {type(cohorts).__name__}")
        for name, explanation in cohorts.items():
            if not isinstance(explanation, Explanation):
                raise InvalidTypeError(f"cohorts: {name!r} is a {type(explanation).__name__}, not an Explanation")
        self._cohorts = cohorts

    def __getitem__(self, item: Any) -> Cohorts:
        return Cohorts(**{name: explanation[item] for name, explanation in self._cohorts.items()})

    def __getattr__(self, name: str) -> Cohorts:
        if name.startswith("_"):
            raise AttributeError(name)
        result = Cohorts()
        for key, explanation in self._cohorts.items():
            attribute = getattr(explanation, name)
            if callable(attribute):
                result._callables[key] = attribute
            else:
                result._cohorts[key] = attribute
        return result

    def __call__(self, *args: Any, **kwargs: Any) -> Cohorts:
        if not self._callables:
            raise InvalidInputError("No methods to call: call a method of the cohorts' explanations, e.g. .mean(0)")
        return Cohorts(**{name: method(*args, **kwargs) for name, method in self._callables.items()})

    def __repr__(self) -> str:
        sizes = [explanation.shape for explanation in self._cohorts.values()]
        return f"Cohorts({len(self._cohorts)} cohorts of shapes {sizes})"


def _auto_cohorts(explanation: Explanation, max_cohorts: int) -> Cohorts:
    """Rows grouped by the leaves of a decision tree fit from the data to the SHAP values."""
    from sklearn.tree import DecisionTreeRegressor

    if max_cohorts < 1:
        raise InvalidInputError(f"cohorts: expected at least 1 cohort, got {max_cohorts}")
    if explanation.data is None:
        raise InvalidInputError("cohorts: automatic cohorts need the explanation's data")
    data = np.asarray(explanation.data, dtype=np.float64).reshape(len(explanation.values), -1)
    values = np.asarray(explanation.values, dtype=np.float64).reshape(len(data), -1)
    if max_cohorts == 1:
        return Cohorts(**{"all": explanation})
    tree = DecisionTreeRegressor(max_leaf_nodes=max_cohorts, random_state=0).fit(data, values)
    names = _name_list(explanation.feature_names, data.shape[1])
    structure = tree.tree_
    # Each leaf's name: the conditions on its path (a walk over the tree's nodes, not the rows).
    conditions: dict[int, list[str]] = {0: []}
    for node in range(structure.node_count):
        left, right = structure.children_left[node], structure.children_right[node]
        if left < 0:
            continue
        feature, threshold = names[structure.feature[node]], structure.threshold[node]
        conditions[left] = [*conditions[node], f"{feature} <= {threshold:.4g}"]
        conditions[right] = [*conditions[node], f"{feature} > {threshold:.4g}"]
    leaves = tree.apply(data)
    return Cohorts(**{" & ".join(conditions[leaf]) or "all": explanation[leaves == leaf] for leaf in np.unique(leaves)})


def _array_or_scalar(picked: Any) -> Any:
    """An indexed field: numpy's scalar for one element (as shap's base value of one row), else an array."""
    return picked if isinstance(picked, np.generic) else np.asarray(picked)


def _default_axes(ndim: int) -> tuple[str, ...]:
    """What each axis of values of ``ndim`` dimensions holds, as the explainers lay them out."""
    return {1: ("features",), 2: ("rows", "features"), 3: ("rows", "features", "outputs")}.get(
        ndim, ("rows", "features", *["features"] * (ndim - 3), "outputs")
    )


def _drops_axis(index: Any) -> bool:
    """Whether a numpy index removes its axis (an integer does, a slice, list or mask does not)."""
    return isinstance(index, (int, np.integer)) or (isinstance(index, np.ndarray) and index.ndim == 0)


def _first(axes: tuple[str, ...], items: list, role: str) -> Any:
    """The index given for the first axis of a role (None when the values have no such axis)."""
    return items[axes.index(role)] if role in axes else None


def _take_names(names: Any, index: Any) -> Any:
    """Names indexed like their axis: one name for an integer (as shap), a list otherwise."""
    if not isinstance(names, list) or index is None:
        return names
    picked = np.asarray(names, dtype=object)[index]
    return str(picked) if np.ndim(picked) == 0 else [str(name) for name in picked]


def _name_list(names: Any, n: int) -> list[str]:
    if isinstance(names, str):
        return [names]
    return list(names) if names is not None else [f"x{j}" for j in range(n)]


def _names_or_one(names: Any, argument: str) -> Any:
    return names if isinstance(names, str) else _names(names, argument)
