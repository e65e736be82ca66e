"""Confidence-based performance estimation: NannyML's CBPE with the exact distribution of each
metric, cross-fitted reference estimates and a reference band."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import report
from .._chunks import chunk_labels
from .._core import monitor as _core_monitor
from .._inputs import as_array, as_sample, count_arg, real_arg
from .._results import Exportable, nan_if_none
from .._util import json_safe, n_jobs_arg, seed_arg
from ..errors import InvalidInputError, InvalidTypeError
from ..typing import ArrayLike, NJobs

__all__ = ["CBPE", "CBPEResult", "METRICS"]

#: The metrics CBPE estimates, in the order of the results.
METRICS = ("accuracy", "precision", "recall", "f1", "specificity", "roc_auc")
_CONVENTIONS = ("assay", "nannyml")
_BANDS = ("estimated", "realized")
_CALIBRATIONS = ("isotonic", None)


def _choice(value: Any, allowed: Sequence[Any], argument: str) -> Any:
    if value not in allowed:
        raise InvalidInputError(f"{argument} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


def _binary(values: Any, argument: str, n: int | None = None) -> np.ndarray:
    """0/1 labels (bool, integers or floats holding only 0 and 1) as uint8."""
    array = as_array(values, argument)
    if array.ndim != 1:
        raise InvalidInputError(f"{argument} must be 1-D, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise InvalidTypeError(f"{argument} must hold 0/1 labels (bool or numbers), got dtype {array.dtype}")
    if n is not None and array.size != n:
        raise InvalidInputError(f"{argument} must have one value per row of y_score ({n}), got {array.size}")
    bad = ~((array == 0) | (array == 1))
    if bad.any():
        position = int(np.argmax(bad))
        raise InvalidInputError(f"{argument} must hold only 0 and 1 (or bools), got {array[position]!r} at {position}")
    return np.ascontiguousarray(array, dtype=np.uint8)


def _metric_list(metrics: Any) -> list[str]:
    if isinstance(metrics, str):
        metrics = [metrics]
    if not isinstance(metrics, Sequence) or not metrics:
        raise InvalidTypeError(f"metrics must be a non-empty list of metric names, got {metrics!r}")
    out: list[str] = []
    for metric in metrics:
        _choice(metric, METRICS, "metrics")
        if metric not in out:
            out.append(metric)
    return out


def _chunks(
    n_rows: int, key: Any, chunk_size: int | None, n_chunks: int | None, argument: str
) -> tuple[np.ndarray, list[str]]:
    """The chunk of every row and the chunk labels: by the key (chunks in the order of their
    first row), else by size or number (10 chunks by default)."""
    if key is None:
        labels, names = chunk_labels(n_rows, None, None, chunk_size, n_chunks)
        return labels, [str(n) for n in names]
    array = as_array(key, argument)
    if array.ndim != 1 or array.size != n_rows:
        raise InvalidInputError(f"{argument} must have one key per row ({n_rows}), got shape {array.shape}")
    if array.dtype.kind == "f" and np.isnan(array).any():
        raise InvalidInputError(f"{argument} holds NaN at {int(np.argmax(np.isnan(array)))}")
    try:
        uniques, first, codes = np.unique(array, return_index=True, return_inverse=True)
    except TypeError as error:
        raise InvalidTypeError(f"{argument}: keys must be comparable values ({error})") from None
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[codes].astype(np.int64), [str(uniques[i]) for i in order]


def _band(values: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Per metric (column): mean -/+ sigma population standard deviations of the chunks'
    values (NaN chunks left out; NannyML's StandardDeviationThreshold), clipped to [0, 1]."""
    lower = np.full(values.shape[1], math.nan)
    upper = np.full(values.shape[1], math.nan)
    for m in range(values.shape[1]):
        finite = values[:, m][np.isfinite(values[:, m])]
        if finite.size:
            centre, spread = float(np.mean(finite)), float(np.std(finite))
            lower[m] = max(0.0, centre - sigma * spread)
            upper[m] = min(1.0, centre + sigma * spread)
    return lower, upper


@dataclass
class CBPEResult(Exportable):
    """Estimated performance per chunk of the current data (the result of
    [`CBPE.estimate`][assay.monitor.CBPE.estimate]).

    Arrays are indexed ``[chunk, metric]`` with the metrics in the order of ``metrics``. A
    chunk whose estimate leaves the reference band [``band_lower``, ``band_upper``] raises an
    alert. The fields are also the attributes.

    Parameters
    ----------
    metrics : list of str
        The metrics estimated.
    chunks : list of dict
        One dict per current chunk: ``chunk`` (its index), ``label`` and ``rows``.
    estimate : numpy.ndarray
        The estimate: E[metric] given the calibrated probabilities (``convention="assay"``)
        or NannyML's plug-in ratio (``"nannyml"``).
    lower, upper : numpy.ndarray
        The equal-tailed interval of the metric's distribution at ``confidence_level``: where
        the realised metric falls with that probability if the calibration holds.
    plug_in : numpy.ndarray
        NannyML's estimate (the metric of the expected confusion counts), for comparison.
    band_lower, band_upper : numpy.ndarray
        Per metric, the reference band.
    reference_estimate : numpy.ndarray
        The estimates on the reference chunks (cross-fitted unless ``convention="nannyml"``).
    reference_realized : numpy.ndarray
        The metrics realised on the reference chunks.
    realized : numpy.ndarray or None
        The metrics realised on the current chunks, when ``y_true`` was given.
    confidence_level : float
        The interval's level.
    convention : str
        ``"assay"`` or ``"nannyml"``.
    """

    metrics: list[str]
    chunks: list[dict[str, Any]]
    estimate: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    plug_in: np.ndarray
    band_lower: np.ndarray
    band_upper: np.ndarray
    reference_estimate: np.ndarray
    reference_realized: np.ndarray
    realized: np.ndarray | None = None
    confidence_level: float = 0.95
    convention: str = "assay"

    @property
    def alerts(self) -> np.ndarray:
        """Per chunk and metric, whether the estimate leaves the reference band (bool)."""
        with np.errstate(invalid="ignore"):
            return (self.estimate < self.band_lower) | (self.estimate > self.band_upper)

    @property
    def covered(self) -> np.ndarray | None:
        """Per chunk and metric, whether the realised metric lies in [lower, upper] (None
        without labels)."""
        if self.realized is None:
            return None
        with np.errstate(invalid="ignore"):
            return (self.realized >= self.lower) & (self.realized <= self.upper)

    def to_frame(self) -> Any:
        """The estimates as a long table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per chunk and metric: ``chunk``, ``label``, ``rows``, ``metric``,
            ``estimate``, ``lower``, ``upper``, ``plug_in``, ``band_lower``, ``band_upper``,
            ``alert`` and, with labels, ``realized``.
        """
        import pandas as pd

        n_chunks, n_metrics = len(self.chunks), len(self.metrics)
        frame = pd.DataFrame([c for c in self.chunks for _ in range(n_metrics)])
        frame["metric"] = self.metrics * n_chunks
        for name in ("estimate", "lower", "upper", "plug_in"):
            frame[name] = getattr(self, name).reshape(-1)
        frame["band_lower"] = np.tile(self.band_lower, n_chunks)
        frame["band_upper"] = np.tile(self.band_upper, n_chunks)
        frame["alert"] = self.alerts.reshape(-1)
        if self.realized is not None:
            frame["realized"] = self.realized.reshape(-1)
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            The fields and ``alerts``, arrays as nested lists; NaN as None.
        """
        arrays = ("estimate", "lower", "upper", "plug_in", "band_lower", "band_upper")
        return json_safe(
            {
                "metrics": self.metrics,
                "chunks": self.chunks,
                **{name: getattr(self, name).tolist() for name in arrays},
                "reference_estimate": self.reference_estimate.tolist(),
                "reference_realized": self.reference_realized.tolist(),
                "realized": None if self.realized is None else self.realized.tolist(),
                "alerts": self.alerts.tolist(),
                "confidence_level": self.confidence_level,
                "convention": self.convention,
            }
        )

    _kind = "CBPEResult"
    _title = "assay estimated performance (CBPE)"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> CBPEResult:
        def array(value: Any, columns: int) -> np.ndarray:
            values = np.array([[nan_if_none(v) for v in row] for row in value], dtype=np.float64)
            return values.reshape(-1, columns)

        n = len(data["metrics"])
        vector = lambda value: np.array([nan_if_none(v) for v in value], dtype=np.float64)  # noqa: E731
        return cls(
            metrics=list(data["metrics"]),
            chunks=data["chunks"],
            estimate=array(data["estimate"], n),
            lower=array(data["lower"], n),
            upper=array(data["upper"], n),
            plug_in=array(data["plug_in"], n),
            band_lower=vector(data["band_lower"]),
            band_upper=vector(data["band_upper"]),
            reference_estimate=array(data["reference_estimate"], n),
            reference_realized=array(data["reference_realized"], n),
            realized=None if data["realized"] is None else array(data["realized"], n),
            confidence_level=float(data["confidence_level"]),
            convention=str(data["convention"]),
        )

    def _tiles(self) -> list[report.Tile]:
        n_alerts = int(self.alerts.any(axis=1).sum())
        return [
            report.Tile("chunks", len(self.chunks)),
            report.Tile(
                "chunks with an alert",
                n_alerts,
                detail="estimate outside the reference band",
                verdict="failed" if n_alerts else "passed",
            ),
        ]

    def _sections(self) -> list[report.Section]:
        labels = [str(c["label"]) for c in self.chunks]
        n = len(labels)
        blocks: list[Any] = [
            report.Text(
                f"Estimated from the calibrated scores without labels ({self.convention} convention); "
                f"intervals at {self.confidence_level:.0%}; an alert marks an estimate outside the reference band."
            )
        ]
        for m, metric in enumerate(self.metrics):
            blocks.append(
                report.charts.line(
                    labels,
                    self.estimate[:, m],
                    title=f"Estimated {metric} per chunk",
                    lower=[self.band_lower[m]] * n,
                    upper=[self.band_upper[m]] * n,
                    y_label=metric,
                    label="estimate",
                    band_label="reference band",
                )
            )
        columns = ["chunk", "metric", "estimate [interval]", "reference band", "alert"]
        bands = [
            f"[{report.format_number(lo)}, {report.format_number(hi)}]"
            for lo, hi in zip(self.band_lower, self.band_upper)
        ]
        if self.realized is not None:
            columns.append("realized")
        rows: list[list[report.Cell]] = []
        alerts = self.alerts
        for c, label in enumerate(labels):
            for m, metric in enumerate(self.metrics):
                row: list[report.Cell] = [
                    label,
                    metric,
                    report.Interval(float(self.estimate[c, m]), float(self.lower[c, m]), float(self.upper[c, m])),
                    bands[m],
                    report.Badge("failed", "alert") if alerts[c, m] else "no",
                ]
                if self.realized is not None:
                    row.append(float(self.realized[c, m]))
                rows.append(row)
        blocks.append(report.Table(columns, rows))
        return [report.Section("Estimated performance", blocks, anchor="cbpe")]


@dataclass
class CBPE:
    """Confidence-based performance estimation for a binary classifier (NannyML's CBPE).

    ``fit`` calibrates the scores on labelled reference data (isotonic regression), estimates
    every reference chunk out of fold (cross-fitted, so that the band is not in-sample) and
    sets the reference band; ``estimate`` estimates each chunk of current data from its
    scores alone. For the confusion-matrix metrics the estimate is E[metric] under the exact
    Poisson-binomial distribution of the confusion counts, and the interval its quantiles;
    ROC-AUC is estimated from ``auc_draws`` label vectors drawn from the calibrated
    probabilities. The monitor guide has the definitions.

    Parameters
    ----------
    metrics : sequence of str, default all
        Among ``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``, ``"specificity"``
        and ``"roc_auc"``.
    chunk_size : int, optional
        Rows per chunk (the last chunk may be smaller, as NannyML keeps it).
    n_chunks : int, optional
        The number of (nearly) equal chunks; 10 when neither this, ``chunk_size`` nor a
        chunk key is given.
    threshold : float, default 0.5
        The predicted label is ``y_score >= threshold`` unless ``y_pred`` is given.
    calibration : {"isotonic", None}, default "isotonic"
        None takes the scores as calibrated probabilities (they must lie in [0, 1]).
    n_folds : int, default 5
        Folds of the cross-fitted reference estimates (``convention="assay"``).
    confidence_level : float, default 0.95
        Level of the per-chunk intervals, in (0, 1).
    sigma : float, default 3.0
        The band is the mean +/- ``sigma`` standard deviations over the reference chunks.
    band : {"estimated", "realized"}, optional
        What the band is made of: the reference chunks' estimates (the default of
        ``convention="assay"``: the current estimates are compared with the same
        estimator's values on the reference) or their realised metrics (NannyML's).
    convention : {"assay", "nannyml"}, default "assay"
        ``"nannyml"`` reproduces NannyML 0.13's CBPE: the plug-in estimate (0 where its
        denominator is 0), the reference estimated in sample, the band from realised metrics.
    exact_max_rows : int, default 100000
        Above this many rows in a chunk's predicted class (and a variance of at least 400),
        the Poisson-binomial pmf is the refined normal approximation (CDF error below 3e-5).
    auc_draws : int, default 500
        Label vectors drawn per chunk for ROC-AUC.
    seed : int, default 0
        Seeds the folds and the draws.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores. Results do not depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import monitor
    >>> rng = np.random.default_rng(0)
    >>> p = rng.beta(2, 2, 20_000)
    >>> y, score = (rng.random(p.size) < p).astype(int), p**2  # scores miscalibrated
    >>> cbpe = monitor.CBPE(metrics=["accuracy", "f1"], chunk_size=2000).fit(y[:10_000], score[:10_000])
    >>> result = cbpe.estimate(score[10_000:], y_true=y[10_000:])
    >>> result.estimate.shape, bool(result.alerts.any())
    ((5, 2), False)
    >>> bool(np.all(np.abs(result.estimate - result.realized) < 0.03))
    True
    """

    metrics: Sequence[str] = METRICS
    chunk_size: int | None = None
    n_chunks: int | None = None
    threshold: float = 0.5
    calibration: str | None = "isotonic"
    n_folds: int = 5
    confidence_level: float = 0.95
    sigma: float = 3.0
    band: str | None = None
    convention: str = "assay"
    exact_max_rows: int = 100_000
    auc_draws: int = 500
    seed: int = 0
    n_jobs: NJobs = None
    _fitted: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.metrics = _metric_list(self.metrics)
        _choice(self.convention, _CONVENTIONS, "convention")
        _choice(self.calibration, _CALIBRATIONS, "calibration")
        if self.band is None:
            self.band = "realized" if self.convention == "nannyml" else "estimated"
        _choice(self.band, _BANDS, "band")
        if self.chunk_size is not None and self.n_chunks is not None:
            raise InvalidInputError("give at most one of chunk_size and n_chunks")
        for name in ("chunk_size", "n_chunks"):
            if getattr(self, name) is not None:
                count_arg(getattr(self, name), name)
        self.threshold = real_arg(self.threshold, "threshold")
        if not math.isfinite(self.threshold):
            raise InvalidInputError(f"threshold must be finite, got {self.threshold!r}")
        for name, low in (("n_folds", 2), ("exact_max_rows", 0), ("auc_draws", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise InvalidTypeError(f"{name} must be an integer, got {type(value).__name__}")
            if value < low:
                raise InvalidInputError(f"{name} must be at least {low}, got {value}")
        level = real_arg(self.confidence_level, "confidence_level")
        if not 0 < level < 1:
            raise InvalidInputError(f"confidence_level must be in (0, 1), got {self.confidence_level!r}")
        spread = real_arg(self.sigma, "sigma")
        if not 0 <= spread < math.inf:
            raise InvalidInputError(f"sigma must be a finite number >= 0, got {self.sigma!r}")
        self.seed = seed_arg(self.seed, allow_none=False)
        n_jobs_arg(self.n_jobs)

    def _scores(self, y_score: ArrayLike, y_pred: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
        score = np.ascontiguousarray(as_sample(y_score, "y_score"), dtype=np.float64)
        predicted = (
            (score >= self.threshold).astype(np.uint8) if y_pred is None else _binary(y_pred, "y_pred", score.size)
        )
        if self.calibration is None and ((score < 0) | (score > 1)).any():
            raise InvalidInputError("y_score must be probabilities in [0, 1] with calibration=None")
        return score, predicted

    def _probability(self, score: np.ndarray) -> np.ndarray:
        if self.calibration is None:
            return score
        return _core_monitor.calibrate(self._fitted["calibration"], score, n_jobs_arg(self.n_jobs))

    def _estimate_chunks(
        self, probability: np.ndarray, score: np.ndarray, predicted: np.ndarray, labels: np.ndarray, n_chunks: int
    ) -> dict[str, np.ndarray]:
        return _core_monitor.estimate_chunks(
            probability,
            score,
            predicted,
            labels,
            n_chunks,
            [_core_monitor.Metric[m] for m in self.metrics],
            float(self.confidence_level),
            int(self.exact_max_rows),
            int(self.auc_draws),
            self.seed,
            n_jobs_arg(self.n_jobs),
        )

    def _chosen(self, estimates: dict[str, np.ndarray]) -> np.ndarray:
        if self.convention == "assay":
            return np.asarray(estimates["estimate"])
        return np.nan_to_num(np.asarray(estimates["plug_in"]), nan=0.0)  # NannyML's 0 for 0 / 0

    def fit(self, y_true: ArrayLike, y_score: ArrayLike, y_pred: ArrayLike | None = None, *, chunk: Any = None) -> CBPE:
        """Calibrates on the labelled reference and sets the reference band.

        Parameters
        ----------
        y_true : ArrayLike
            The reference labels, 0/1 or bool.
        y_score : ArrayLike
            The model's scores for the positive class (finite; any scale with calibration).
        y_pred : ArrayLike, optional
            The predicted labels (0/1); by default ``y_score >= threshold``.
        chunk : ArrayLike, optional
            A chunk key per reference row; by default chunks by ``chunk_size`` / ``n_chunks``.

        Returns
        -------
        CBPE
            Itself, fitted.

        Raises
        ------
        InvalidInputError
            A value is NaN or infinite, a label is not 0/1, the lengths differ, the reference
            holds one class only, or has fewer rows than ``n_folds``.
        InvalidTypeError
            An input is not numeric.
        """
        score, predicted = self._scores(y_score, y_pred)
        label = _binary(y_true, "y_true", score.size)
        if label.min() == label.max():
            raise InvalidInputError("y_true holds one class only; the reference needs both to calibrate")
        jobs = n_jobs_arg(self.n_jobs)
        labels, names = _chunks(score.size, chunk, self.chunk_size, self.n_chunks, "chunk")
        if self.calibration is None:
            probability = score
        else:
            self._fitted["calibration"] = _core_monitor.fit_isotonic(score, label)
            probability = (
                self._probability(score)
                if self.convention == "nannyml"
                else _core_monitor.cross_fitted_probabilities(score, label, int(self.n_folds), self.seed, jobs)
            )
        estimates = self._estimate_chunks(probability, score, predicted, labels, len(names))
        core_metrics = [_core_monitor.Metric[m] for m in self.metrics]
        realized = np.asarray(
            _core_monitor.realized_chunks(label, score, predicted, labels, len(names), core_metrics, jobs)
        )
        reference_estimate = self._chosen(estimates)
        self._fitted.update(
            reference_estimate=reference_estimate,
            reference_realized=realized,
            band=_band(realized if self.band == "realized" else reference_estimate, float(self.sigma)),
        )
        return self

    def estimate(
        self,
        y_score: ArrayLike,
        y_pred: ArrayLike | None = None,
        *,
        chunk: Any = None,
        y_true: ArrayLike | None = None,
    ) -> CBPEResult:
        """Estimates the metrics on every chunk of the current data.

        Parameters
        ----------
        y_score : ArrayLike
            The model's scores on the current rows.
        y_pred : ArrayLike, optional
            The predicted labels (0/1); by default ``y_score >= threshold``.
        chunk : ArrayLike, optional
            A chunk key per current row (a date, a batch id); chunks are ordered by their
            first row. By default chunks by ``chunk_size`` / ``n_chunks``.
        y_true : ArrayLike, optional
            Labels once they arrive: the result then also holds the realised metrics.

        Returns
        -------
        CBPEResult
            Per chunk and metric: the estimate, its interval, the band and the alert.

        Raises
        ------
        InvalidInputError
            Not fitted, or the inputs are invalid as in ``fit``.
        """
        if "band" not in self._fitted:
            raise InvalidInputError("this CBPE is not fitted: call fit(y_true, y_score) on the reference first")
        score, predicted = self._scores(y_score, y_pred)
        labels, names = _chunks(score.size, chunk, self.chunk_size, self.n_chunks, "chunk")
        estimates = self._estimate_chunks(self._probability(score), score, predicted, labels, len(names))
        realized = None
        if y_true is not None:
            label = _binary(y_true, "y_true", score.size)
            core_metrics = [_core_monitor.Metric[m] for m in self.metrics]
            realized = np.asarray(
                _core_monitor.realized_chunks(
                    label, score, predicted, labels, len(names), core_metrics, n_jobs_arg(self.n_jobs)
                )
            )
        rows = np.asarray(estimates["rows"])
        chunks = [{"chunk": i, "label": name, "rows": int(r)} for i, (name, r) in enumerate(zip(names, rows))]
        band_lower, band_upper = self._fitted["band"]
        return CBPEResult(
            metrics=list(self.metrics),
            chunks=chunks,
            estimate=self._chosen(estimates),
            lower=np.asarray(estimates["lower"]),
            upper=np.asarray(estimates["upper"]),
            plug_in=np.asarray(estimates["plug_in"]),
            band_lower=band_lower,
            band_upper=band_upper,
            reference_estimate=self._fitted["reference_estimate"],
            reference_realized=self._fitted["reference_realized"],
            realized=realized,
            confidence_level=float(self.confidence_level),
            convention=self.convention,
        )
