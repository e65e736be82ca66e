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
from typing import Any

import numpy as np

from .. import report
from .._results import Exportable
from .._util import json_safe
from ..errors import InvalidInputError, InvalidTypeError, MissingDependencyError
from ..typing import ArrayLike
from ..warnings import DegenerateInputWarning
from ._report import explanation_sections

__all__ = ["Explanation"]


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

    def __init__(
        self,
        values: ArrayLike,
        base_values: ArrayLike | None = None,
        data: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        output_names: Sequence[str] | None = None,
    ) -> None:
        self.values = _numeric(values, "values")
        if self.values.ndim < 1:
            raise InvalidInputError("values: expected at least one dimension (features)")
        self.base_values = None if base_values is None else _numeric(base_values, "base_values")
        self.data = None if data is None else np.asarray(data)
        self.feature_names = _names(feature_names, "feature_names")
        self.output_names = _names(output_names, "output_names")
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

    def __getitem__(self, item: Any) -> Explanation:
        """Index like the values array (rows, then features, then outputs); the other fields follow.

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
            An index out of range.

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
        ['age']
        """
        if not isinstance(item, tuple):
            item = (item,)
        item = list(item)
        if len(item) > 1 and isinstance(item[1], str):
            item[1] = self._feature_index(item[1])
        multi_output = self.values.ndim == 3
        if multi_output and len(item) > 2 and isinstance(item[2], str):
            if self.output_names is None or item[2] not in self.output_names:
                raise KeyError(f"output {item[2]!r} not in {self.output_names}")
            item[2] = self.output_names.index(item[2])
        item += [slice(None)] * (self.values.ndim - len(item))
        rows, features = item[0], item[1]
        output = item[2] if multi_output else None
        values = self.values[tuple(item)]
        base = None
        if self.base_values is not None:
            base = self.base_values[rows] if self.base_values.ndim >= 1 else self.base_values
            if multi_output and output is not None:
                base = base[..., output]
        data = None
        if self.data is not None:
            data = self.data[rows][..., features] if np.ndim(self.data[rows]) else self.data[rows]
        names = self.feature_names
        if names is not None and not isinstance(features, (int, np.integer)):
            names = list(np.asarray(names, dtype=object)[features])
        elif names is not None:
            names = [names[features]]
        output_names = self.output_names
        if multi_output and output_names is not None and output is not None:
            picked = np.asarray(output_names, dtype=object)[output]
            output_names = None if np.ndim(picked) == 0 else list(picked)
        explanation = Explanation.__new__(Explanation)
        explanation.values = np.asarray(values)
        explanation.base_values = None if base is None else np.asarray(base)
        explanation.data = None if data is None else np.asarray(data)
        explanation.feature_names = names
        explanation.output_names = output_names
        # Model-agnostic explainers attach a standard error per value: indexed alike.
        if getattr(self, "standard_errors", None) is not None:
            explanation.standard_errors = np.asarray(self.standard_errors[tuple(item)])
        if hasattr(self, "nsamples"):
            explanation.nsamples = self.nsamples
        return explanation

    def _feature_index(self, name: str) -> int:
        if self.feature_names is None or name not in self.feature_names:
            raise KeyError(f"feature {name!r} not in {self.feature_names}")
        return self.feature_names.index(name)

    @property
    def abs(self) -> Explanation:
        """The same explanation with the absolute values (as ``shap.Explanation.abs``).

        Returns
        -------
        Explanation
            ``|values|``, every other field unchanged.
        """
        return self._with_values(np.abs(self.values))

    def _with_values(self, values: np.ndarray) -> Explanation:
        explanation = Explanation.__new__(Explanation)
        explanation.__dict__.update(self.__dict__)
        explanation.values = values
        return explanation

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

        names = self.feature_names or [f"x{j}" for j in range(self.values.shape[1])]
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
        explanation.feature_names = _names(data["feature_names"], "feature_names")
        explanation.output_names = _names(data["output_names"], "output_names")
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

    def __repr__(self) -> str:
        return f"Explanation(values shape {self.values.shape}, features {self.feature_names})"

    def _by_output(self) -> tuple[np.ndarray, list[str]]:
        """The values as (rows, features, outputs) and a label per output, for the report.

        Values of one dimension are one row (one feature of many rows when a single
        feature name goes with several values); interaction values (a second feature axis)
        are summed over it, which gives each feature's SHAP value.
        """
        values = self.values
        if values.ndim == 1:
            column = self.feature_names is not None and len(self.feature_names) == 1 and len(values) != 1
            values = values[:, None, None] if column else values[None, :, None]
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
        names = self.feature_names or [f"x{j}" for j in range(n_features)]
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
    return array.astype(np.float64)


def _names(names: Any, argument: str) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, (str, bytes)):
        raise InvalidTypeError(f"{argument}: expected a sequence of names, got a single string {names!r}")
    try:
        return [str(name) for name in names]
    except TypeError as error:
        raise InvalidTypeError(f"{argument}: expected a sequence of names, got {type(names).__name__}") from error
