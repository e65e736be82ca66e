"""``assay.audit``: one run of every section on a reference and a current dataset, then the gates."""

from __future__ import annotations

import datetime as dt
import os
import platform
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from .. import _core
from .._files import read_table
from .._progress import progress_callback
from .._util import n_jobs_arg
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import NJobs, Progress, TableLike
from ._config import AuditConfig, load_config
from ._context import Context, Outputs, SectionResult, Skip, column_labels, is_missing
from ._data import Roles, Table, class_array, fingerprint, load_table, resolve_roles
from ._gates import OVERALL, Measurement, evaluate_gates
from ._model import Model, Predictions
from ._result import Audit
from ._schema import SECTIONS
from .sections import drift as drift_section
from .sections import explain as explain_section
from .sections import fairness as fairness_section
from .sections import monitor as monitor_section
from .sections import performance as performance_section
from .sections import quality as quality_section
from .sections import review as review_section
from .sections import slices as slices_section

__all__ = ["Plan", "audit", "plan_audit", "run_audit"]

# A model's predictions on a table: (table, its feature columns, the target's classes).
Predict = Callable[[Table, tuple[str, ...], Optional[list[Any]]], Predictions]

_RUNNERS: dict[str, Callable[[Context], SectionResult]] = {
    "quality": quality_section.run,
    "drift": drift_section.run,
    "performance": performance_section.run,
    "fairness": fairness_section.run,
    "explain": explain_section.run,
    "slices": slices_section.run,
    "review": review_section.run,
    "monitor": monitor_section.run,
}
# Explanations first, so that drift can rank drifted features by their importance.
_ORDER = ("quality", "explain", "drift", "performance", "fairness", "slices", "review", "monitor")


def _table(data: Any, which: str, config: AuditConfig) -> Table:
    source = config.data.reference if which == "reference" else config.data.current
    if data is None:
        if source.path is None:
            raise InvalidInputError(f"{which}: no data; pass a table or set data.{which}.path in the config")
        data = read_table(source.path, which, source.format)
    return load_table(data, which, source.sample_size, config.seed)


def _names(value: Any, argument: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InvalidTypeError(f"{argument}: expected a column name or a list of names, got {value!r}")


def _column(value: Any, argument: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidTypeError(f"{argument}: expected a column name, got {type(value).__name__}")
    return value


def _is_classes(values: np.ndarray) -> bool:
    """Labels (strings, booleans) or a few integer values: classes, as the quality engine reads a target."""
    present = values[~is_missing(values)]
    if values.dtype == object or values.dtype.kind in "bUS":
        return True
    if not len(present) or not np.isfinite(present).all() or (present != np.round(present)).any():
        return False
    return len(np.unique(present)) <= _core.quality.MAX_INTEGER_CLASSES


def _task(config: AuditConfig, model: Model | None, outputs: dict[str, Outputs]) -> str | None:
    if config.performance.task != "auto":
        return config.performance.task
    if model is not None and model.is_classifier is not None:
        return "classification" if model.is_classifier else "regression"
    for key in ("y_true", "y_pred"):
        values = [getattr(o, key) for o in outputs.values() if getattr(o, key) is not None]
        if values:
            return "classification" if all(_is_classes(v) for v in values) else "regression"
    return None


def _sorted_labels(arrays: list[np.ndarray]) -> list[Any]:
    present = [a[~is_missing(a)] for a in arrays]
    labels: set[Any] = set()
    for values in present:
        labels.update(values.tolist())
    try:
        return sorted(labels)
    except TypeError:  # labels of mixed types: by their text
        return sorted(labels, key=str)


def _pos_label(requested: Any, classes: list[Any]) -> Any:
    if requested is not None:
        for label in classes:
            if label == requested or str(label) == str(requested):
                return label
        raise InvalidInputError(f"columns.pos_label: {requested!r} is not one of the classes {classes[:20]}")
    if 1 in classes:
        return next(c for c in classes if c == 1)
    return classes[-1] if len(classes) == 2 else None


def _column_outputs(table: Table, config: AuditConfig, prediction: str | None, classes: list[Any] | None) -> tuple:
    """(labels, proba) read from the prediction and score columns (None where absent)."""
    labels = column_labels(table.frame.column(prediction)) if prediction and table.has(prediction) else None
    scores = [s for s in config.columns.prediction_score if table.has(s)]
    proba = None
    if scores and len(scores) == len(config.columns.prediction_score):
        matrix = np.column_stack([table.frame.column(s).values for s in scores])
        proba = matrix if matrix.shape[1] > 1 else np.column_stack([1 - matrix[:, 0], matrix[:, 0]])
    return labels, proba


def _outputs(
    config: AuditConfig, tables: tuple[Table, Table], target: str | None, prediction: str | None, model: Model | None,
    features: tuple[str, ...], predict: Predict | None,
) -> tuple[dict[str, Outputs], str | None, list[Any] | None, Any]:  # fmt: skip
    truths = {t.which: column_labels(t.frame.column(target)) if target and t.has(target) else None for t in tables}
    labels = _sorted_labels([v for v in truths.values() if v is not None])
    predictions: dict[str, Predictions] = {}
    if model is not None:
        for table in tables:
            predictions[table.which] = (predict or model.predict)(table, features, labels or None)
    provisional = {
        w: Outputs(truths[w], predictions[w].labels if w in predictions else None, None, "model") for w in truths
    }
    if model is None:
        provisional = {
            t.which: Outputs(truths[t.which], _column_outputs(t, config, prediction, None)[0], None, "columns")
            for t in tables
        }
    task = _task(config, model, provisional)
    classes: list[Any] | None = None
    pos_label = None
    if task == "classification":
        model_classes = next((p.classes for p in predictions.values() if p.classes is not None), None)
        predicted = [o.y_pred for o in provisional.values() if o.y_pred is not None]
        classes = model_classes or _sorted_labels([*(v for v in truths.values() if v is not None), *predicted])
        if not classes and config.columns.prediction_score:
            raise InvalidInputError("columns.prediction_score: the classes are unknown (no target, no prediction)")
        pos_label = _pos_label(config.columns.pos_label, classes) if classes else None
    outputs = {}
    for table in tables:
        which = table.which
        if model is not None:
            p = predictions[which]
            outputs[which] = Outputs(truths[which], p.labels, p.proba, "model")
            continue
        y_pred, proba = _column_outputs(table, config, prediction, classes)
        if proba is not None and classes is not None:
            if proba.shape[1] != len(classes):
                raise InvalidInputError(
                    f"columns.prediction_score: {proba.shape[1]} probability columns for {len(classes)} classes"
                )
            if proba.shape[1] == 2 and len(config.columns.prediction_score) == 1 and classes.index(pos_label) == 0:
                proba = proba[:, ::-1]  # the one score column is the positive class's
            if y_pred is None:
                y_pred = class_array(classes)[np.argmax(proba, axis=1)]
        if task == "regression":
            y_pred = None if y_pred is None else np.asarray(y_pred, dtype=np.float64)
        source = "columns" if y_pred is not None else "none"
        outputs[which] = Outputs(truths[which], y_pred, proba if task == "classification" else None, source)
    if task == "regression":
        outputs = {
            w: Outputs(None if o.y_true is None else np.asarray(o.y_true, dtype=np.float64), o.y_pred, None, o.source)
            for w, o in outputs.items()
        }
    return outputs, task, classes, pos_label


def _data_fingerprint(ctx: Context, table: Table) -> dict[str, Any]:
    """The table's fingerprint: the quality section's (folded from its duplicate-rows hashes)
    when that section checked every column of the table, else computed now."""
    if "quality" in ctx.results:
        checked = ctx.results["quality"].data[table.which].get("fingerprint")
        # The section checks a subset of the table's columns; the same count means all of them.
        if checked is not None and checked["columns"] == len(table.columns):
            return dict(checked)
    return fingerprint(table.frame, ctx.n_jobs)


def _lineage(ctx: Context, model: Model | None, sources: dict) -> dict[str, Any]:
    config = ctx.config
    return {
        "assay_version": _core.__version__,
        "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "seed": config.seed,
        "config": config.to_dict(),
        "model": None
        if model is None
        else {"name": model.name, "library": model.source, "fingerprint": model.fingerprint},
        "data": {
            t.which: {
                "fingerprint": _data_fingerprint(ctx, t),
                "rows": t.n_rows,
                "rows_given": t.n_rows_given,
                "columns": len(t.columns),
                "source": sources[t.which],
            }
            for t in ctx.tables
        },
    }


def _source(data: Any, path: str | None) -> str:
    if data is None and path is not None:
        return os.path.abspath(path)
    return f"{type(data).__module__.split('.')[0]}.{type(data).__name__}"


def _card(ctx: Context, audit_sections: dict[str, dict[str, Any]], skipped: dict[str, str], gates: list) -> dict:
    model, roles = ctx.model, ctx.roles
    name = (
        model.name
        if model is not None
        else (f"predictions in column {roles.prediction!r}" if roles.prediction else "data")
    )
    created = dt.date.today().isoformat()
    metrics = []
    performance = audit_sections.get("performance")
    if performance is not None:
        for which, result in performance["datasets"].items():
            entries = [(OVERALL, result["overall"])]
            for groups in result["by_group"].values():
                for g in groups:
                    subject = " & ".join(f"{f}={x}" for f, x in zip(g["features"], g["group"]))
                    entries.append((subject, g["metrics"]))
            for subject, values in entries:
                for metric, v in values.items():
                    metrics.append(
                        {
                            "type": metric,
                            "value": v["value"],
                            "slice": subject,
                            "dataset": which,
                            "confidence_interval": {"lower_bound": v["lower"], "upper_bound": v["upper"]},
                        }
                    )
    failures = [g for g in gates if g.failed or g.verdict == "warn"]
    parameters: dict[str, Any] = {
        "model_architecture": "none (predictions read from the data)" if model is None else model.name,
        "data": [
            {
                "name": t.which,
                "description": f"{'reference (training)' if t.which == 'reference' else 'current'} data, "
                f"{t.n_rows} rows x {len(t.columns)} columns",
                "sensitive": {"sensitive_data": list(roles.sensitive_features)},
            }
            for t in ctx.tables
        ],
        "input_format": "columns: " + ", ".join(ctx.model_features),
        "output_format": {
            "classification": f"class label and class probabilities (positive class {ctx.pos_label!r})",
            "regression": "predicted value",
        }.get(ctx.task or "", "unknown"),
        "task": ctx.task,
        "features": list(ctx.model_features),
        "target": roles.target,
        "sensitive_features": list(roles.sensitive_features),
        "model": None if model is None else model.parameters,
    }
    return {
        "schema_version": "0.0.2",
        "model_details": {
            "name": name,
            "overview": f"assay audit of {name}: data quality, drift, performance, fairness and explanations",
            "version": {"name": str(ctx.config.seed), "date": created},
            "documentation": "Generated by assay.audit; the 'assay' part holds every gate, section and the lineage.",
        },
        "model_parameters": parameters,
        "quantitative_analysis": {"performance_metrics": metrics, "graphics": {"description": "", "collection": []}},
        "considerations": {
            "users": [],
            "use_cases": [],
            "limitations": [{"description": f"section {s} not run: {reason}"} for s, reason in skipped.items()],
            "tradeoffs": [],
            "ethical_considerations": [
                {
                    "name": f"{'failed' if g.failed else 'warning'}: {g.name}"
                    + (f" ({g.subject}{', ' + g.dataset if g.dataset else ''})" if g.subject else ""),
                    "mitigation_strategy": f"{g.condition}: {g.reason}",
                }
                for g in failures
            ],
        },
    }


def audit(
    reference: TableLike | None = None,
    current: TableLike | None = None,
    *,
    target: str | None = None,
    prediction: str | None = None,
    model: Any = None,
    sensitive_features: str | Sequence[str] | None = None,
    config: Any = None,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> Audit:
    """Audits a model and its data in one run: quality, drift, performance, fairness and
    explanations, then the gates of the configuration.

    Each section runs when its inputs exist (the others are listed in ``Audit.skipped``
    with the reason): quality always; drift when the datasets share feature columns;
    performance with a target and predictions; fairness with predictions and sensitive
    features; explanations with a model.

    Parameters
    ----------
    reference, current : TableLike, optional
        The reference (training) and current data: pandas, polars, pyarrow, a mapping of
        columns or a 2-D numpy array. Omitted: read from the config's ``data`` paths.
    target, prediction : str, optional
        Column names; they override the config's ``columns``.
    model : optional
        A fitted scikit-learn, XGBoost or LightGBM model, anything with
        ``predict_proba`` / ``predict``, a callable on the feature table, an
        :class:`assay.explain.TreeModel`, or the path of an XGBoost (``.json``, ``.ubj``)
        or LightGBM (``.txt``) model file. assay then predicts the rows itself (the class
        of highest probability and the probabilities); without a model the predictions
        are the ``prediction`` / ``prediction_score`` columns. The model reads its own
        feature names, or else every column that plays no other role.
    sensitive_features : str or sequence of str, optional
        Columns whose groups fairness and performance compare (override the config's).
    config : path, dict, YAML or JSON text, AuditConfig, optional
        See :func:`assay.load_audit_config`; None: the defaults.
    n_jobs : NJobs, default None
        Threads of the engines; results do not depend on it.
    progress : Progress, default None
        Progress over the sections: True always, False never, None after two seconds, or a
        callable ``callback(done, total)``.

    Returns
    -------
    Audit

    Raises
    ------
    InvalidInputError
        A bad config (naming the key path), a missing data file, a column named in the
        config or the arguments that is not in the data, a model that does not fit the
        data (its error quoted).
    InvalidTypeError
        A table or argument of the wrong type.
    MissingDependencyError
        A needed optional package is not installed (pandas, PyYAML, jsonschema).
    UnsupportedModelError
        A model file assay cannot read, or ``explain.explainer: tree`` for another model.

    Examples
    --------
    >>> import numpy as np
    >>> import assay
    >>> rng = np.random.default_rng(1)
    >>> def table(n, shift):
    ...     x = rng.normal(shift, 1.0, n)
    ...     y = (x + rng.normal(0, 1, n) > 0).astype(int)
    ...     return {"x": x, "noise": rng.normal(size=n), "y": y, "p": 1 / (1 + np.exp(-2 * x))}
    >>> result = assay.audit(table(2000, 0.0), table(2000, 0.0), target="y",
    ...                      config={"n_boot": 50, "columns": {"prediction_score": "p"}})
    >>> result.passed, result.skipped
    (True, {'fairness': 'no sensitive features (columns.sensitive_features or the sensitive_features argument)', \
'explain': 'no model (predictions from columns cannot be explained)'})
    >>> round(result.sections["performance"]["datasets"]["current"]["overall"]["roc_auc"]["value"], 2)
    0.84
    """
    settings = load_config(config)
    jobs = n_jobs_arg(n_jobs)
    callback = progress_callback(progress, "audit")
    tables = (_table(reference, "reference", settings), _table(current, "current", settings))
    plan = plan_audit(
        settings,
        tables,
        target=target,
        prediction=prediction,
        model=model,
        sensitive_features=sensitive_features,
        n_jobs=jobs,
    )
    sources = {
        "reference": _source(reference, settings.data.reference.path),
        "current": _source(current, settings.data.current.path),
    }
    return run_audit(settings, tables, plan, n_jobs=n_jobs, callback=callback, sources=sources)


@dataclass(frozen=True)
class Plan:
    """What an audit reads besides the tables and the config: the columns' roles, the model
    and the columns it reads. It depends on the tables' column names only."""

    roles: Roles
    model: Model | None
    features: tuple[str, ...]


def plan_audit(
    settings: AuditConfig,
    tables: tuple[Table, Table],
    *,
    target: Any,
    prediction: Any,
    model: Any,
    sensitive_features: Any,
    n_jobs: int,
) -> Plan:
    """The roles of the tables' columns (the arguments override the config's), the model
    wrapped, and its feature columns.

    Raises
    ------
    InvalidInputError, InvalidTypeError
        As :func:`audit` for the columns and the model.
    """
    columns = settings.columns
    roles = resolve_roles(
        *tables,
        target=_column(target, "target") or columns.target,
        prediction=_column(prediction, "prediction") or columns.prediction,
        prediction_score=() if model is not None else columns.prediction_score,
        sensitive_features=_names(sensitive_features, "sensitive_features") or settings.fairness.sensitive_features,
        exclude=columns.exclude,
    )
    wrapped = None if model is None else Model(model, n_jobs, settings.model.evaluation)
    features = roles.features if wrapped is None else wrapped.features(roles.features, tables)
    return Plan(roles, wrapped, features)


def run_audit(
    settings: AuditConfig,
    tables: tuple[Table, Table],
    plan: Plan,
    *,
    n_jobs: NJobs,
    callback: Callable[[int, int], None] | None,
    sources: dict[str, str],
    predict: Predict | None = None,
) -> Audit:
    """The model's outputs, every section, the gates, the lineage and the card.

    Parameters
    ----------
    predict : callable, optional
        ``predict(table, features, labels)``, the model's predictions on a table; by default
        ``plan.model.predict`` (``assay.dask.audit`` gives the outputs it computed per
        partition).
    """
    roles, wrapped, features = plan.roles, plan.model, plan.features
    outputs, task, classes, pos_label = _outputs(
        settings, tables, roles.target, roles.prediction, wrapped, features, predict
    )
    ctx = Context(settings, *tables, roles, wrapped, features, task, classes, pos_label, outputs, n_jobs)
    sections: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    measurements: list[Measurement] = []
    for done, name in enumerate(_ORDER, start=1):
        if not settings.section(name).enabled:
            skipped[name] = "disabled in the config"
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    result = _RUNNERS[name](ctx)
                except Skip as reason:
                    skipped[name] = str(reason)
                    result = None
            if result is not None:
                messages = list(dict.fromkeys(str(w.message) for w in caught))
                if messages:
                    result.data["warnings"] = messages
                ctx.results[name] = result
        if callback is not None:
            callback(done, len(_ORDER))
    if "drift" in ctx.results and "explain" in ctx.results:
        importance = {r["feature"]: r["mean_abs_shap"] for r in ctx.results["explain"].data["importance"]}
        drift = ctx.results["drift"].data
        drift["ranking"] = drift_section.rank_drifted(drift["report"], importance)
        drift["ranked_by"] = "mean |SHAP| (explain section), then drift score"
    for name in SECTIONS:
        if name in ctx.results:
            sections[name] = ctx.results[name].data
            measurements += ctx.results[name].measurements
    ordered_skips = {name: skipped[name] for name in SECTIONS if name in skipped}
    gates = evaluate_gates(settings.gates(), measurements, skipped=ordered_skips)
    return Audit(
        gates=gates,
        sections=sections,
        skipped=ordered_skips,
        measurements=measurements,
        config=settings,
        lineage=_lineage(ctx, wrapped, sources),
        card=_card(ctx, sections, ordered_skips, gates),
    )
