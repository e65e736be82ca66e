"""The built-in metrics: assay's metric functions of one group (the whole data), and the
registry through which MetricFrame recognises them, and fairlearn's and scikit-learn's
functions of the same definition, to compute them in the core from per-group statistics."""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import numpy as np

from ..errors import InvalidInputError
from ..typing import ArrayLike
from ._evaluation import CONVENTIONS, Builtin, Evaluation
from ._groups import Groups
from ._inputs import Feature, as_weights, to_numpy

_Function = TypeVar("_Function", bound=Callable[..., Any])


_BUILTINS: dict[Callable[..., Any], Builtin] = {}
# fairlearn's and scikit-learn's functions with the same definitions, recognised by
# (module prefix, name) without importing those packages.
_FOREIGN = {
    ("fairlearn.metrics", "selection_rate"): "selection_rate",
    ("fairlearn.metrics", "true_positive_rate"): "true_positive_rate",
    ("fairlearn.metrics", "false_positive_rate"): "false_positive_rate",
    ("fairlearn.metrics", "true_negative_rate"): "true_negative_rate",
    ("fairlearn.metrics", "false_negative_rate"): "false_negative_rate",
    ("fairlearn.metrics", "count"): "count",
    ("fairlearn.metrics", "mean_prediction"): "mean_prediction",
    ("sklearn.metrics", "accuracy_score"): "accuracy_score",
    ("sklearn.metrics", "zero_one_loss"): "zero_one_loss",
    ("sklearn.metrics", "balanced_accuracy_score"): "balanced_accuracy_score",
    ("sklearn.metrics", "precision_score"): "precision_score",
    ("sklearn.metrics", "recall_score"): "recall_score",
    ("sklearn.metrics", "f1_score"): "f1_score",
    ("sklearn.metrics", "mean_absolute_error"): "mean_absolute_error",
    ("sklearn.metrics", "mean_squared_error"): "mean_squared_error",
    ("sklearn.metrics", "root_mean_squared_error"): "root_mean_squared_error",
    ("sklearn.metrics", "r2_score"): "r2_score",
    ("sklearn.metrics", "roc_auc_score"): "roc_auc_score",
}
_BY_NAME: dict[str, Callable[..., Any]] = {}


def _builtin(core: str, rule: str, default_pos_label: Any = None) -> Callable[[_Function], _Function]:
    """Registers a metric function as the built-in ``core`` of the given label rule."""

    def register(function: _Function) -> _Function:
        _BUILTINS[function] = Builtin(function.__name__, core, rule, default_pos_label)
        _BY_NAME[function.__name__] = function
        return function

    return register


def recognise(metric: Callable[..., Any]) -> tuple[Builtin, dict[str, Any]] | None:
    """The built-in behind a metric callable, with the keyword arguments bound to it.

    Recognised: assay's functions, fairlearn's and scikit-learn's functions of the same
    definition, and functools.partial of those binding only pos_label (and, for
    regression metrics, nothing) and, for assay's functions, convention (the frame's
    convention applies).
    """
    bound: dict[str, Any] = {}
    function: Any = metric
    if isinstance(metric, functools.partial):
        if metric.args or set(metric.keywords) - {"pos_label", "convention"}:
            return None
        if "convention" in metric.keywords and metric.func not in _BUILTINS:
            return None
        bound = {k: v for k, v in metric.keywords.items() if k != "convention"}
        function = metric.func
    builtin = _BUILTINS.get(function)
    if builtin is None:
        module = getattr(function, "__module__", "") or ""
        name = getattr(function, "__name__", "")
        for (prefix, foreign_name), ours in _FOREIGN.items():
            if module.startswith(prefix) and name == foreign_name:
                builtin = _BUILTINS[_BY_NAME[ours]]
                break
    if builtin is None:
        return None
    if bound and builtin.rule not in ("rate", "binary", "selection"):
        return None
    return builtin, bound


def _single(
    builtin_function: Callable[..., Any],
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    convention: str,
    **bound: Any,
) -> float:
    """A built-in metric of all rows (one group)."""
    if convention not in CONVENTIONS:
        raise InvalidInputError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    builtin = _BUILTINS[builtin_function]
    y_p = _one_row_if_scalar(y_pred, "y_pred")
    # selection_rate and mean_prediction ignore y_true: None is accepted there (as fairlearn does).
    ignores_true = builtin.core in ("selection_rate", "mean_prediction")
    y_t = y_p if ignores_true and y_true is None else _one_row_if_scalar(y_true, "y_true")
    if len(y_t) != len(y_p):
        raise InvalidInputError(f"y_true has {len(y_t)} rows but y_pred has {len(y_p)}")
    if len(y_t) == 0:
        raise InvalidInputError("y_true: no rows")
    everyone = Feature("all", np.zeros(len(y_t), dtype=np.int32), ["all"])
    groups = Groups([everyone], [], "error", False, 1)
    evaluation = Evaluation(groups, y_t, y_p, convention, 1)
    weights = None if builtin.rule == "count" else as_weights(sample_weight, len(y_t))
    return float(evaluation.builtin(builtin, bound, weights).values[0])


def _one_row_if_scalar(values: Any, argument: str) -> np.ndarray:
    """A metric's labels or values as a 1-D array; a scalar is one row (as fairlearn reads
    ``selection_rate(1, 1)``)."""
    if values is not None and np.ndim(values) == 0:
        values = [values]
    return to_numpy(values, argument)


@_builtin("count", "count")
def count(y_true: ArrayLike, y_pred: ArrayLike) -> int:
    """Number of rows (unweighted, as fairlearn's ``count``).

    Parameters
    ----------
    y_true : ArrayLike
        True labels or values, one per row.
    y_pred : ArrayLike
        Predictions, one per row (only their number matters).

    Returns
    -------
    int
        The number of rows (0 for empty input).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length.

    Examples
    --------
    >>> from assay.fairness import count
    >>> count([0, 1, 1], [0, 0, 1])
    3
    """
    rows, predictions = len(_one_row_if_scalar(y_true, "y_true")), len(_one_row_if_scalar(y_pred, "y_pred"))
    if rows != predictions:
        raise InvalidInputError(f"y_true has {rows} rows but y_pred has {predictions}")
    return rows


@_builtin("selection_rate", "selection", default_pos_label=1)
def selection_rate(
    y_true: ArrayLike | None,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    convention: str = "strict",
) -> float:
    """Weighted fraction of rows with ``y_pred == pos_label`` (fairlearn's ``selection_rate``).

    ``y_true`` is not used: None, or labels of the rows' length (checked). Predictions with more than 256
    distinct values are an error (they are not labels; fairlearn silently returns the
    share equal to 1).

    Parameters
    ----------
    y_true : ArrayLike or None
        True labels, one per row (ignored but checked), or None.
    y_pred : ArrayLike
        Predicted labels, one per row.
    pos_label : label, default 1
        The label that counts as selected.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The selection rate; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import selection_rate
    >>> selection_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    >>> round(selection_rate([1, 0, 1, 1], [1, 1, 0, 0], sample_weight=[1, 3, 1, 1]), 4)
    0.6667
    """
    return _single(selection_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("true_positive_rate", "rate")
def true_positive_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
    *,
    convention: str = "strict",
) -> float:
    """True-positive rate (recall): TP / (TP + FN).

    TP, FP, TN and FN are the (weighted) cells of the confusion matrix for the positive
    label. fairlearn's function of the same name, computed in the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    pos_label : label, optional
        The positive label. Default None: the labels must be {0, 1} or {-1, 1} and 1 is
        positive (fairlearn's rule); more than two labels is then an error. Under the strict
        convention an explicit ``pos_label`` with more labels means one class versus the rest.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The rate; without actual positives it is undefined: NaN (strict) or 0 (fairlearn).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import true_positive_rate
    >>> true_positive_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _single(true_positive_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("false_positive_rate", "rate")
def false_positive_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
    *,
    convention: str = "strict",
) -> float:
    """False-positive rate: FP / (FP + TN).

    TP, FP, TN and FN are the (weighted) cells of the confusion matrix for the positive
    label. fairlearn's function of the same name, computed in the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    pos_label : label, optional
        The positive label. Default None: the labels must be {0, 1} or {-1, 1} and 1 is
        positive (fairlearn's rule); more than two labels is then an error. Under the strict
        convention an explicit ``pos_label`` with more labels means one class versus the rest.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The rate; without actual negatives it is undefined: NaN (strict) or 0 (fairlearn).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import false_positive_rate
    >>> false_positive_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _single(false_positive_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("true_negative_rate", "rate")
def true_negative_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
    *,
    convention: str = "strict",
) -> float:
    """True-negative rate (specificity): TN / (TN + FP).

    TP, FP, TN and FN are the (weighted) cells of the confusion matrix for the positive
    label. fairlearn's function of the same name, computed in the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    pos_label : label, optional
        The positive label. Default None: the labels must be {0, 1} or {-1, 1} and 1 is
        positive (fairlearn's rule); more than two labels is then an error. Under the strict
        convention an explicit ``pos_label`` with more labels means one class versus the rest.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The rate; without actual negatives it is undefined: NaN (strict) or 0 (fairlearn).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import true_negative_rate
    >>> true_negative_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _single(true_negative_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("false_negative_rate", "rate")
def false_negative_rate(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    pos_label: Any = None,
    *,
    convention: str = "strict",
) -> float:
    """False-negative rate: FN / (FN + TP).

    TP, FP, TN and FN are the (weighted) cells of the confusion matrix for the positive
    label. fairlearn's function of the same name, computed in the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    pos_label : label, optional
        The positive label. Default None: the labels must be {0, 1} or {-1, 1} and 1 is
        positive (fairlearn's rule); more than two labels is then an error. Under the strict
        convention an explicit ``pos_label`` with more labels means one class versus the rest.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The rate; without actual positives it is undefined: NaN (strict) or 0 (fairlearn).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import false_negative_rate
    >>> false_negative_rate([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _single(false_negative_rate, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("accuracy", "multiclass")
def accuracy_score(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Weighted fraction of rows with ``y_pred == y_true`` (any labels, any number of classes).

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The accuracy; NaN when the weights sum to 0 (scikit-learn raises there).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import accuracy_score
    >>> accuracy_score(["a", "b", "c", "a"], ["a", "b", "a", "a"])
    0.75
    """
    return _single(accuracy_score, y_true, y_pred, sample_weight, convention)


@_builtin("error_rate", "multiclass")
def zero_one_loss(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Weighted fraction of rows with ``y_pred != y_true``: 1 - accuracy (scikit-learn's ``zero_one_loss``).

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The error rate; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, or
        ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import zero_one_loss
    >>> zero_one_loss(["a", "b", "c", "a"], ["a", "b", "a", "a"])
    0.25
    """
    return _single(zero_one_loss, y_true, y_pred, sample_weight, convention)


@_builtin("precision", "binary", default_pos_label=1)
def precision_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    convention: str = "strict",
) -> float:
    """Precision: TP / (TP + FP).

    TP, FP and FN are the (weighted) cells of the confusion matrix for the positive label.
    scikit-learn's function of the same name (binary average), computed in the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    pos_label : label, default 1
        The positive label. At most two labels may occur, one of them ``pos_label``;
        under the strict convention more labels mean one class versus the rest.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The score; without predicted positives it is undefined: NaN (strict) or 0 (fairlearn, as
        scikit-learn).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import precision_score
    >>> precision_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _single(precision_score, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("true_positive_rate", "binary", default_pos_label=1)
def recall_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    convention: str = "strict",
) -> float:
    """Recall: TP / (TP + FN), the true-positive rate with scikit-learn's label rule.

    TP, FP and FN are the (weighted) cells of the confusion matrix for the positive label.
    scikit-learn's function of the same name (binary average), computed in the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    pos_label : label, default 1
        The positive label. At most two labels may occur, one of them ``pos_label``;
        under the strict convention more labels mean one class versus the rest.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The score; without actual positives it is undefined: NaN (strict) or 0 (fairlearn, as
        scikit-learn).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import recall_score
    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _single(recall_score, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("f1", "binary", default_pos_label=1)
def f1_score(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    pos_label: Any = 1,
    sample_weight: ArrayLike | None = None,
    convention: str = "strict",
) -> float:
    """F1 score: 2 TP / (2 TP + FP + FN).

    TP, FP and FN are the (weighted) cells of the confusion matrix for the positive label.
    scikit-learn's function of the same name (binary average), computed in the core.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    pos_label : label, default 1
        The positive label. At most two labels may occur, one of them ``pos_label``;
        under the strict convention more labels mean one class versus the rest.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The score; without actual or predicted positives it is undefined: NaN (strict) or 0 (fairlearn, as
        scikit-learn).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import f1_score
    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return _single(f1_score, y_true, y_pred, sample_weight, convention, pos_label=pos_label)


@_builtin("balanced_accuracy", "multiclass")
def balanced_accuracy_score(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Balanced accuracy: the mean recall over the classes present in ``y_true`` (scikit-learn's definition).

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row.
    y_pred : ArrayLike
        Predicted labels, one per row.
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The balanced accuracy; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, a label is missing (NaN),
        ``sample_weight`` is not finite and non-negative or of another length, the labels
        break the rule above, or ``convention`` is unknown.
    InvalidTypeError
        ``y_true`` and ``y_pred`` mix numbers and strings, or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import balanced_accuracy_score
    >>> round(balanced_accuracy_score([0, 0, 0, 1], [0, 0, 1, 1]), 4)
    0.8333
    """
    return _single(balanced_accuracy_score, y_true, y_pred, sample_weight, convention)


@_builtin("mean_prediction", "regression")
def mean_prediction(
    y_true: ArrayLike | None,
    y_pred: ArrayLike,
    sample_weight: ArrayLike | None = None,
    *,
    convention: str = "strict",
) -> float:
    """Weighted mean of ``y_pred`` (fairlearn's ``mean_prediction``).

    Values near the double range are scaled by a power of two before summing (exact), so
    the mean of huge values is finite when it should be.

    Parameters
    ----------
    y_true : ArrayLike or None
        True values, one per row (finite numbers, or any labels: only ``y_pred`` is used),
        or None.
    y_pred : ArrayLike
        Predicted values, one per row (finite numbers).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The mean prediction; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, contain NaN or infinite
        values, ``sample_weight`` is not finite and non-negative or of another length, or
        ``convention`` is unknown.
    InvalidTypeError
        The values or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import mean_prediction
    >>> mean_prediction([1.0, 2.0, 3.0], [1.5, 2.0, 4.0])
    2.5
    """
    return _single(mean_prediction, y_true, y_pred, sample_weight, convention)


@_builtin("mean_error", "regression")
def mean_error(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Weighted mean of ``y_pred - y_true``: the signed bias of the predictions.

    Positive when the predictions are too high on average.

    Parameters
    ----------
    y_true : ArrayLike
        True values, one per row (finite numbers).
    y_pred : ArrayLike
        Predicted values, one per row (finite numbers).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The mean error; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, contain NaN or infinite
        values, ``sample_weight`` is not finite and non-negative or of another length, or
        ``convention`` is unknown.
    InvalidTypeError
        The values or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import mean_error
    >>> mean_error([1.0, 2.0, 3.0], [1.5, 2.0, 4.0])
    0.5
    """
    return _single(mean_error, y_true, y_pred, sample_weight, convention)


@_builtin("mean_absolute_error", "regression")
def mean_absolute_error(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Weighted mean of ``|y_pred - y_true|`` (scikit-learn's ``mean_absolute_error``).

    Computed in the core from per-group sums, like every built-in metric.

    Parameters
    ----------
    y_true : ArrayLike
        True values, one per row (finite numbers).
    y_pred : ArrayLike
        Predicted values, one per row (finite numbers).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The mean absolute error; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, contain NaN or infinite
        values, ``sample_weight`` is not finite and non-negative or of another length, or
        ``convention`` is unknown.
    InvalidTypeError
        The values or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import mean_absolute_error
    >>> mean_absolute_error([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    0.5
    """
    return _single(mean_absolute_error, y_true, y_pred, sample_weight, convention)


@_builtin("mean_squared_error", "regression")
def mean_squared_error(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Weighted mean of ``(y_pred - y_true)^2`` (scikit-learn's ``mean_squared_error``).

    A value beyond the double range is inf (its correctly rounded value).

    Parameters
    ----------
    y_true : ArrayLike
        True values, one per row (finite numbers).
    y_pred : ArrayLike
        Predicted values, one per row (finite numbers).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The mean squared error; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, contain NaN or infinite
        values, ``sample_weight`` is not finite and non-negative or of another length, or
        ``convention`` is unknown.
    InvalidTypeError
        The values or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import mean_squared_error
    >>> round(mean_squared_error([1.0, 2.0, 3.0], [1.5, 2.0, 2.0]), 4)
    0.4167
    """
    return _single(mean_squared_error, y_true, y_pred, sample_weight, convention)


@_builtin("root_mean_squared_error", "regression")
def root_mean_squared_error(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Square root of the mean squared error (scikit-learn's ``root_mean_squared_error``).

    In the units of ``y_true``.

    Parameters
    ----------
    y_true : ArrayLike
        True values, one per row (finite numbers).
    y_pred : ArrayLike
        Predicted values, one per row (finite numbers).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The root mean squared error; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, contain NaN or infinite
        values, ``sample_weight`` is not finite and non-negative or of another length, or
        ``convention`` is unknown.
    InvalidTypeError
        The values or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import root_mean_squared_error
    >>> round(root_mean_squared_error([1.0, 2.0, 3.0], [1.5, 2.0, 2.0]), 4)
    0.6455
    """
    return _single(root_mean_squared_error, y_true, y_pred, sample_weight, convention)


@_builtin("r2", "regression")
def r2_score(
    y_true: ArrayLike, y_pred: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Coefficient of determination R^2 = 1 - SS_res / SS_tot (scikit-learn's ``r2_score``).

    SS_res is the weighted sum of squared errors, SS_tot the weighted sum of squared
    deviations of ``y_true`` from its weighted mean (accumulated with Chan et al.'s formula,
    so R^2 keeps its precision).

    Parameters
    ----------
    y_true : ArrayLike
        True values, one per row (finite numbers).
    y_pred : ArrayLike
        Predicted values, one per row (finite numbers).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        R^2; undefined for one row (NaN) or a constant ``y_true`` (NaN under the strict
        convention; scikit-learn's 1 for a perfect fit, else 0, under ``"fairlearn"``).

    Raises
    ------
    InvalidInputError
        ``y_true`` and ``y_pred`` differ in length or are empty, contain NaN or infinite
        values, ``sample_weight`` is not finite and non-negative or of another length, or
        ``convention`` is unknown.
    InvalidTypeError
        The values or the weights are not numbers.

    Examples
    --------
    >>> from assay.fairness import r2_score
    >>> r2_score([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    0.375
    """
    return _single(r2_score, y_true, y_pred, sample_weight, convention)


@_builtin("roc_auc", "score")
def roc_auc_score(
    y_true: ArrayLike, y_score: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Exact area under the ROC curve: P(score of a positive > score of a negative), ties counting one half.

    The larger of the two labels of ``y_true`` is positive (scikit-learn's rule); pairs
    are weighted by w_i w_j.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row: at most two distinct values.
    y_score : ArrayLike
        Scores, one per row (finite numbers; larger means more likely positive).
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The ROC-AUC; NaN when only one class is present (under ``"fairlearn"`` also a
        ``UserWarning``, as scikit-learn 1.9 gives).

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, more than two labels, NaN labels, non-finite scores or bad
        weights.
    InvalidTypeError
        The scores or weights are not numbers, or the labels cannot be ordered.

    Examples
    --------
    >>> from assay.fairness import roc_auc_score
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    return _single(roc_auc_score, y_true, y_score, sample_weight, convention)


@_builtin("ece", "score")
def expected_calibration_error(
    y_true: ArrayLike, y_prob: ArrayLike, *, sample_weight: ArrayLike | None = None, convention: str = "strict"
) -> float:
    """Expected calibration error over 10 equal-width bins of ``y_prob`` (see ``calibration_by_group``).

    The sum over bins of the bin's weight share times |positive rate - mean score|; the
    larger of the two labels of ``y_true`` is positive.

    Parameters
    ----------
    y_true : ArrayLike
        True labels, one per row: at most two distinct values.
    y_prob : ArrayLike
        Predicted probabilities of the positive label, one per row, in [0, 1].
    sample_weight : ArrayLike, optional
        Non-negative finite weights, one per row. Default None: every row weighs 1.
    convention : {"strict", "fairlearn"}, default "strict"
        What an undefined value (a zero denominator) is: NaN under ``"strict"``,
        fairlearn's or scikit-learn's number under ``"fairlearn"``.

    Returns
    -------
    float
        The expected calibration error; NaN when the weights sum to 0.

    Raises
    ------
    InvalidInputError
        Lengths differ, no rows, more than two labels, NaN labels, probabilities that are
        not finite or outside [0, 1], or bad weights.
    InvalidTypeError
        The probabilities or weights are not numbers, or the labels cannot be ordered.

    Examples
    --------
    >>> from assay.fairness import expected_calibration_error
    >>> round(expected_calibration_error([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.1375
    """
    return _single(expected_calibration_error, y_true, y_prob, sample_weight, convention)
