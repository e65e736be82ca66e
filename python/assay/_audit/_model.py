"""The audited model: what it is, which columns it reads, its predictions and its fingerprint.

A model is a fitted scikit-learn, XGBoost or LightGBM model (or anything with
``predict_proba`` / ``predict``), a callable, an :class:`assay.explain.TreeModel`, or the path
of a model file assay reads itself (XGBoost ``.json`` / ``.ubj``, LightGBM ``.txt``): files
and boosters are evaluated in assay's core, so they need neither library installed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .._core import explain as _core_explain
from .._frame import CATEGORICAL, Frame
from ..errors import InvalidInputError, InvalidTypeError, UnsupportedModelError
from ..explain import TreeModel, tree_model
from ._data import Table, class_array

__all__ = ["Evaluation", "Model", "Predictions", "load_model"]

# Objectives whose raw output is a log-odds (logistic) or a softmax margin.
_LOGISTIC = {"binary:logistic", "reg:logistic", "binary:logitraw", "binary", "cross_entropy", "multiclassova"}
_SOFTMAX = {"multi:softprob", "multi:softmax", "multiclass", "softmax"}
# The XGBoost objectives whose predict_proba / predict the core reproduces from the raw sums
# (the sigmoid, the softmax, the identity).
_CORE_OBJECTIVES = {"binary:logistic", "multi:softprob", "reg:squarederror"}
_MODEL_SUFFIXES = {".json": "XGBoost JSON", ".ubj": "XGBoost UBJSON", ".txt": "LightGBM text"}
_UNNAMED = re.compile(r"^(Column_|f)\d+$")


@dataclass(frozen=True)
class Predictions:
    """A model's predictions on one table.

    Parameters
    ----------
    labels : numpy.ndarray
        The predicted label (classification: the most probable class) or value.
    proba : numpy.ndarray or None
        Class probabilities, one column per class of ``classes`` (classification with
        probabilities only).
    classes : list or None
        The classes of ``proba``'s columns.
    """

    labels: np.ndarray
    proba: np.ndarray | None
    classes: list[Any] | None


@dataclass(frozen=True)
class Evaluation:
    """A model's outputs on some rows, before they are read as predictions.

    Parameters
    ----------
    kind : {"proba", "values", "output"}
        ``"proba"``: class probabilities, one column per class; ``"values"``: a regressor's
        predictions; ``"output"``: the 1-D output of ``predict`` or of a callable (labels,
        values, or the positive class's probability: read over all the rows).
    values : numpy.ndarray
    classes : list or None
        The classes of the probabilities' columns, when the model names them (``classes_``).
    """

    kind: str
    values: np.ndarray
    classes: list[Any] | None

    def take(self, rows: np.ndarray | None) -> Evaluation:
        """The outputs of some rows (all of them for None)."""
        return self if rows is None else Evaluation(self.kind, self.values[rows], self.classes)

    @staticmethod
    def concatenate(parts: list[Evaluation]) -> Evaluation:
        """The outputs of consecutive rows, joined in order (parts of one model: one kind)."""
        first = parts[0]
        return Evaluation(first.kind, np.concatenate([p.values for p in parts]), first.classes)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _module_of(model: Any) -> str:
    return type(model).__module__.split(".")[0]


def _file_feature_names(path: Path, raw: bytes) -> list[str] | None:
    """Feature names stored in an XGBoost JSON or LightGBM text model (None when absent or
    the libraries' defaults f0 / Column_0)."""
    names: list[str] = []
    if path.suffix.lower() == ".json":
        try:
            names = list(json.loads(raw)["learner"].get("feature_names") or [])
        except (ValueError, KeyError, TypeError):
            names = []
    elif path.suffix.lower() == ".txt":
        for line in raw.decode("utf-8", errors="replace").splitlines():
            if line.startswith("feature_names="):
                names = line[len("feature_names=") :].split()
                break
    if not names or all(_UNNAMED.match(n) for n in names):
        return None
    return names


def _output_kind(objective: str) -> str:
    return "log_odds" if objective in _LOGISTIC or objective in _SOFTMAX else "raw"


def load_model(path: str | os.PathLike[str]) -> tuple[TreeModel, str]:
    """Reads a model file into assay's tree representation.

    Parameters
    ----------
    path : str or os.PathLike
        An XGBoost ``.json`` or ``.ubj`` file (``Booster.save_model``) or a LightGBM
        ``.txt`` file (``Booster.save_model``).

    Returns
    -------
    (TreeModel, str)
        The model and the sha256 of the file's bytes.

    Raises
    ------
    InvalidInputError
        A missing or unreadable file, or an extension other than those.
    UnsupportedModelError
        When the core cannot parse the file.
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(f"model: {path}: no such file")
    suffix = file.suffix.lower()
    if suffix not in _MODEL_SUFFIXES:
        kinds = ", ".join(f"{s} ({k})" for s, k in _MODEL_SUFFIXES.items())
        raise InvalidInputError(f"model: {path}: unsupported model file type {suffix or '(none)'!r}; use {kinds}")
    try:
        raw = file.read_bytes()
    except OSError as error:
        raise InvalidInputError(f"model: {path}: cannot read the file ({error.strerror or error})") from None
    try:
        if suffix == ".json":
            ensemble = _core_explain.load_xgboost_json(raw)
        elif suffix == ".ubj":
            ensemble = _core_explain.load_xgboost_ubjson(raw)
        else:
            ensemble = _core_explain.load_lightgbm_text(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise UnsupportedModelError(
            f"model: {path}: not a readable {_MODEL_SUFFIXES[suffix]} model ({error})"
        ) from None
    model = TreeModel(ensemble, _file_feature_names(file, raw), None, _output_kind(ensemble.objective))
    return model, _sha256(raw)


def _fingerprint(model: Any, file_digest: str | None) -> dict[str, Any]:
    if file_digest is not None:
        return {"sha256": file_digest, "method": "sha256 of the model file's bytes"}
    module = _module_of(model)
    try:
        if module == "xgboost":
            booster = model.get_booster() if hasattr(model, "get_booster") else model
            return {
                "sha256": _sha256(bytes(booster.save_raw("ubj"))),
                "method": "sha256 of XGBoost's UBJSON serialisation (Booster.save_raw('ubj'))",
            }
        if module == "lightgbm":
            booster = getattr(model, "booster_", model)
            return {
                "sha256": _sha256(booster.model_to_string().encode("utf-8")),
                "method": "sha256 of LightGBM's model text (Booster.model_to_string())",
            }
        return {
            "sha256": _sha256(pickle.dumps(model, protocol=4)),
            "method": "sha256 of the pickled model (protocol 4; stable for the same library versions)",
        }
    except (pickle.PicklingError, TypeError, AttributeError, ValueError) as error:
        return {"sha256": None, "method": f"none: the model cannot be serialised ({type(error).__name__})"}


def _model_names(model: Any) -> list[str] | None:
    names = getattr(model, "feature_names_in_", None)
    if names is None and _module_of(model) == "xgboost":
        booster = model.get_booster() if hasattr(model, "get_booster") else model
        names = booster.feature_names
    if names is None and _module_of(model) == "lightgbm":
        booster = getattr(model, "booster_", model)
        names = booster.feature_name() if hasattr(booster, "feature_name") else None
    if isinstance(model, TreeModel):
        names = model.feature_names
    if names is None:
        return None
    names = [str(n) for n in names]
    return None if all(_UNNAMED.match(n) for n in names) else names


def _n_features(model: Any) -> int | None:
    if isinstance(model, TreeModel):
        return model.n_features
    n = getattr(model, "n_features_in_", None)
    return int(n) if isinstance(n, (int, np.integer)) else None


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # 1 / (1 + e^-x) without overflow


def _softmax(x: np.ndarray) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class Model:
    """The audited model, ready to predict the audit's tables.

    Parameters
    ----------
    model : Any
        See the module docstring.
    n_jobs : int
        For predictions in the core.
    evaluation : {"auto", "model"}, default "auto"
        The configuration's ``model.evaluation``: whether scikit-learn wrappers of XGBoost
        models are evaluated in the core (see :meth:`predict`).
    """

    def __init__(self, model: Any, n_jobs: int, evaluation: str = "auto"):
        self.n_jobs = n_jobs
        self.evaluation = evaluation
        file_digest = None
        if isinstance(model, (str, os.PathLike)):
            self.name = Path(model).name
            model, file_digest = load_model(model)
            self.source = "file"
        else:
            self.name = type(model).__name__
            self.source = _module_of(model)
        self.model = model
        self.tree: TreeModel | None = None
        if isinstance(model, TreeModel):
            self.tree = model
        elif _module_of(model) in ("xgboost", "lightgbm") and not hasattr(model, "predict_proba"):
            self.tree = tree_model(model)  # a Booster: evaluated in the core
        self.fingerprint = _fingerprint(model, file_digest)
        if not (
            self.tree is not None or hasattr(model, "predict_proba") or hasattr(model, "predict") or callable(model)
        ):
            raise InvalidTypeError(
                f"model: expected a fitted model (predict_proba or predict), a callable, a TreeModel or a model file, "
                f"got {type(model).__name__}"
            )
        self.feature_names = _model_names(model)
        self.n_features = _n_features(model)

    @property
    def is_classifier(self) -> bool | None:
        """True for models with class probabilities, False for regressors, None when unknown (callables)."""
        if self.tree is not None:
            return self.tree.output_kind == "log_odds" or self.tree.output_kind == "probability"
        if hasattr(self.model, "predict_proba"):
            return True
        if _module_of(self.model) == "sklearn":
            from sklearn.base import is_classifier, is_regressor

            if is_classifier(self.model) or is_regressor(self.model):
                return bool(is_classifier(self.model))
        return None

    @functools.cached_property
    def trees(self) -> TreeModel | None:
        """The model read into assay's core (read once), or None when it is not a tree model
        that assay reads."""
        if self.tree is not None:
            return self.tree
        try:
            return tree_model(self.model)
        except (TypeError, UnsupportedModelError, InvalidInputError):
            return None

    @property
    def parameters(self) -> dict[str, Any]:
        """What the card's model_parameters say about the model (kind, library, trees)."""
        out: dict[str, Any] = {"class": self.name, "library": self.source}
        tree = self.trees
        if tree is not None:
            ensemble = tree.ensemble
            out.update(
                objective=ensemble.objective,
                n_trees=ensemble.n_trees,
                max_depth=ensemble.max_depth,
                n_outputs=ensemble.n_outputs,
            )
        return out

    def features(self, candidates: tuple[str, ...], tables: tuple[Table, ...]) -> tuple[str, ...]:
        """The columns the model reads: its own feature names, or the feature columns.

        Raises
        ------
        InvalidInputError
            A feature the model names is absent from a table, or the number of feature
            columns differs from the model's.
        """
        if self.feature_names is not None:
            for table in tables:
                absent = [n for n in self.feature_names if not table.has(n)]
                if absent:
                    raise InvalidInputError(
                        f"model: reads columns absent from the {table.which} data: {', '.join(map(repr, absent[:10]))}"
                    )
            return tuple(self.feature_names)
        if self.n_features is not None and self.n_features != len(candidates):
            raise InvalidInputError(
                f"model: expects {self.n_features} features but the data has {len(candidates)} feature columns "
                f"({', '.join(candidates[:10])}{', ...' if len(candidates) > 10 else ''}); fit the model on a "
                "DataFrame (named features) or list the other columns in columns.exclude"
            )
        return candidates

    def input(self, table: Table, features: tuple[str, ...]) -> Any:
        """The table's feature columns in the form the model was given at training."""
        source = table.source
        module = _module_of(source)
        if module == "pandas" and hasattr(source, "columns"):
            return source[list(features)]
        frame = table.frame.select(features)
        categorical = [c.name for c in frame.columns if c.kind == CATEGORICAL]
        if self.feature_names is None and not categorical:
            return np.column_stack([c.values for c in frame.columns]) if frame.columns else np.empty((frame.n_rows, 0))
        return _pandas(frame)

    def function(self, positive: int | None) -> Callable[[np.ndarray], np.ndarray]:
        """The model as a function of a float matrix of its features, for the model-agnostic
        explainers: the positive class's probability for classifiers, else the prediction."""
        model, names = self.model, self.feature_names

        def evaluate(matrix: np.ndarray) -> np.ndarray:
            rows: Any = matrix
            if names is not None:
                import pandas as pd

                rows = pd.DataFrame(matrix, columns=names)
            if hasattr(model, "predict_proba"):
                return np.asarray(model.predict_proba(rows))[:, positive or 0]
            if hasattr(model, "predict"):
                return np.asarray(model.predict(rows), dtype=np.float64)
            return np.asarray(model(rows), dtype=np.float64)

        return evaluate

    def predict(self, table: Table, features: tuple[str, ...], labels: list[Any] | None) -> Predictions:
        """Predicts the table's rows: :meth:`evaluate`, then :meth:`predictions`.

        Parameters
        ----------
        table : Table
        features : tuple of str
        labels : list or None
            The target's classes (sorted), to name the classes of a model without
            ``classes_`` (files, boosters, callables returning probabilities).

        Returns
        -------
        Predictions

        Raises
        ------
        InvalidInputError
            When the model raises on the data (its message quoted) or returns the wrong
            number of rows.
        """
        return self.predictions(self.evaluate(table, features), labels)

    def evaluate(self, table: Table, features: tuple[str, ...]) -> Evaluation:
        """The model's outputs on the table's rows, before they are read as predictions (the
        row-wise work, which needs no other rows: ``assay.dask.audit`` runs it per partition).

        Raises
        ------
        InvalidInputError
            When the model raises on the data (its message quoted) or returns the wrong
            number of rows.
        """
        core = self._core_trees(table, features)
        if core is not None:
            frame = table.frame.select(features)
            raw = np.asarray(_core_explain.tree_predict(core.ensemble, frame.core_columns(), self.n_jobs))
            objective = core.ensemble.objective
            if objective in _SOFTMAX:
                return Evaluation("proba", _softmax(raw), None)
            if objective in _LOGISTIC:
                p = _sigmoid(raw)
                return Evaluation("proba", np.column_stack([1 - p[:, 0], p[:, 0]]) if p.shape[1] == 1 else p, None)
            return Evaluation("values", raw[:, 0], None)
        X = self.input(table, features)
        try:
            if hasattr(self.model, "predict_proba"):
                proba = np.asarray(self.model.predict_proba(X), dtype=np.float64)
                classes = getattr(self.model, "classes_", None)
                return Evaluation("proba", proba, None if classes is None else list(classes))
            output = self.model.predict(X) if hasattr(self.model, "predict") else self.model(X)
        except Exception as error:
            raise InvalidInputError(
                f"model: raised {type(error).__name__} on the {table.which} data: {error}"
            ) from error
        output = np.asarray(output)
        if output.shape[0] != table.n_rows:
            raise InvalidInputError(f"model: returned {output.shape[0]} rows for {table.n_rows} rows of {table.which}")
        if output.ndim == 2 and output.shape[1] > 1:
            return Evaluation("proba", output.astype(np.float64), None)
        return Evaluation("output", output.reshape(-1), None)

    def predictions(self, evaluation: Evaluation, labels: list[Any] | None) -> Predictions:
        """The predictions an :meth:`evaluate` result gives (over all the table's rows: a 1-D
        output is read as the positive class's probability only when every value is one).

        Parameters
        ----------
        evaluation : Evaluation
        labels : list or None
            As in :meth:`predict`.

        Returns
        -------
        Predictions
        """
        values = evaluation.values
        if evaluation.kind == "proba":
            return self._from_proba(values, evaluation.classes, labels)
        if (
            evaluation.kind == "output"
            and labels is not None
            and len(labels) == 2
            and values.dtype.kind == "f"
            and _is_probability(values, labels)
        ):
            return self._from_proba(np.column_stack([1 - values, values]), None, labels)
        return Predictions(values, None, None)

    def _core_trees(self, table: Table, features: tuple[str, ...]) -> TreeModel | None:
        """The trees that predict in the core: always for boosters, files and TreeModels
        (they have no predict of their own here); for the scikit-learn wrappers of XGBoost
        when ``evaluation`` is "auto", the objective's output is known to the core
        (:data:`_CORE_OBJECTIVES`) and every feature is numeric (no category codes to match
        with the wrapper's). The core sums the trees in float64 where XGBoost sums in
        float32: probabilities agree to about 1e-7."""
        if self.tree is not None:
            return self.tree
        if self.evaluation != "auto" or _module_of(self.model) != "xgboost":
            return None
        trees = self.trees
        if trees is None or trees.ensemble.objective not in _CORE_OBJECTIVES:
            return None
        frame = table.frame.select(features)
        return trees if all(c.kind != CATEGORICAL for c in frame.columns) else None

    def _from_proba(self, proba: np.ndarray, classes: list[Any] | None, labels: list[Any] | None = None) -> Predictions:
        if classes is None:
            classes = labels if labels is not None and len(labels) == proba.shape[1] else list(range(proba.shape[1]))
        classes = [c.item() if isinstance(c, np.generic) else c for c in classes]  # numpy scalars as Python's
        return Predictions(class_array(classes)[np.argmax(proba, axis=1)], proba, classes)


def _is_probability(output: np.ndarray, labels: list[Any]) -> bool:
    """A callable's 1-D output read as the positive class's probability: values in [0, 1]
    that are not all class labels."""
    finite = output[np.isfinite(output)]
    if not len(finite) or finite.min() < 0 or finite.max() > 1:
        return False
    return not np.isin(finite, np.asarray(labels, dtype=object)).all()


def _pandas(frame: Frame) -> Any:
    import pandas as pd

    data = {}
    for column in frame.columns:
        if column.kind == CATEGORICAL:
            data[column.name] = pd.Categorical.from_codes(column.values, categories=column.labels)
        else:
            data[column.name] = column.values
    return pd.DataFrame(data)
