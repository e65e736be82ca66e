"""``audit`` on Dask: the model's outputs per partition on the workers, then the single-machine
audit on the tables gathered to the client, within the memory budget."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from .._audit import _runner
from .._audit._config import AuditConfig, load_config
from .._audit._data import Table
from .._audit._model import Evaluation, Model, Predictions
from .._audit._result import Audit
from .._frame import as_frame
from .._progress import progress_callback
from .._util import n_jobs_arg
from ..errors import InvalidInputError, InvalidTypeError, ResourceLimitError
from ..typing import NJobs, Progress
from . import _graph
from ._quality import value_bytes

# The models a worker process has wrapped, by the token of their audit: a model is wrapped
# (and a tree model read into the core) once per worker, not once per partition. The oldest
# is dropped beyond _KEPT_MODELS, so a long-lived worker does not keep every model it saw.
_WORKER_MODELS: dict[str, Model] = {}
_KEPT_MODELS = 4
_WORKER_MODELS_LOCK = threading.Lock()
# The libraries of the in-memory tables a reference may be (what assay.audit reads).
_IN_MEMORY_MODULES = ("pandas", "polars", "pyarrow", "numpy")
# Bytes of one gathered model output value (a label or a probability).
_OUTPUT_VALUE_BYTES = 8


def _worker_model(token: str, shipped: dict[str, Any]) -> Model:
    with _WORKER_MODELS_LOCK:  # the partitions of a threaded worker (or scheduler) share the cache
        if token not in _WORKER_MODELS:
            while len(_WORKER_MODELS) >= _KEPT_MODELS:
                del _WORKER_MODELS[next(iter(_WORKER_MODELS))]
            threads = n_jobs_arg(_graph.task_threads())
            _WORKER_MODELS[token] = Model(shipped["model"], threads, shipped["evaluation"])
        return _WORKER_MODELS[token]


def _evaluate_partition(
    part: Any, which: str, token: str, shipped: dict[str, Any], features: tuple[str, ...]
) -> Evaluation | InvalidInputError | None:
    """The model's outputs on a partition's rows (None for an empty partition: models may
    refuse zero rows), or the error the model's failure gave: returned, so that the client
    raises the first partition's error in table and partition order, whichever task failed
    first."""
    if len(part) == 0:
        return None
    rows = part[list(features)]
    table = Table(which, rows, as_frame(rows, argument=which), len(rows))
    try:
        return _worker_model(token, shipped).evaluate(table, features)
    except InvalidInputError as error:
        return error


def _dask_table(value: Any, which: str, settings: AuditConfig) -> tuple[Any, str]:
    """The argument as a dask DataFrame (or the config's data file read by Dask when it is
    None; an in-memory reference kept as it is) and its lineage's source."""
    if value is None:
        source = settings.data.reference if which == "reference" else settings.data.current
        if source.path is None:
            raise InvalidInputError(f"{which}: no data; pass a dask DataFrame or set data.{which}.path in the config")
        readers = {"parquet": _graph.dd.read_parquet, "csv": _graph.dd.read_csv}
        if source.format not in readers:
            raise InvalidInputError(
                f"data.{which}.format: assay.dask.audit reads parquet or csv files, not {source.format}; "
                "pass a dask DataFrame"
            )
        return readers[source.format](source.path), os.path.abspath(source.path)
    if which == "reference" and not isinstance(value, (_graph.dd.DataFrame, _graph.dd.Series)):
        if not isinstance(value, Mapping) and type(value).__module__.split(".")[0] not in _IN_MEMORY_MODULES:
            raise InvalidTypeError(
                "reference: expected a dask DataFrame or an in-memory table (pandas, polars, pyarrow, numpy, a "
                f"mapping of columns), got {type(value).__name__}"
            )
        return value, _runner._source(value, None)  # in memory: audited as assay.audit audits it
    frame = _graph.dataframe(value, which)
    return frame, f"dask DataFrame, {frame.npartitions} partitions"


def _same_codes_in_every_partition(frame: Any, features: tuple[str, ...]) -> bool:
    """Whether each partition reads the model's features as the gathered table does: numbers,
    or categoricals with known categories (the same in every partition). Strings and
    categoricals of unknown categories are coded per partition, by the values that partition
    holds; a model that reads category codes would then see other codes than on the whole
    table."""
    for name in features:
        dtype = frame._meta[name].dtype
        if getattr(dtype, "name", "") == "category":
            if not frame[name].cat.known:
                return False
        elif getattr(dtype, "kind", "O") not in "biuf":
            return False
    return True


def _precomputed(model: Model, outputs: dict[str, Evaluation]) -> _runner.Predict:
    """The audit's predictions from the outputs computed per partition (a table without them,
    an in-memory reference, is predicted here)."""

    def predict(table: Table, features: tuple[str, ...], labels: list[Any] | None) -> Predictions:
        if table.which not in outputs:
            return model.predict(table, features, labels)
        return model.predictions(outputs[table.which].take(table.rows), labels)

    return predict


def _output_bytes_per_row(model: Model | None) -> int:
    """Gathered bytes of a row's model outputs: its label and, for a classifier, a
    probability per class (two when the classes are not known before predicting)."""
    if model is None:
        return 0
    if model.is_classifier is False:
        return _OUTPUT_VALUE_BYTES
    classes = getattr(model.model, "classes_", None)
    n_classes = len(classes) if classes is not None else 2
    if model.tree is not None:
        n_classes = max(2, model.tree.ensemble.n_outputs)
    return _OUTPUT_VALUE_BYTES * (1 + n_classes)


def _require_budget(frames: dict[str, Any], model: Model | None, client: Any) -> None:
    """ResourceLimitError when the dask tables and the model's outputs exceed the memory budget
    once gathered."""
    rows = dict(zip(frames, _graph.total_rows(list(frames.values()), client)))
    needed = sum(
        rows[which] * (sum(value_bytes(dtype) for dtype in frame.dtypes) + _output_bytes_per_row(model))
        for which, frame in frames.items()
    )
    budget = _graph.memory_budget()
    if needed > budget:
        gathered = [
            f"the {which} table ({rows[which]} rows x {len(frame.columns)} columns)" for which, frame in frames.items()
        ]
        if model is not None:
            gathered.append("the model's outputs")
        listed = ", ".join(gathered[:-1]) + " and " + gathered[-1] if len(gathered) > 1 else gathered[0]
        raise ResourceLimitError(
            f"{', '.join(frames)}: the audit gathers {listed} to the client, an estimated {needed / 2**20:.4g} MiB, "
            f"more than the memory budget of {budget / 2**20:.4g} MiB; raise it with "
            f"dask.config.set({{'{_graph.MEMORY_BUDGET_KEY}': '8GiB'}})"
        )


def audit(
    reference: Any = None,
    current: Any = None,
    *,
    target: str | None = None,
    prediction: str | None = None,
    model: Any = None,
    sensitive_features: str | Sequence[str] | None = None,
    config: Any = None,
    client: Any = None,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> Audit:
    """[`assay.audit`][assay.audit] of dask DataFrames: the same arguments and the same
    [`Audit`][assay.Audit].

    The model travels to the workers once (one graph key) and is wrapped once per worker
    process; each partition's predicted labels and class probabilities are computed there,
    as the single-machine audit computes them (the core's tree predictions and the
    ``model.evaluation`` setting included). Predictions are row-wise, so they equal the
    single-machine ones. (A table with a feature of strings, or a categorical of unknown
    categories, is predicted on the client once gathered instead: each partition would code
    it by its own values.) The two tables and the partitions' outputs are then gathered to the
    client, where the single-machine audit runs every section with those outputs: the
    result equals ``assay.audit(reference.compute(), current.compute(), ...)`` — the same
    measurements, gates, sections and card — and its lineage differs only in the tables'
    ``source`` (``"dask DataFrame, N partitions"``). The audit is row-order sensitive
    through its seeded samples only; the rows are in partition order, as ``compute()``
    gives them.

    The gathered tables and outputs must fit the memory budget
    ([`memory_budget`][assay.dask.memory_budget], the Dask configuration key
    ``assay.memory-budget``); beyond it the call raises ``ResourceLimitError``, never a
    partial audit. The estimate is 8 bytes per number, 4 per categorical code, 64 per
    string or object value, and 8 per output value of a row (its label and a probability
    per class). The client holds the gathered tables: the budget should fit its memory.

    Parameters
    ----------
    reference : dask DataFrame or TableLike, optional
        The reference (training) data: a dask DataFrame, or an in-memory table (then
        predicted on the client, as ``assay.audit`` does). Omitted: the config's
        ``data.reference`` file, read with ``dd.read_parquet`` or ``dd.read_csv``.
    current : dask DataFrame, optional
        The current data. Omitted: the config's ``data.current`` file, read as above.
    target, prediction, model, sensitive_features, config, n_jobs, progress
        As in [`assay.audit`][assay.audit]; ``n_jobs`` is the client's threads for the
        sections (the workers' model evaluation uses their own threads). A model file's
        path must be readable at the same path on the workers.
    client : distributed.Client, optional
        Where to compute: by default the current client (or Dask's default scheduler).

    Returns
    -------
    Audit

    Raises
    ------
    InvalidTypeError
        ``current`` (or ``reference``) is not a dask DataFrame (nor, for ``reference``, an
        in-memory table), ``client`` is not a client, or an argument has the wrong type as
        in ``assay.audit``.
    InvalidInputError
        As in ``assay.audit``; a config data file of a format other than parquet or csv.
    ResourceLimitError
        The gathered tables and outputs exceed the memory budget.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import numpy as np
    >>> import pandas as pd
    >>> from assay import dask as adask
    >>> rng = np.random.default_rng(1)
    >>> def table(n):
    ...     x = rng.normal(size=n)
    ...     y = (x + rng.normal(size=n) > 0).astype(int)
    ...     return dd.from_pandas(pd.DataFrame({"x": x, "y": y, "p": 1 / (1 + np.exp(-2 * x))}), npartitions=3)
    >>> result = adask.audit(table(1000), table(1000), target="y",
    ...                      config={"n_boot": 50, "columns": {"prediction_score": "p"}})
    >>> result.passed, sorted(result.sections)
    (True, ['drift', 'monitor', 'performance', 'quality', 'review', 'slices'])
    """
    settings = load_config(config)
    jobs = n_jobs_arg(n_jobs)
    callback = progress_callback(progress, "audit")
    _graph.check_client(client)
    given = {
        which: _dask_table(value, which, settings) for which, value in (("reference", reference), ("current", current))
    }
    frames = {which: value for which, (value, _) in given.items() if isinstance(value, _graph.dd.DataFrame)}

    def outline(which: str) -> Table:
        """The table as far as the plan needs it: a dask frame's meta (the column names), an
        in-memory reference itself."""
        value = given[which][0]
        if which in frames:
            return Table(which, value._meta, as_frame(value._meta, argument=which), 0)
        return _runner._table(value, which, settings)

    # The roles and the model's features depend on the column names only.
    outlines = (outline("reference"), outline("current"))
    plan = _runner.plan_audit(
        settings,
        outlines,
        target=target,
        prediction=prediction,
        model=model,
        sensitive_features=sensitive_features,
        n_jobs=jobs,
    )
    _require_budget(frames, plan.model, client)
    parts = {which: frame.to_delayed() for which, frame in frames.items()}
    evaluations: dict[str, list[Any]] = {}
    if plan.model is not None:
        shipped = _graph.dask.delayed(
            {"model": model, "evaluation": settings.model.evaluation}, pure=True, traverse=False
        )
        token = uuid.uuid4().hex
        evaluate = _graph.dask.delayed(_evaluate_partition, pure=True)
        # A table whose features are coded per partition is predicted on the client, once gathered.
        evaluations = {
            which: [evaluate(part, which, token, shipped, plan.features) for part in partitions]
            for which, partitions in parts.items()
            if _same_codes_in_every_partition(frames[which], plan.features)
        }
    tasks = [task for which in frames for task in (*parts[which], *evaluations.get(which, []))]
    results = iter(_graph.compute(tasks, client))
    gathered: dict[str, Any] = {}
    outputs: dict[str, Evaluation] = {}
    for which in frames:
        gathered[which] = _graph.concat([next(results) for _ in parts[which]])
        if which not in evaluations:
            continue
        found = [e for e in (next(results) for _ in evaluations[which]) if e is not None]
        failure = next((e for e in found if isinstance(e, InvalidInputError)), None)
        if failure is not None:
            raise failure
        evaluated = [e for e in found if isinstance(e, Evaluation)]
        if evaluated:
            outputs[which] = Evaluation.concatenate(evaluated)
    reference_table, current_table = (
        _runner._table(gathered[t.which], t.which, settings) if t.which in frames else t for t in outlines
    )
    return _runner.run_audit(
        settings,
        (reference_table, current_table),
        plan,
        n_jobs=n_jobs,
        callback=callback,
        sources={which: source for which, (_, source) in given.items()},
        predict=None if plan.model is None else _precomputed(plan.model, outputs),
    )
