"""Drift of all columns together: the kernel two-sample test (``mmd``), the PCA
reconstruction error per chunk (``pca_reconstruction``) and the domain classifier
(``domain_classifier``), with their results."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import report
from .._chunks import chunk_labels, time_seconds
from .._core import drift as _core_drift
from .._frame import CATEGORICAL, Frame, as_frame
from .._inputs import converted, count_arg, real_arg
from .._results import Exportable, nan_if_none
from .._util import json_safe, n_jobs_arg, seed_arg
from ..errors import InvalidInputError, InvalidTypeError, ResourceLimitError
from ..typing import ArrayLike, NJobs, Progress, TableLike
from ._inputs import checked_frames, flag_arg, progress_arg, threshold_arg


def _matrix(frame: Frame, columns: Sequence[str], argument: str) -> np.ndarray:
    """Row-major float64 matrix of numeric columns; non-finite values are an error.

    Filled in blocks of rows: cache-friendly, and each step is short enough for Ctrl-C.
    """
    categorical = [c for c in columns if frame.column(c).kind == CATEGORICAL]
    if categorical:
        raise InvalidTypeError(f"{argument}: multivariate drift needs numeric columns; {categorical} are categorical")
    if not columns:
        raise InvalidInputError(f"{argument}: no columns to compare")
    values = [frame.column(c).values for c in columns]
    matrix = np.empty((frame.n_rows, len(columns)))
    for begin in range(0, frame.n_rows, _ROW_BLOCK):
        end = min(frame.n_rows, begin + _ROW_BLOCK)
        matrix[begin:end] = np.column_stack([v[begin:end] for v in values])
    _require_finite(matrix, argument, columns)
    return matrix


_ROW_BLOCK = 16384


def _require_finite(matrix: np.ndarray, argument: str, columns: Sequence[Any]) -> None:
    bad = ~np.isfinite(matrix)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InvalidInputError(
            f"{argument}: column '{columns[col]}' holds NaN or infinite values (row {row}); drop or impute them first"
        )


def _plain_matrix(values: Any) -> bool:
    return isinstance(values, np.ndarray) and values.ndim == 2 and values.dtype.kind in "biuf"


def _matrices(
    reference: Any, current: Any, columns: Any, exclude: set[str], cur_frame: Frame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The reference and current rows as row-major float64 matrices for the multivariate
    detectors. Two 2-D numeric arrays (no ``columns``) are used as they are (no copy when
    already C-ordered float64); tables go through the column checks of ``report``."""
    if columns is None and not exclude and _plain_matrix(reference) and _plain_matrix(current) and cur_frame is None:
        if reference.shape[0] == 0:
            raise InvalidInputError("reference has no rows")
        if reference.shape[1] != current.shape[1]:
            raise InvalidInputError(
                f"reference and current have {reference.shape[1]} and {current.shape[1]} columns; "
                "they must have the same columns"
            )
        if reference.shape[1] == 0:
            raise InvalidInputError("reference: no columns to compare")
        names = [f"x{j}" for j in range(reference.shape[1])]
        x, y = (np.ascontiguousarray(m, dtype=np.float64) for m in (reference, current))
        _require_finite(x, "reference", names)
        _require_finite(y, "current", names)
        return x, y
    ref, cur, names = checked_frames(reference, current if cur_frame is None else cur_frame, columns, exclude)
    return _matrix(ref, names, "reference"), _matrix(cur, names, "current")


@dataclass(frozen=True)
class MMDResult:
    """The result of [`mmd`][assay.drift.mmd], a kernel two-sample test.

    Unpacks as ``statistic, pvalue``. The fields are also the attributes.

    Parameters
    ----------
    statistic : float
        The unbiased estimate of MMD^2.
    pvalue : float
        The permutation p-value (1 + #{permuted >= observed}) / (1 + n_permutations).
    bandwidth : float
        The RBF kernel's bandwidth used (the median heuristic's, unless given).
    n_permutations : int
        The number of permutations.
    permuted : numpy.ndarray
        The statistic of each permutation.
    """

    statistic: float
    pvalue: float
    bandwidth: float
    n_permutations: int
    permuted: np.ndarray = field(repr=False)

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            ``statistic``, ``pvalue``, ``bandwidth`` and ``n_permutations`` (not the
            permuted statistics); NaN as None.
        """
        return json_safe(
            {
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "bandwidth": self.bandwidth,
                "n_permutations": self.n_permutations,
            }
        )


def _positive_real(value: Any, argument: str) -> float:
    number = real_arg(value, argument)
    if not (0 < number < math.inf):
        raise InvalidInputError(f"{argument} must be a finite number > 0, got {value!r}")
    return number


MAX_MMD_CELLS = 2**30
"""Largest permutation matrix [`mmd`][assay.drift.mmd] builds: (rows of both samples) x
(n_permutations + 1) doubles."""


def mmd(
    reference: TableLike,
    current: TableLike,
    *,
    columns: Sequence[str] | None = None,
    n_permutations: int = 100,
    bandwidth: float | None = None,
    standardize: bool = False,
    seed: int = 0,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> MMDResult:
    """Maximum mean discrepancy with an RBF kernel and a permutation p-value.

    The kernel is exp(-||a - b||^2 / (2 bandwidth^2)); by default the bandwidth comes
    from the median heuristic (half the median squared distance between reference and
    current rows, as alibi-detect). Permutation p of the pooled rows is drawn from
    CounterRng(seed, p), so results are the same for every ``n_jobs``.

    On raw values the kernel sees distances in data units, so the columns with the
    largest scale decide alone: on features of very different scales a shift in a
    small-scale column goes unseen (in the drift guide's breast-cancer example the raw
    test gives p = 0.95, the standardised one p = 0.02, while KS on the shifted column
    gives p = 4e-9). Pass ``standardize=True`` for such data.

    Parameters
    ----------
    reference : TableLike
        The reference rows: a 2-D numeric array (used as it is, without a copy when it is
        C-ordered float64) or a table of numeric columns.
    current : TableLike
        The current rows, with the same columns.
    columns : Sequence[str], optional
        The columns to compare (tables only); by default every reference column.
    n_permutations : int, default 100
        Permutations of the pooled rows for the p-value, a positive integer.
    bandwidth : float, optional
        The kernel's bandwidth, a finite number > 0; by default the median heuristic.
    standardize : bool, default False
        Rescale every column of both samples with the reference's mean and population
        standard deviation first (a column constant in the reference is centred only);
        the bandwidth then applies to the standardised values.
    seed : int, default 0
        Seed of the permutations: a non-negative integer below 2**64.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    MMDResult
        The statistic, the p-value and the bandwidth used.

    Raises
    ------
    InvalidTypeError
        A table is not a table, or a compared column is categorical.
    InvalidInputError
        A sample has no rows, the samples have different columns, there is no column to
        compare, or a value is NaN or infinite (the message names the column and row); ``n_permutations``,
        ``bandwidth`` or ``seed`` is out of range (InvalidTypeError when not a number).
    ResourceLimitError
        The permutation matrix would have more than
        [`MAX_MMD_CELLS`][assay.drift.MAX_MMD_CELLS] cells.

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = rng.normal(size=(300, 2))
    >>> current = rng.normal(size=(300, 2)) + [0.5, 0.0]
    >>> result = drift.mmd(reference, current, n_permutations=200, seed=1)
    >>> round(result.statistic, 3), round(result.pvalue, 4)
    (0.029, 0.005)
    """
    n_permutations = count_arg(n_permutations, "n_permutations")
    width = 0.0 if bandwidth is None else _positive_real(bandwidth, "bandwidth")
    scaled = flag_arg(standardize, "standardize")
    seed, jobs, callback = (
        seed_arg(seed, allow_none=False),
        n_jobs_arg(n_jobs),
        progress_arg(progress, "MMD permutations"),
    )
    x, y = _matrices(reference, current, columns, set())
    rows = x.shape[0] + y.shape[0]
    cells = rows * (n_permutations + 1)
    if cells > MAX_MMD_CELLS:
        raise ResourceLimitError(
            f"n_permutations: {rows} rows x {n_permutations + 1} permutations "
            f"need {cells * 8 / 2**30:.1f} GiB, above the limit of "
            f"{MAX_MMD_CELLS * 8 / 2**30:.0f} GiB; "
            "use fewer permutations or a sample of the rows"
        )
    statistic, pvalue, used, permuted = _core_drift.mmd_test(x, y, n_permutations, seed, width, jobs, callback, scaled)
    return MMDResult(float(statistic), float(pvalue), float(used), n_permutations, permuted)


@dataclass
class ReconstructionDrift(Exportable):
    """PCA reconstruction error per chunk (NannyML's data-reconstruction drift).

    The result of [`pca_reconstruction`][assay.drift.pca_reconstruction]. A current chunk
    whose error leaves the band [``lower``, ``upper``] raises an alert. The fields are also
    the attributes.

    Parameters
    ----------
    chunks : list of dict
        One dict per current chunk: ``chunk`` (its index), ``label`` and ``rows``.
    errors : numpy.ndarray
        The mean reconstruction error of each current chunk.
    reference_errors : numpy.ndarray
        The errors of the reference chunks, which set the band.
    lower : float
        Mean minus ``sigma`` standard deviations of ``reference_errors``.
    upper : float
        Mean plus ``sigma`` standard deviations of ``reference_errors``.
    n_components : int
        The principal components kept.
    explained_variance : float
        The share of the reference's variance they explain.
    """

    chunks: list[dict[str, Any]]
    errors: np.ndarray
    reference_errors: np.ndarray
    lower: float
    upper: float
    n_components: int
    explained_variance: float

    @property
    def alerts(self) -> np.ndarray:
        """Per current chunk, whether its error leaves the band (a bool array)."""
        return (self.errors < self.lower) | (self.errors > self.upper)

    def to_frame(self) -> Any:
        """The chunks as a table (needs pandas).

        Returns
        -------
        pandas.DataFrame
            One row per current chunk: ``chunk``, ``label``, ``rows``, ``error``,
            ``lower``, ``upper`` and ``alert``.
        """
        import pandas as pd

        frame = pd.DataFrame(self.chunks)
        frame["error"] = self.errors
        frame["lower"], frame["upper"], frame["alert"] = self.lower, self.upper, self.alerts
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            The fields and ``alerts``, arrays as lists; NaN as None.
        """
        return json_safe(
            {
                "chunks": self.chunks,
                "errors": self.errors.tolist(),
                "reference_errors": self.reference_errors.tolist(),
                "lower": self.lower,
                "upper": self.upper,
                "alerts": self.alerts.tolist(),
                "n_components": self.n_components,
                "explained_variance": self.explained_variance,
            }
        )

    _kind = "ReconstructionDrift"
    _title = "assay PCA reconstruction drift"

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> ReconstructionDrift:
        return cls(
            chunks=data["chunks"],
            errors=np.array([nan_if_none(e) for e in data["errors"]]),
            reference_errors=np.array([nan_if_none(e) for e in data["reference_errors"]]),
            lower=nan_if_none(data["lower"]),
            upper=nan_if_none(data["upper"]),
            n_components=int(data["n_components"]),
            explained_variance=nan_if_none(data["explained_variance"]),
        )

    def _sections(self) -> list[report.Section]:
        labels = [str(c["label"]) for c in self.chunks]
        n = len(labels)
        chart = report.charts.line(
            labels,
            self.errors,
            title="Reconstruction error per chunk",
            lower=[self.lower] * n,
            upper=[self.upper] * n,
            y_label="mean error",
            band_label="reference band",
        )
        rows: list[list[report.Cell]] = [
            [label, float(e), report.Badge("failed", "alert") if a else "no"]
            for label, e, a in zip(labels, self.errors, self.alerts)
        ]
        facts = report.Text(
            f"{self.n_components} components explain {self.explained_variance:.1%} of the reference's variance; "
            f"band [{report.format_number(self.lower)}, {report.format_number(self.upper)}]."
        )
        table = report.Table(["chunk", "error", "alert"], rows)
        return [report.Section("PCA reconstruction drift", [facts, chart, table], anchor="reconstruction")]


def pca_reconstruction(
    reference: TableLike,
    current: TableLike,
    *,
    columns: Sequence[str] | None = None,
    variance: float = 0.65,
    chunk_size: int | None = None,
    n_chunks: int | None = None,
    time: str | ArrayLike | None = None,
    freq: str | None = None,
    sigma: float = 3.0,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> ReconstructionDrift:
    """Fits a PCA on ``reference`` and reports the mean reconstruction error per chunk.

    Columns are standardised with reference statistics; the fewest components
    explaining more than ``variance`` (NannyML's 0.65) are kept. Current rows are
    chunked as in [`over_time`][assay.drift.over_time]; the reference is cut into chunks
    the same way (``chunk_size`` or ``n_chunks``; 10 by default) to set the alert band
    mean +/- ``sigma`` standard deviations of the reference chunk errors. The error grows
    when the correlations between columns change, even if no column drifts alone.

    Parameters
    ----------
    reference : TableLike
        The reference rows: a 2-D numeric array (used as it is, without a copy when it is
        C-ordered float64) or a table of numeric columns.
    current : TableLike
        The current rows, with the same columns.
    columns : Sequence[str], optional
        The columns to compare (tables only); by default every reference column.
    variance : float, default 0.65
        The share of variance, in (0, 1], that the kept components must exceed.
    chunk_size : int, optional
        Rows per chunk.
    n_chunks : int, optional
        The number of (nearly) equal chunks; 10 when neither ``chunk_size`` nor ``freq``
        is given.
    time : str or ArrayLike, optional
        A column name of ``current`` (then not compared) or an array with one value per
        current row, to order the current rows and to chunk them with ``freq``.
    freq : str, optional
        A pandas period alias such as ``"D"``: one current chunk per period of ``time``.
    sigma : float, default 3.0
        The band's half-width in standard deviations, a finite number >= 0.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        As in [`report`][assay.drift.report]; the fit asks it after every block of rows,
        so Ctrl-C stops it promptly.

    Returns
    -------
    ReconstructionDrift
        The error of every current chunk, the reference band and the alerts.

    Raises
    ------
    InvalidTypeError
        A table is not a table, or a compared column is categorical.
    InvalidInputError
        A sample has no rows, the samples have different columns, there is no column to
        compare, or a value is NaN or infinite (the message names the column and row); ``variance`` or ``sigma``
        is out of range, or the chunking options are invalid (as in
        [`over_time`][assay.drift.over_time]).

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(1000, 1))
    >>> reference = np.hstack([z, z + 0.1 * rng.normal(size=(1000, 1))])  # two correlated columns
    >>> current = rng.normal(size=(400, 2))  # the correlation is gone
    >>> result = drift.pca_reconstruction(reference, current, n_chunks=4)
    >>> result.n_components, result.alerts.tolist()
    (1, [True, True, True, True])
    """
    spread_factor = real_arg(sigma, "sigma")
    if not 0 <= spread_factor < math.inf:
        raise InvalidInputError(f"sigma must be a finite number >= 0, got {sigma!r}")
    share = real_arg(variance, "variance")
    if not 0 < share <= 1:
        raise InvalidInputError(f"variance must be in (0, 1], got {variance!r}")
    jobs, callback = n_jobs_arg(n_jobs), progress_arg(progress, "PCA fit")
    if isinstance(time, str):  # a column of current: excluded from the columns compared
        cur_frame = converted(lambda: as_frame(current, argument="current"), "current")
        time_values = time_seconds(time, cur_frame)
        x, y = _matrices(reference, current, columns, {time}, cur_frame)
    else:
        x, y = _matrices(reference, current, columns, set())
        time_values = time_seconds(time, y.shape[0])
    if y.shape[0] == 0:
        raise InvalidInputError("current has no rows")
    labels, names_of_chunks = chunk_labels(y.shape[0], time_values, freq, chunk_size, n_chunks)
    ref_labels, ref_names = chunk_labels(x.shape[0], None, None, chunk_size, n_chunks)
    model = _core_drift.fit_pca(x, share, callback)
    errors = np.asarray(_core_drift.reconstruction_error(model, y, labels, len(names_of_chunks), jobs, callback))
    reference_errors = np.asarray(
        _core_drift.reconstruction_error(model, x, ref_labels, len(ref_names), jobs, callback)
    )
    centre = float(np.mean(reference_errors))
    spread = float(np.std(reference_errors)) if len(reference_errors) > 1 else math.nan
    counts = np.bincount(labels, minlength=len(names_of_chunks))
    chunks = [{"chunk": i, "label": str(n), "rows": int(c)} for i, (n, c) in enumerate(zip(names_of_chunks, counts))]
    return ReconstructionDrift(
        chunks,
        errors,
        reference_errors,
        centre - spread_factor * spread,
        centre + spread_factor * spread,
        int(model.n_components),
        float(model.explained_variance),
    )


@dataclass(frozen=True)
class DomainClassifierResult:
    """Cross-validated ROC AUC of a classifier telling current rows from reference rows.

    The result of [`domain_classifier`][assay.drift.domain_classifier]. The fields are
    also the attributes.

    Parameters
    ----------
    auc : float
        The out-of-fold ROC AUC; near 0.5 when the samples look alike.
    lower : float
        Lower end of the 95% interval of the AUC (Hanley & McNeil standard error).
    upper : float
        Upper end of that interval.
    fold_auc : list of float
        The AUC of each fold.
    threshold : float
        The AUC above which the interval must lie for drift.
    scores : numpy.ndarray
        The out-of-fold P(current) of every row, reference rows first.
    folds : numpy.ndarray
        The fold of every row, in the same order.
    """

    auc: float
    lower: float
    upper: float
    fold_auc: list[float]
    threshold: float
    scores: np.ndarray = field(repr=False)
    folds: np.ndarray = field(repr=False)

    @property
    def drifted(self) -> bool:
        """Whether the AUC's interval lies above ``threshold``."""
        return bool(self.lower > self.threshold)

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-safe dict.

        Returns
        -------
        dict
            ``auc``, ``lower``, ``upper``, ``fold_auc``, ``threshold`` and ``drifted`` (not
            the scores and folds); NaN as None.
        """
        return json_safe(
            {
                "auc": self.auc,
                "lower": self.lower,
                "upper": self.upper,
                "fold_auc": self.fold_auc,
                "threshold": self.threshold,
                "drifted": self.drifted,
            }
        )


MAX_TREES = 100_000
"""Largest ``n_trees`` of the boosted [`domain_classifier`][assay.drift.domain_classifier]."""


MAX_DEPTH = 64
"""Largest ``max_depth`` of the boosted [`domain_classifier`][assay.drift.domain_classifier]."""


def _positive_int(value: Any, argument: str, limit: int) -> int:
    number = count_arg(value, argument)
    if number > limit:
        raise InvalidInputError(f"{argument} is {number}, above the limit of {limit}")
    return number


def domain_classifier(
    reference: TableLike,
    current: TableLike,
    *,
    columns: Sequence[str] | None = None,
    classifier: str = "logistic",
    n_folds: int = 5,
    l2: float = 1.0,
    n_trees: int = 100,
    max_depth: int = 3,
    learning_rate: float = 0.1,
    threshold: float = 0.55,
    seed: int = 0,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> DomainClassifierResult:
    """Domain-classifier drift: cross-validated AUC of a model telling current rows from reference rows.

    The model is trained in C++. ``classifier='logistic'``: L2-regularised logistic
    regression on standardised columns (Eigen). ``classifier='gbt'``: gradient-boosted
    trees on the log-loss (histogram splits on at most 255 bins per column, at least 20
    rows per leaf), which also catches non-linear shifts such as a change of variance.
    Drift is flagged when the lower end of the AUC interval exceeds ``threshold``
    (Evidently's 0.55 for its absolute domain-classifier test).

    Parameters
    ----------
    reference : TableLike
        The reference rows: a 2-D numeric array (used as it is, without a copy when it is
        C-ordered float64) or a table of numeric columns.
    current : TableLike
        The current rows, with the same columns.
    columns : Sequence[str], optional
        The columns to compare (tables only); by default every reference column.
    classifier : str, default 'logistic'
        ``"logistic"`` or ``"gbt"``.
    n_folds : int, default 5
        Stratified folds of the cross-validation (NannyML uses 5), an integer >= 2; each
        sample needs at least that many rows.
    l2 : float, default 1.0
        L2 penalty, a finite number >= 0: 1/C of scikit-learn's LogisticRegression for
        ``"logistic"``, the penalty on the leaf values for ``"gbt"``.
    n_trees : int, default 100
        Trees of ``"gbt"``, at most [`MAX_TREES`][assay.drift.MAX_TREES].
    max_depth : int, default 3
        Depth limit of each tree of ``"gbt"``, at most [`MAX_DEPTH`][assay.drift.MAX_DEPTH].
    learning_rate : float, default 0.1
        Shrinkage of ``"gbt"``, a finite number > 0.
    threshold : float, default 0.55
        The AUC, in [0, 1], that the interval's lower end must exceed for drift.
    seed : int, default 0
        Seed of the fold assignment: a non-negative integer below 2**64.
    n_jobs : NJobs, default None
        Threads: None or -1 for all cores, else a positive integer. The result does not
        depend on it.
    progress : Progress, default None
        Progress display: True always, False never, None after two seconds of work, or a
        callable ``callback(done, total)``.

    Returns
    -------
    DomainClassifierResult
        The AUC, its interval, the verdict and the out-of-fold scores.

    Raises
    ------
    InvalidTypeError
        A table is not a table, or a compared column is categorical.
    InvalidInputError
        A sample has no rows, the samples have different columns, there is no column to
        compare, or a value is NaN or infinite (the message names the column and row); ``classifier`` is
        unknown; a sample has fewer rows than ``n_folds``; a numeric option is out of range
        (InvalidTypeError when not a number).

    Examples
    --------
    >>> import numpy as np
    >>> from assay import drift
    >>> rng = np.random.default_rng(0)
    >>> reference = rng.normal(size=(300, 2))
    >>> current = rng.normal(size=(300, 2)) + [0.5, 0.0]
    >>> result = drift.domain_classifier(reference, current, seed=1)
    >>> round(result.auc, 2), result.drifted
    (0.64, True)
    >>> drift.domain_classifier(reference, current, classifier="gbt", n_trees=20, seed=1).drifted
    True
    """
    if not isinstance(classifier, str) or classifier not in ("logistic", "gbt"):
        raise InvalidInputError(f"classifier must be 'logistic' or 'gbt', got {classifier!r}")
    folds_wanted = count_arg(n_folds, "n_folds")
    if folds_wanted < 2:
        raise InvalidInputError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    penalty = real_arg(l2, "l2")
    if not 0 <= penalty < math.inf:
        raise InvalidInputError(f"l2 must be a finite number >= 0, got {l2!r}")
    rate = _positive_real(learning_rate, "learning_rate")
    trees, depth = _positive_int(n_trees, "n_trees", MAX_TREES), _positive_int(max_depth, "max_depth", MAX_DEPTH)
    limit = threshold_arg(threshold, "threshold")
    if math.isnan(limit) or limit > 1:
        raise InvalidInputError(f"threshold must be an AUC in [0, 1], got {threshold!r}")
    seed, jobs, callback = (
        seed_arg(seed, allow_none=False),
        n_jobs_arg(n_jobs),
        progress_arg(progress, "domain classifier"),
    )
    x, y = _matrices(reference, current, columns, set())
    for matrix, argument in ((x, "reference"), (y, "current")):
        if matrix.shape[0] < folds_wanted:
            raise InvalidInputError(
                f"{argument} has {matrix.shape[0]} rows; each sample needs at least n_folds = {folds_wanted} rows"
            )
    auc, lower, upper, fold_auc, scores, folds = _core_drift.domain_classifier(
        x, y, folds_wanted, _core_drift.DomainModel[classifier], penalty, trees, depth, rate, seed, jobs, callback
    )
    return DomainClassifierResult(
        float(auc), float(lower), float(upper), [float(a) for a in fold_auc], limit, scores, folds
    )
