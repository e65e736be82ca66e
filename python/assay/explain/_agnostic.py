"""Model-agnostic explainers: ``ExactExplainer``, ``KernelExplainer``,
[`PermutationExplainer`][assay.explain.PermutationExplainer], and the closed form
[`LinearExplainer`][assay.explain.LinearExplainer].

The first three explain any model given as a callable on a 2-D float array, with the
interventional game v(S) = link(sum_b w_b f(x_S, b_notS)) over background rows b.
The coalition designs, the masked rows, the background means and the solvers are in
assay's core (``cpp/include/assay/explain/agnostic.hpp``); this module only calls the
user's model, once per chunk of (row, coalition) items with ``batch_size`` rows at
most, never once per row. See docs/explain_any_model.md.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any, Callable

import numpy as np

from .._core import agnostic as _core_agnostic
from .._core import resolve_threads
from .._frame import as_frame
from .._progress import progress_callback
from .._util import n_jobs_arg, require_fits, seed_arg
from ..errors import AssayError, InvalidInputError, InvalidTypeError, ResourceLimitError
from ..typing import ArrayLike, NJobs, Progress, Seed, TableLike
from ._explanation import Explanation
from ._models import tree_model
from ._shap_compat import Independent, _background_of, _load_explainer, _rows_of, _save_explainer

__all__ = ["Background", "ExactExplainer", "KernelExplainer", "LinearExplainer", "PermutationExplainer", "kmeans"]

_LINKS = tuple(_core_agnostic.Link.__members__)  # ("identity", "logit")
# Default size of one chunk of masked rows (bytes): small enough to stay in cache between
# the core writing the rows and the model reading them.
_CHUNK_BYTES = 2 << 20


class Background:
    """Weighted background rows (e.g. from [`kmeans`][assay.explain.kmeans]); every explainer takes it as ``data``.

    Parameters
    ----------
    data : numpy.ndarray
        The rows, shape (rows, features).
    weights : numpy.ndarray
        One non-negative weight per row.
    feature_names : sequence of str
        The names of the features.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.explain import Background
    >>> background = Background(np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([0.25, 0.75]), ["a", "b"])
    >>> background, len(background)
    (Background(2 weighted rows x 2 features), 2)
    """

    def __init__(self, data: np.ndarray, weights: np.ndarray, feature_names: Sequence[str]) -> None:
        self.data, self.weights, self.feature_names = data, weights, list(feature_names)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"Background({len(self.data)} weighted rows x {self.data.shape[1]} features)"


def kmeans(
    data: TableLike,
    k: int,
    *,
    seed: Seed = 0,
    round_values: bool = True,
    n_jobs: NJobs = None,
    progress: Progress = None,
) -> Background:
    """Summarises background rows by ``k`` k-means centres weighted by their clusters' shares (as ``shap.kmeans``).

    k-means++ seeding and Lloyd iterations run in the core (the same result for every
    ``n_jobs``). Pass the result as ``data`` to any explainer: a model-agnostic explainer
    then evaluates ``k`` background rows instead of all of them. The core checks for
    Ctrl-C (and calls ``progress``) at least every few million distance terms.

    Parameters
    ----------
    data : TableLike
        The rows to summarise: numeric and finite (NaN or inf is an error).
    k : int
        The number of centres, from 1 to the number of rows.
    seed : Seed, default 0
        Seed of the k-means++ seeding (None: a fresh one).
    round_values : bool, default True
        Replace every centre coordinate by the nearest value of that feature in the data.
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores); the result does not depend on it.
    progress : Progress, optional
        True, False, None (a bar after two seconds of work) or a callable
        ``callback(done, total)``.

    Returns
    -------
    Background
        The centres, their clusters' shares of the rows as weights, and the feature names.

    Raises
    ------
    InvalidInputError
        Non-finite data, no rows or columns, or ``k`` out of range.
    InvalidTypeError
        A non-numeric column, a ``k`` or ``seed`` that is not an integer, or a
        ``round_values`` that is not a bool.
    ResourceLimitError
        ``k`` beyond the int32 index range.

    Examples
    --------
    >>> import numpy as np
    >>> from assay.explain import kmeans
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> background = kmeans(X, 5, seed=0)
    >>> background
    Background(5 weighted rows x 3 features)
    >>> background.weights.round(2)
    array([0.18, 0.14, 0.08, 0.2 , 0.4 ])
    """
    seed = seed_arg(seed)
    matrix, names = _matrix(data, "data", None)
    expected = f"an integer between 1 and the number of rows ({len(matrix)})"
    k = _count_arg(k, "k", expected=expected)
    if k > len(matrix):
        raise InvalidInputError(f"k must be {expected}, got {k}")
    if k > _INT32_MAX:
        raise ResourceLimitError(f"k={k}: at most {_INT32_MAX} centres")
    if not isinstance(round_values, (bool, np.bool_)):
        raise InvalidTypeError(f"round_values must be True or False, got {round_values!r}")
    centers, weights = _core_agnostic.kmeans(
        matrix, k, seed, bool(round_values), n_jobs_arg(n_jobs), progress_callback(progress, "k-means")
    )
    return Background(centers, weights, names)


class _AgnosticExplainer:
    """What the sampling explainers share: the model, the background and the batched evaluation of v(S)."""

    def __init__(
        self,
        model: Any,
        data: TableLike | Background,
        link: str = "identity",
        n_jobs: NJobs = None,
        *,
        data_weights: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        batch_size: int | None = None,
        progress: Progress = None,
    ) -> None:
        self._native = _native_model(model)
        if self._native is None and not callable(model):
            hint = " such as model.predict" if hasattr(model, "predict") else ""
            raise InvalidTypeError(
                f"model: expected a callable on a 2-D array{hint}, or a fitted tree ensemble or linear model, "
                f"got {type(model).__name__}"
            )
        link = _link_name(link)
        if not isinstance(link, str) or link not in _LINKS:
            raise InvalidInputError(f"link must be one of {_LINKS}, got {link!r}")
        self._init_args: dict[str, Any] = {
            "link": link,
            "n_jobs": n_jobs,
            "feature_names": feature_names,
            "batch_size": batch_size,
        }
        self.model = model
        self.link = link
        self._link = _core_agnostic.Link[link]
        self.n_jobs = n_jobs_arg(n_jobs)
        self.batch_size = (
            None
            if batch_size is None
            else _count_arg(batch_size, "batch_size", expected="a positive integer (or None: about 2 MB per call)")
        )
        self.progress = progress
        data, data_weights = _background_of(data, data_weights)
        data, data_weights, feature_names = _unpack_background(data, data_weights, feature_names)
        self.data, self.feature_names = _matrix(_rows_of(data), "data", feature_names)
        n_background = len(self.data)
        self.data_weights = np.empty(0) if data_weights is None else _weights_arg(data_weights, n_background)
        if self._native is not None:
            self.n_outputs = self._native.n_outputs
            if self._native.n_features != self.n_features:
                raise InvalidInputError(
                    f"data has {self.n_features} columns but the model uses {self._native.n_features} features"
                )
            empty = _core_agnostic.design_from_arrays(np.zeros((1, self.n_features)), np.ones(1))
            self._expected = self._coalition_values(self.data[:1], empty, "")[0, 0]
        else:
            self.n_outputs = 0  # learnt from the first call
            self._background_outputs = self._call(self.data)
            self._expected = _core_agnostic.coalition_values(
                self._background_outputs, 1, n_background, self.data_weights, self._link
            )[0]
        if not np.all(np.isfinite(self._expected)):
            raise InvalidInputError(
                "model: the (weighted) mean output over the background rows is not finite (the outputs are too "
                "large for float64); scale the model's output down"
            )

    @property
    def masker(self) -> Independent:
        """The background as shap's masker (``maskers.Independent`` of every background row).

        Returns
        -------
        Independent
            ``masker(mask, x)`` gives the background rows with the masked-in features of x.
        """
        return Independent(self.data, max_samples=None)

    def save(self, out_file: Any, model_saver: Any = ".save", masker_saver: Any = ".save") -> None:
        """Writes the explainer to an open binary file (shap's ``Explainer.save``; see
        [`TreeExplainer.save`][assay.explain.TreeExplainer.save]).

        Parameters
        ----------
        out_file : binary file
            An open file.
        model_saver : ".save", callable or False, default ".save"
            How to write the model: pickled (".save"), by ``model_saver(model, file)``, or not at all.
        masker_saver : ".save", callable or False, default ".save"
            How to write the background rows, alike.
        """
        _save_explainer(self, out_file, model_saver, masker_saver, self._init_args)

    @classmethod
    def load(cls, in_file: Any, model_loader: Any = ".load", masker_loader: Any = ".load") -> Any:
        """Reads an explainer that ``save`` wrote (shap's ``Explainer.load``).

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
        explainer
            An explainer of this class with the same model, background and options.

        Raises
        ------
        InvalidInputError
            A file that ``save`` did not write, or a part left out without its loader.
        """
        return _load_explainer(cls, in_file, model_loader, masker_loader)

    @property
    def n_features(self) -> int:
        """The number of features (columns of the background).

        Returns
        -------
        int
            M, the number of features.
        """
        return self.data.shape[1]

    @property
    def expected_value(self) -> float | np.ndarray:
        """v(empty set): the link of the (weighted) mean output over the background.

        Returns
        -------
        float or numpy.ndarray
            A float for one output, else one value per output. Every explanation starts
            from it: ``expected_value + values.sum(over features)`` is the explained output.
        """
        return float(self._expected[0]) if self.n_outputs == 1 else self._expected.copy()

    # -- evaluation of the model --------------------------------------------------

    def _call(self, batch: np.ndarray) -> np.ndarray:
        """The model's outputs on a batch, as (n, n_outputs) float64, with errors that say what went wrong."""
        try:
            result = self.model(batch)
        except Exception as error:
            raise InvalidInputError(
                f"model: raised {type(error).__name__} on a batch of shape {batch.shape}: {error}"
            ) from error
        outputs = _model_outputs(result, len(batch))
        if self.n_outputs == 0:
            self.n_outputs = outputs.shape[1]
        elif outputs.shape[1] != self.n_outputs:
            raise InvalidInputError(f"model: returned {outputs.shape[1]} outputs, earlier {self.n_outputs}")
        return outputs

    def _coalition_values(self, X: np.ndarray, design: Any, description: str) -> np.ndarray:
        """v(S) for every row of X and coalition of the design: (n_rows, n_coalitions, n_outputs)."""
        if self._native is not None:  # the whole evaluation in the core, no Python call
            return self._native(
                X,
                self.data,
                design,
                self.data_weights,
                self._link,
                self.n_jobs,
                progress_callback(self.progress, description) if description else None,
            )
        # A shared design evaluates each coalition on every background row and averages;
        # a per-background design evaluates it on its own background row only.
        n_background = 1 if design.per_background else len(self.data)
        n_items = len(X) * len(design)
        values = np.empty((n_items, self.n_outputs))
        items_per_call = max(1, self._rows_per_call() // n_background)
        chunks = [(begin, min(n_items, begin + items_per_call)) for begin in range(0, n_items, items_per_call)]
        report = progress_callback(self.progress, description)
        # With two threads or more, a writer thread fills the masked rows of the next chunk
        # (in the core, without the GIL) while the model runs on the current one; the two
        # buffers alternate. Results are the same either way. The core writes each chunk on
        # one thread: a team of threads started per chunk would compete for the cores with
        # the model's own threads (BLAS, OpenMP), and each would wait for the other's.
        overlap = len(chunks) > 1 and resolve_threads(self.n_jobs) > 1
        buffers = [np.empty((min(n_items, items_per_call) * n_background, self.n_features)) for _ in range(1 + overlap)]

        def masked_rows(chunk: int) -> np.ndarray:
            begin, end = chunks[chunk]
            rows = buffers[chunk % len(buffers)][: (end - begin) * n_background]
            _core_agnostic.masked_rows(X, self.data, design, begin, end, 1, rows)
            return rows

        with ThreadPoolExecutor(max_workers=1) if overlap else nullcontext() as writer:
            pending = None  # the writer's task for the current chunk
            for chunk, (begin, end) in enumerate(chunks):  # one model call per chunk of items
                # A chunk the writer has not started on yet (the machine is busy) is written here.
                rows = pending.result() if pending is not None and not pending.cancel() else masked_rows(chunk)
                if writer is not None and chunk + 1 < len(chunks):
                    pending = writer.submit(masked_rows, chunk + 1)
                outputs = self._call(rows)
                values[begin:end] = (
                    outputs
                    if design.per_background
                    else _core_agnostic.coalition_values(
                        outputs, end - begin, n_background, self.data_weights, self._link
                    )
                )
                if report is not None:
                    report(end, n_items)
        return values.reshape(len(X), len(design), self.n_outputs)

    def _rows_per_call(self) -> int:
        """batch_size, or by default as many rows as fill about 2 MB, so that the masked rows
        are still in the processor's cache when the model reads them."""
        if self.batch_size is not None:
            return self.batch_size
        return max(1, _CHUNK_BYTES // (8 * self.n_features))

    @contextlib.contextmanager
    def _call_options(self, batch_size: Any, silent: Any) -> Any:
        """shap's per-call ``batch_size`` and ``silent`` for the duration of one call."""
        saved = self.batch_size, self.progress
        if not (isinstance(batch_size, str) and batch_size == "auto") and batch_size is not None:
            self.batch_size = _count_arg(batch_size, "batch_size", expected="a positive integer or 'auto'")
        self.progress = _silent_progress(self.progress, silent)
        try:
            yield
        finally:
            self.batch_size, self.progress = saved

    def _check_evaluation(self, n_rows: int, n_coalitions: int, argument: str, what: str, extra: int = 0) -> None:
        """Refuses, before anything is allocated, an evaluation whose arrays cannot fit in memory:
        v(S) for every (row, coalition, output) and the attributions (``extra`` bytes more, e.g.
        a solver's), and the masked rows and outputs of one model call."""
        M, B, K = self.n_features, len(self.data), max(self.n_outputs, 1)
        n_items = n_rows * n_coalitions
        values = 8 * K * (2 * n_items + 2 * n_rows * M) + extra
        chunk = 0
        if self._native is None:
            rows_per_item = 1 if getattr(self, "per_background", False) else B
            items_per_call = max(1, self._rows_per_call() // rows_per_item)
            chunk = 2 * 8 * (M + K) * min(n_items, items_per_call) * rows_per_item
        if values >= chunk:
            require_fits(
                argument,
                values + chunk,
                f"{what} ({n_rows} rows x {n_coalitions} coalitions x {K} outputs)",
                "explain fewer rows at a time"
                if argument == "X"
                else f"lower {argument} or explain fewer rows at a time",
            )
        elif self.batch_size is not None:
            require_fits("batch_size", values + chunk, f"the masked rows of one model call ({M} features each)")
        else:
            require_fits(
                "data",
                values + chunk,
                f"the masked rows of one model call ({B} background rows x {M} features per coalition)",
                "summarise the background with assay.explain.kmeans",
            )

    def _full_values(self, X: np.ndarray) -> np.ndarray:
        """v(all features) = link(f(x)) per row: (n_rows, n_outputs)."""
        if self._native is not None:
            full = _core_agnostic.design_from_arrays(np.ones((1, self.n_features)), np.ones(1))
            return np.ascontiguousarray(self._coalition_values(X, full, "")[:, 0, :])
        return _core_agnostic.coalition_values(self._call(X), len(X), 1, np.empty(0), self._link)

    def _rows(self, X: Any) -> np.ndarray:
        X = _rows_of(X)
        if (isinstance(X, np.ndarray) and X.ndim == 1) or type(X).__name__ == "Series":
            X = _one_row(X)
        return _rows_arg(X, self.feature_names)

    def _explanation(self, X: np.ndarray, values: np.ndarray, standard_errors: np.ndarray) -> Explanation:
        if not np.all(np.isfinite(values)):
            if not np.all(np.isfinite(X)) or not np.all(np.isfinite(self.data)):
                raise InvalidInputError(
                    "X: NaN or inf in X or data give the model non-finite outputs, so the attributions are not "
                    "finite; impute them, or use a model that handles missing values"
                )
            raise InvalidInputError(
                "model: the attributions overflow float64 (differences of the model's outputs are not finite); "
                "scale the model's output down"
            )
        single = self.n_outputs == 1
        base = np.broadcast_to(
            self._expected[0] if single else self._expected, (len(X), *self._expected.shape[: not single])
        ).copy()
        explanation = Explanation(values[..., 0] if single else values, base, X.copy(), self.feature_names)
        explanation.standard_errors = standard_errors[..., 0] if single else standard_errors
        return explanation


class ExactExplainer(_AgnosticExplainer):
    """Exact interventional Shapley values of any model, by evaluating all 2^M coalitions.

    The game is v(S) = link(sum_b w_b f(x_S, b_notS)) over the background rows b. The
    coalitions are visited in Gray-code order (consecutive ones differ in one feature)
    and each row costs 2^M x len(data) model evaluations, so this is meant for up to about
    16 features (``max_evals``). Every ``standard_errors`` is 0.

    Parameters
    ----------
    model : callable or fitted model
        A callable taking a 2-D float64 array (rows x features) and returning one output
        per row (shape (n,)) or several (shape (n, k)), e.g. ``model.predict`` or
        ``model.predict_proba``; it is called with large batches of masked rows. A fitted
        tree ensemble (what [`TreeExplainer`][assay.explain.TreeExplainer] takes) or linear model (``coef_``,
        ``intercept_``) given as the object itself is evaluated inside the core with no
        Python call; its raw output (margin, log-odds for classifiers) is explained.
    data : TableLike or Background
        Background rows (any table the input layer reads; all columns numeric), or a
        [`Background`][assay.explain.Background] from [`kmeans`][assay.explain.kmeans].
    link : {"identity", "logit"}, default "identity"
        The values explain link(mean output over the background).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores). Results do not depend on it.
    max_evals : int, default 65536
        The most coalitions per row: more than 2^M is refused (use [`KernelExplainer`][assay.explain.KernelExplainer]).
    data_weights : ArrayLike, optional
        Non-negative weights of the background rows (normalised to sum 1); not with a
        [`Background`][assay.explain.Background], which carries its own.
    feature_names : sequence of str, optional
        Names of the features when ``data`` is an array (default ``x0``, ``x1``, ...).
    batch_size : int, optional
        At most this many rows per model call; None (default): as many as fill about 2 MB
        (so that the rows are still in cache when the model reads them).
    progress : Progress, optional
        True, False, None (a bar after two seconds of work) or a callable
        ``callback(done, total)``; Ctrl-C stops the work.

    Raises
    ------
    InvalidInputError
        2^M above ``max_evals``, an unknown ``link``, background rows that are empty or whose number of columns
        differs from the model's, bad ``data_weights``, or a model whose mean output over
        the background is not finite (or that raises, or returns the wrong shape, on it).
    InvalidTypeError
        A model that is neither callable nor a supported fitted model, a non-numeric
        column, or an argument of the wrong type.
    ResourceLimitError
        The design of 2^M coalitions cannot fit in memory.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from assay.explain import ExactExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3))
    >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
    >>> explainer = ExactExplainer(model.predict, X[:20])
    >>> explainer(X[:2]).values.round(3)
    array([[0.214, 0.146, 0.221],
           [0.172, 0.55 , 0.081]])
    """

    def __init__(
        self,
        model: Any,
        data: TableLike | Background,
        link: str = "identity",
        n_jobs: NJobs = None,
        *,
        max_evals: int = 1 << 16,
        data_weights: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        batch_size: int | None = None,
        progress: Progress = None,
        linearize_link: bool = True,
    ) -> None:
        max_evals = _count_arg(max_evals, "max_evals", expected="an integer of at least 1")
        super().__init__(
            model,
            data,
            link,
            n_jobs,
            data_weights=data_weights,
            feature_names=feature_names,
            batch_size=batch_size,
            progress=progress,
        )
        M = self.n_features
        if M > 30 or (1 << M) > max_evals:
            raise InvalidInputError(
                f"data has {M} features: ExactExplainer would evaluate 2^{M} coalitions "
                f"per row, more than max_evals={max_evals}; use KernelExplainer for many features"
            )
        require_fits("max_evals", (1 << M) * (M + 12), f"the exact design of 2^{M} coalitions of {M} features")
        self._design = _core_agnostic.gray_code_design(M)
        self._init_args.update(max_evals=max_evals, data_weights=data_weights, progress=progress)

    def shap_values(self, X: TableLike, **kwargs: Any) -> np.ndarray:
        """The Shapley values of the rows of X (``self(X).values``).

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, n_features), or (n_rows, n_features, n_outputs) for several outputs.

        Raises
        ------
        InvalidInputError
            X is not 2-D, has other columns than the background, gives the model
            non-finite outputs, or the model raises or returns the wrong shape.
        InvalidTypeError
            A non-numeric column, or a model output that is not numeric.
        ResourceLimitError
            The evaluation cannot fit in memory (the message names the argument to lower).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import ExactExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = ExactExplainer(model.predict, X[:20])
        >>> explainer.shap_values(X[:2]).round(3)
        array([[0.214, 0.146, 0.221],
               [0.172, 0.55 , 0.081]])
        """
        return self(X, **kwargs).values

    def __call__(
        self,
        X: TableLike,
        max_evals: int | str = "auto",
        main_effects: bool = False,
        error_bounds: bool = False,
        batch_size: int | str = "auto",
        interactions: int = 1,
        silent: bool = False,
    ) -> Explanation:
        """An [`Explanation`][assay.explain.Explanation] of the rows of X with the exact Shapley values.

        The other arguments are shap's: ``max_evals`` (an integer below 2^M is an error,
        as the values would not be exact), ``batch_size`` (as the constructor's;
        ``"auto"``: the constructor's) and ``silent`` (no progress bar) are used;
        ``main_effects``, ``error_bounds`` and interaction orders above 1 are not
        computed and raise.

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns (a table with all the
            background's column names is matched by name).
        max_evals : int or "auto", default "auto"
            At least 2^M (the constructor's limit applies too).
        main_effects : bool, default False
            Must be False.
        error_bounds : bool, default False
            Must be False (the values are exact; ``standard_errors`` are 0).
        batch_size : int or "auto", default "auto"
            Rows per model call for this call.
        interactions : int, default 1
            Must be 1 (Shapley values).
        silent : bool, default False
            No progress bar.

        Returns
        -------
        Explanation
            The values, ``expected_value`` as base value of every row, the rows as data,
            and ``standard_errors`` (all 0).

        Raises
        ------
        InvalidInputError
            X is not 2-D, has other columns than the background, gives the model
            non-finite outputs, or the model raises or returns the wrong shape.
        InvalidTypeError
            A non-numeric column, or a model output that is not numeric.
        ResourceLimitError
            The evaluation cannot fit in memory (the message names the argument to lower).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import ExactExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = ExactExplainer(model.predict, X[:20])
        >>> explanation = explainer(X[:2])
        >>> bool(np.allclose(explanation.base_values + explanation.values.sum(axis=1), model.predict(X[:2])))
        True
        """
        _unsupported_options(main_effects=main_effects, error_bounds=error_bounds, interactions=interactions != 1)
        M = self.n_features
        if max_evals != "auto" and _count_arg(max_evals, "max_evals") < (1 << M):
            raise InvalidInputError(f"max_evals={max_evals}: exact values of {M} features need 2^{M} evaluations")
        rows = self._rows(X)
        with self._call_options(batch_size, silent):
            self._check_evaluation(len(rows), len(self._design), "X", "exact Shapley values")
            coalition_values = self._coalition_values(rows, self._design, "Exact Shapley values")
        values = _core_agnostic.exact_values(self._design, coalition_values, self.n_jobs)
        return self._explanation(rows, values, np.zeros_like(values))


class KernelExplainer(_AgnosticExplainer):
    """Kernel SHAP (Lundberg & Lee 2017) for any model, with the sampling and solving in assay's core.

    Estimates the interventional Shapley values of v(S) = link(sum_b w_b f(x_S, b_notS))
    over the background rows b by a weighted regression on sampled coalitions (all of
    them when the budget allows, which makes the values exact). Each value comes with a
    standard error.

    Parameters
    ----------
    model : callable or fitted model
        A callable taking a 2-D float64 array (rows x features) and returning one output
        per row (shape (n,)) or several (shape (n, k)), e.g. ``model.predict`` or
        ``model.predict_proba``; it is called with large batches of masked rows. A fitted
        tree ensemble (what [`TreeExplainer`][assay.explain.TreeExplainer] takes) or linear model (``coef_``,
        ``intercept_``) given as the object itself is evaluated inside the core with no
        Python call; its raw output (margin, log-odds for classifiers) is explained.
    data : TableLike or Background
        Background rows (any table the input layer reads; all columns numeric), or a
        [`Background`][assay.explain.Background] from [`kmeans`][assay.explain.kmeans].
    link : {"identity", "logit"}, default "identity"
        The values explain link(mean output over the background).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores). Results do not depend on it.
    seed : Seed, default 0
        Seed of the coalition sampling (counter-based: the same for every ``n_jobs``).
    sampling : {"kernel", "leverage"}, default "kernel"
        ``"kernel"`` (as shap: subset sizes drawn in proportion to the Shapley kernel) or
        ``"leverage"`` (sizes drawn uniformly: leverage-score sampling, Musco & Witter
        2025), both paired.
    per_background : bool, default False
        False: one coalition design, every coalition evaluated on every background row.
        True: an independent design for each background row, each coalition evaluated on
        its row only, and the values averaged over the rows (valid because v(S) is the mean
        of the games v_b(S) = f(x_S, b_notS)). The same number of model evaluations, but
        the rows' sampling errors are independent and average out: usually several times
        lower error when not every coalition is evaluated (the gain depends on the game),
        at the cost of one regression per background row. Needs ``link="identity"``, a
        callable model and ``l1_reg=False``.
    data_weights : ArrayLike, optional
        Non-negative weights of the background rows (normalised to sum 1); not with a
        [`Background`][assay.explain.Background], which carries its own.
    feature_names : sequence of str, optional
        Names of the features when ``data`` is an array (default ``x0``, ``x1``, ...).
    batch_size : int, optional
        At most this many rows per model call; None (default): as many as fill about 2 MB
        (so that the rows are still in cache when the model reads them).
    progress : Progress, optional
        True, False, None (a bar after two seconds of work) or a callable
        ``callback(done, total)``; Ctrl-C stops the work.

    Raises
    ------
    InvalidInputError
        An unknown ``link`` or ``sampling``, ``per_background`` with another link or a
        model object, background rows that are empty or whose number of columns
        differs from the model's, bad ``data_weights``, or a model whose mean output over
        the background is not finite (or that raises, or returns the wrong shape, on it).
    InvalidTypeError
        A model that is neither callable nor a supported fitted model, a non-numeric
        column, or an argument of the wrong type.

    Notes
    -----
    By default every feature is estimated (``l1_reg=False``). shap's KernelExplainer
    selects features first, by default ``l1_reg="num_features(10)"`` since shap 0.47,
    which leaves at most 10 non-zero values per row; ``explainer(X, l1_reg="num_features(10)")``
    does the same here (see ``__call__`` for every option).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from assay.explain import KernelExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3))
    >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
    >>> explainer = KernelExplainer(model.predict, X[:20])
    >>> explanation = explainer(X[:2])
    >>> explanation.values.round(3)
    array([[0.214, 0.146, 0.221],
           [0.172, 0.55 , 0.081]])
    >>> round(explainer.expected_value, 3)
    0.123
    """

    def __init__(
        self,
        model: Callable[[np.ndarray], Any],
        data: Any,
        link: str = "identity",
        n_jobs: int | None = None,
        *,
        seed: Seed = 0,
        sampling: str = "kernel",
        per_background: bool = False,
        data_weights: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        batch_size: int | None = None,
        progress: Progress = None,
        nsamples: int | str = "auto",
        l1_reg: str | float | bool = False,
        random_state: Seed | None = None,
        keep_index: bool = False,
        keep_index_ordered: bool = False,
    ) -> None:
        if random_state is not None:  # shap's name for the seed
            seed = random_state
        self.nsamples = nsamples
        self.l1_reg = l1_reg
        self.keep_index, self.keep_index_ordered = keep_index, keep_index_ordered
        if not isinstance(per_background, (bool, np.bool_)):
            raise InvalidTypeError(f"per_background must be True or False, got {per_background!r}")
        if per_background and link != "identity":
            raise InvalidInputError(
                "per_background=True needs link='identity': with 'logit' the link of the mean "
                "output is not the mean of the background rows' games"
            )
        seed = seed_arg(seed)
        if not isinstance(sampling, str) or sampling not in _core_agnostic.Sampling.__members__:
            raise InvalidInputError(f"sampling must be 'kernel' or 'leverage', got {sampling!r}")
        self.per_background = bool(per_background)
        super().__init__(
            model,
            data,
            link,
            n_jobs,
            data_weights=data_weights,
            feature_names=feature_names,
            batch_size=batch_size,
            progress=progress,
        )
        if per_background and self._native is not None:
            raise InvalidInputError("per_background=True needs a callable model; pass e.g. model.predict")
        self.seed = seed
        self.sampling = sampling
        self._init_args.update(
            seed=seed,
            sampling=sampling,
            per_background=per_background,
            data_weights=data_weights,
            progress=progress,
            nsamples=nsamples,
            l1_reg=l1_reg,
        )

    def design(self, nsamples: int | str = "auto") -> Any:
        """The coalitions and weights the explainer evaluates for a budget.

        Parameters
        ----------
        nsamples : int or "auto", default "auto"
            The budget of coalitions (``"auto"``: 2M + 2048, as shap).

        Returns
        -------
        CoalitionDesign
            The core's design: the coalition masks, their kernel weights and pairing.

        Raises
        ------
        InvalidInputError
            A budget below the number of features, or not ``"auto"`` or an integer.
        ResourceLimitError
            A design that cannot fit in memory.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import KernelExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = KernelExplainer(model.predict, X[:20])
        >>> len(explainer.design())  # every one of the 2^3 - 2 proper coalitions
        6
        """
        budget = self._budget(nsamples)
        self._check_design(budget)
        if self.per_background:
            return _core_agnostic.kernel_design_per_background(
                self.n_features, budget, self.seed, len(self.data), sampling=_core_agnostic.Sampling[self.sampling]
            )
        return _core_agnostic.kernel_design(
            self.n_features, budget, self.seed, sampling=_core_agnostic.Sampling[self.sampling]
        )

    def explain(self, incoming_instance: Any, **kwargs: Any) -> np.ndarray:
        """The SHAP values of one row (shap's legacy ``KernelExplainer.explain``).

        Parameters
        ----------
        incoming_instance : ArrayLike
            One row: a 1-D array, a Series or a table of one row.
        **kwargs
            ``nsamples``, ``l1_reg`` and ``silent``, as for ``shap_values``.

        Returns
        -------
        numpy.ndarray
            Shape (n_features,), or (n_features, n_outputs) for several outputs.

        Raises
        ------
        InvalidInputError
            More than one row, or what ``shap_values`` raises.
        """
        rows = self._rows(incoming_instance)
        if len(rows) != 1:
            raise InvalidInputError(f"incoming_instance: expected one row, got {len(rows)}")
        return self.shap_values(rows, **kwargs)[0]

    def _n_coalitions(self, budget: int) -> int:
        """How many coalitions a budget gives (at most the 2^M - 2 that exist), over every background row
        for a per-background design."""
        M = self.n_features
        count = 0 if M == 1 else min(budget, 2**M - 2)
        return count * (len(self.data) if self.per_background else 1)

    def _check_design(self, budget: int) -> None:
        M = self.n_features
        per_design = 0 if M == 1 else min(budget, 2**M - 2)
        # The design (masks, weights, groups), and the index of distinct coalitions kept while drawing.
        needed = self._n_coalitions(budget) * (M + 12) + per_design * (2 * M + 96)
        require_fits(
            "nsamples",
            needed,
            f"the KernelSHAP design of {per_design} coalitions of {M} features"
            + (f" for each of {len(self.data)} background rows" if self.per_background else ""),
        )

    def _check_kernel(self, n_rows: int, budget: int) -> None:
        """Refuses a budget whose design, v(S) and regression cannot fit, before drawing anything."""
        self._check_design(budget)
        M, K = self.n_features, max(self.n_outputs, 1)
        C = self._n_coalitions(budget)
        threads = resolve_threads(self.n_jobs)
        if self.per_background:  # each background row's values and errors, and a copy of its game's v(S)
            solver = 8 * K * (2 * len(self.data) * n_rows * M + n_rows * C)
        else:  # the eliminated design twice, and one block of 32 rows' targets per thread
            solver = 8 * C * (2 * M + 32 * K * min(threads, 64))
        self._check_evaluation(n_rows, C, "nsamples", "KernelSHAP", extra=solver)

    def shap_values(
        self,
        X: TableLike,
        nsamples: int | str | None = None,
        tolerance: float | None = None,
        l1_reg: str | float | bool | None = None,
        silent: bool = False,
        gc_collect: bool = False,
    ) -> np.ndarray:
        """The SHAP values of the rows of X (``self(X, ...).values``; see ``__call__``).

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns; one row may be a 1-D
            array or a pandas Series.
        nsamples : int or "auto", optional
            The budget of coalitions per row (the largest one with ``tolerance``); None:
            the constructor's (``"auto"`` by default).
        tolerance : float, optional
            Raise the budget until every standard error is at most this.
        l1_reg : str, float or bool, optional
            Feature selection before the regression (see ``__call__``); None: the
            constructor's (False by default).
        silent : bool, default False
            No progress bar.
        gc_collect : bool, default False
            Accepted for shap's signature (assay frees memory per call anyway).

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, n_features), or (n_rows, n_features, n_outputs) for several
            outputs; (n_features, ...) for one row given as a 1-D array or a Series.

        Raises
        ------
        InvalidInputError
            X is not 2-D, has other columns than the background, gives the model
            non-finite outputs, or the model raises or returns the wrong shape.
        InvalidTypeError
            A non-numeric column, or a model output that is not numeric.
        ResourceLimitError
            The evaluation cannot fit in memory (the message names the argument to lower).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import KernelExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = KernelExplainer(model.predict, X[:20])
        >>> explainer.shap_values(X[:2]).round(3)
        array([[0.214, 0.146, 0.221],
               [0.172, 0.55 , 0.081]])
        """
        one_row = (isinstance(X, np.ndarray) and X.ndim == 1) or type(X).__name__ == "Series"
        values = self(X, nsamples=nsamples, tolerance=tolerance, l1_reg=l1_reg, silent=silent).values
        return values[0] if one_row else values

    def __call__(
        self,
        X: TableLike,
        nsamples: int | str | None = None,
        tolerance: float | None = None,
        l1_reg: str | float | bool | None = None,
        silent: bool = False,
    ) -> Explanation:
        """An ``Explanation`` of the rows of X; ``.standard_errors`` holds a standard error per value.

        With ``nsamples`` at least 2^M - 2 all coalitions are enumerated and the values
        are exact (standard errors 0); otherwise coalitions are sampled in pairs and the
        standard errors are jackknife estimates over 16 groups of pairs.

        ``l1_reg`` selects features before the regression, per row and output, with shap's
        options and semantics (shap 0.51); the unselected features get exactly 0:

        - ``False`` or ``0`` (assay's default): no selection, every feature is estimated.
          shap's default since 0.47 is ``"num_features(10)"``; pass that to reproduce it.
        - ``"num_features(k)"``: least-angle regression for k steps on shap's augmented
          regression (scikit-learn's ``lars_path(max_iter=k)``); at most k features,
          all of them when k >= M. Fewer when the path ends early, as shap's: it stops
          once the largest correlation per augmented row falls below float32's epsilon,
          which happens for outputs that vary by less than about 1e-3.
        - ``"aic"`` / ``"bic"``: the lasso path by LARS with the point minimising the
          Akaike / Bayesian information criterion (scikit-learn's ``LassoLarsIC`` on the
          standardised augmented regression); needs twice the number of coalitions to
          exceed M + 1.
        - a positive number: the penalty alpha of scikit-learn's ``Lasso`` on the
          augmented regression.
        - ``"auto"``: ``"aic"`` when less than 20% of the 2^M - 2 coalitions are
          evaluated, otherwise no selection (shap's rule; deprecated there).

        Standard errors are then jackknife estimates with the selection held fixed
        (0 for the unselected features).

        With a ``tolerance``, ``nsamples`` is the largest budget: the explainer starts at
        max(2M + 2, 128) coalitions and doubles the budget until every standard error is
        at most ``tolerance`` (or the budget reaches ``nsamples``, with a warning); the
        budget used is in ``.nsamples``. Each round draws a new design, so the work is at
        most about twice that of the final budget.

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns (a table with all the
            background's column names is matched by name).
        nsamples : int or "auto", optional
            The budget of coalitions per row (``"auto"``: 2M + 2048, as shap); at least M.
            None: the constructor's.
        tolerance : float, optional
            A positive target for every standard error (see above).
        l1_reg : str, float or bool, optional
            Feature selection before the regression (see above); None: the constructor's.
        silent : bool, default False
            No progress bar.

        Returns
        -------
        Explanation
            The values, ``expected_value`` as base value of every row, the rows as data,
            ``standard_errors`` and ``nsamples`` (the budget used).

        Raises
        ------
        InvalidInputError
            A bad ``nsamples``, ``tolerance`` or ``l1_reg``; X is not 2-D, has other
            columns than the background, gives the model non-finite outputs, or the model
            raises or returns the wrong shape.
        InvalidTypeError
            A non-numeric column, or a model output that is not numeric.
        ResourceLimitError
            The evaluation cannot fit in memory (the message names the argument to lower).

        Warns
        -----
        RuntimeWarning
            With ``tolerance``: standard errors remain above it at the largest budget.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import KernelExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = KernelExplainer(model.predict, X[:20])
        >>> explanation = explainer(X[:2], nsamples=100)
        >>> explanation.nsamples, float(explanation.standard_errors.max())
        (100, 0.0)
        """
        nsamples = self.nsamples if nsamples is None else nsamples
        l1_reg = self.l1_reg if l1_reg is None else l1_reg
        rows = self._rows(X)
        with self._call_options(None, silent):
            return self._explain_within(rows, nsamples, tolerance, l1_reg)

    def _explain_within(self, rows: np.ndarray, nsamples: Any, tolerance: Any, l1_reg: Any) -> Explanation:
        largest = self._budget(nsamples)
        selection = _l1_reg_arg(l1_reg)
        if self.per_background and selection[0] != "none":
            raise InvalidInputError("l1_reg: feature selection is not available with per_background=True")
        if tolerance is not None and (
            isinstance(tolerance, (bool, np.bool_))
            or not isinstance(tolerance, (int, float, np.integer, np.floating))
            or not tolerance > 0
        ):
            raise InvalidInputError(f"tolerance must be a positive number, got {tolerance!r}")
        self._check_kernel(len(rows), largest)
        if tolerance is None:
            return self._explain(rows, largest, selection)
        budget = min(largest, max(2 * self.n_features + 2, 128))
        while True:
            explanation = self._explain(rows, budget, selection)
            errors = explanation.standard_errors
            if np.all(errors <= tolerance):
                return explanation
            if budget >= largest:
                warnings.warn(
                    f"tolerance: standard errors up to {np.nanmax(errors):.3g} remain above {tolerance} at the largest "
                    f"budget nsamples={largest}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return explanation
            budget = min(largest, 2 * budget)

    def _budget(self, nsamples: int | str) -> int:
        M = self.n_features
        if isinstance(nsamples, str) and nsamples == "auto":
            return 2 * M + 2048  # shap's default budget
        if isinstance(nsamples, str):
            raise InvalidInputError(f"nsamples must be 'auto' or an integer, got {nsamples!r}")
        budget = _count_arg(nsamples, "nsamples", expected="'auto' or an integer")
        if M > 1 and budget < max(M, 2):
            raise InvalidInputError(f"nsamples={budget}: need at least as many coalitions as features ({M})")
        if budget > _INT64_MAX // 4:  # the core indexes draws in int64
            if M <= 30:  # every coalition fits long before: the same (exact) design
                return max(2, 2**M - 2)
            raise ResourceLimitError(f"nsamples={budget}: more coalitions than can be indexed; lower nsamples")
        return budget

    def _explain(self, rows: np.ndarray, budget: int, selection: tuple[str, int, float]) -> Explanation:
        design = self.design(budget)
        full = self._full_values(rows)
        coalition_values = (
            self._coalition_values(rows, design, "KernelSHAP")
            if len(design)
            else np.empty((len(rows), 0, self.n_outputs))
        )
        method, num_features, alpha = selection
        if method == "auto":  # shap's rule: AIC when less than 20% of the coalitions are evaluated
            M = self.n_features
            all_coalitions = 2**M - 2 if M <= 30 else 2**30
            method = "aic" if M > 1 and min(budget, all_coalitions) < 0.2 * all_coalitions else "none"
        if self.per_background:
            values, errors = _core_agnostic.kernel_values_per_background(
                design, coalition_values, full, self._background_outputs, self.data_weights, self.n_jobs
            )
        else:
            values, errors = _core_agnostic.kernel_values(
                design,
                coalition_values,
                full,
                self._expected,
                self.n_jobs,
                selection=_core_agnostic.Selection[method],
                num_features=num_features,
                alpha=alpha,
            )
        explanation = self._explanation(rows, values, errors)
        explanation.nsamples = budget
        return explanation


class PermutationExplainer(_AgnosticExplainer):
    """Antithetic permutation sampling of Shapley values (as shap's PermutationExplainer).

    Each permutation switches the features on one by one and then off in the same
    order (2M + 1 coalitions), which gives the forward and the reversed permutation's
    marginal contributions; the values are exactly additive for any number of
    permutations. Permutations are drawn from a counter-based generator keyed by
    (``seed``, permutation index).

    Parameters
    ----------
    model : callable or fitted model
        A callable taking a 2-D float64 array (rows x features) and returning one output
        per row (shape (n,)) or several (shape (n, k)), e.g. ``model.predict`` or
        ``model.predict_proba``; it is called with large batches of masked rows. A fitted
        tree ensemble (what [`TreeExplainer`][assay.explain.TreeExplainer] takes) or linear model (``coef_``,
        ``intercept_``) given as the object itself is evaluated inside the core with no
        Python call; its raw output (margin, log-odds for classifiers) is explained.
    data : TableLike or Background
        Background rows (any table the input layer reads; all columns numeric), or a
        [`Background`][assay.explain.Background] from [`kmeans`][assay.explain.kmeans].
    link : {"identity", "logit"}, default "identity"
        The values explain link(mean output over the background).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores). Results do not depend on it.
    seed : Seed, default 0
        Seed of the permutations (counter-based: the same for every ``n_jobs``).
    data_weights : ArrayLike, optional
        Non-negative weights of the background rows (normalised to sum 1); not with a
        [`Background`][assay.explain.Background], which carries its own.
    feature_names : sequence of str, optional
        Names of the features when ``data`` is an array (default ``x0``, ``x1``, ...).
    batch_size : int, optional
        At most this many rows per model call; None (default): as many as fill about 2 MB
        (so that the rows are still in cache when the model reads them).
    progress : Progress, optional
        True, False, None (a bar after two seconds of work) or a callable
        ``callback(done, total)``; Ctrl-C stops the work.

    Raises
    ------
    InvalidInputError
        An unknown ``link``, background rows that are empty or whose number of columns
        differs from the model's, bad ``data_weights``, or a model whose mean output over
        the background is not finite (or that raises, or returns the wrong shape, on it).
    InvalidTypeError
        A model that is neither callable nor a supported fitted model, a non-numeric
        column, or an argument of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from assay.explain import PermutationExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3))
    >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
    >>> explainer = PermutationExplainer(model.predict, X[:20])
    >>> explainer(X[:2]).values.round(3)
    array([[0.214, 0.146, 0.221],
           [0.172, 0.55 , 0.081]])
    """

    def __init__(
        self,
        model: Callable[[np.ndarray], Any],
        data: Any,
        link: str = "identity",
        n_jobs: int | None = None,
        *,
        seed: Seed = 0,
        data_weights: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        batch_size: int | None = None,
        progress: Progress = None,
        linearize_link: bool = True,
    ) -> None:
        seed = seed_arg(seed)
        super().__init__(
            model,
            data,
            link,
            n_jobs,
            data_weights=data_weights,
            feature_names=feature_names,
            batch_size=batch_size,
            progress=progress,
        )
        self.seed = seed
        self._init_args.update(seed=seed, data_weights=data_weights, progress=progress)

    def shap_values(
        self,
        X: TableLike,
        npermutations: int | None = None,
        main_effects: bool = False,
        error_bounds: bool = False,
        batch_evals: bool = True,
        silent: bool = False,
        *,
        max_evals: int = 500,
    ) -> np.ndarray:
        """The SHAP values of the rows of X (``self(X, max_evals).values``).

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns.
        npermutations : int, optional
            The number of permutations (shap's argument); when given it sets ``max_evals``
            to ``npermutations * (2M + 1)``.
        main_effects : bool, default False
            Must be False (not computed).
        error_bounds : bool, default False
            Must be False (the explanation's ``standard_errors`` hold them).
        batch_evals : bool, default True
            Accepted for shap's signature (assay always batches).
        silent : bool, default False
            No progress bar.
        max_evals : int, default 500
            Coalitions per row: ``max_evals // (2M + 1)`` permutations.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, n_features), or (n_rows, n_features, n_outputs) for several outputs.

        Raises
        ------
        InvalidInputError
            X is not 2-D, has other columns than the background, gives the model
            non-finite outputs, or the model raises or returns the wrong shape.
        InvalidTypeError
            A non-numeric column, or a model output that is not numeric.
        ResourceLimitError
            The evaluation cannot fit in memory (the message names the argument to lower).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import PermutationExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = PermutationExplainer(model.predict, X[:20])
        >>> explainer.shap_values(X[:2]).round(3)
        array([[0.214, 0.146, 0.221],
               [0.172, 0.55 , 0.081]])
        """
        if npermutations is not None:
            max_evals = _count_arg(npermutations, "npermutations") * (2 * self.n_features + 1)
        explanation = self(X, max_evals, main_effects=main_effects, error_bounds=error_bounds, silent=silent)
        return explanation.values

    def __call__(
        self,
        X: TableLike,
        max_evals: int | str = 500,
        main_effects: bool = False,
        error_bounds: bool = False,
        batch_size: int | str = "auto",
        outputs: Any = None,
        silent: bool = False,
        permutations: ArrayLike | None = None,
    ) -> Explanation:
        """An ``Explanation`` with ``max_evals // (2M + 1)`` permutations per row (shap's rule).

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns (a table with all the
            background's column names is matched by name).
        max_evals : int or "auto", default 500
            Coalitions per row; at least 2M + 1 (one permutation). ``"auto"``: 20M (shap's).
        main_effects : bool, default False
            Must be False (not computed).
        error_bounds : bool, default False
            Must be False (``standard_errors`` hold the sampling errors).
        batch_size : int or "auto", default "auto"
            Rows per model call for this call (``"auto"``: the constructor's).
        outputs : optional
            Must be None (every output is explained).
        silent : bool, default False
            No progress bar.
        permutations : ArrayLike, optional
            An (n_permutations, M) integer array of feature orders that replaces the
            random ones, e.g. to reproduce another tool's draws.

        Returns
        -------
        Explanation
            The values, ``expected_value`` as base value of every row, the rows as data,
            and ``standard_errors``: the standard deviation of the per-permutation estimates
            over sqrt(n_permutations) (NaN for one permutation).

        Raises
        ------
        InvalidInputError
            ``max_evals`` below 2M + 1, ``permutations`` that are not orders of the
            features; X is not 2-D, has other columns than the background, gives the model
            non-finite outputs, or the model raises or returns the wrong shape.
        InvalidTypeError
            A non-numeric column, or a model output that is not numeric.
        ResourceLimitError
            The evaluation cannot fit in memory (the message names the argument to lower).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import PermutationExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = PermutationExplainer(model.predict, X[:20])
        >>> explanation = explainer(X[:2], permutations=[[0, 1, 2], [2, 1, 0]])
        >>> explanation.values.round(3)
        array([[0.214, 0.146, 0.221],
               [0.172, 0.55 , 0.081]])
        """
        _unsupported_options(main_effects=main_effects, error_bounds=error_bounds, outputs=outputs is not None)
        rows = self._rows(X)
        M = self.n_features
        if isinstance(max_evals, str) and max_evals == "auto":
            max_evals = 10 * 2 * M
        with self._call_options(batch_size, silent):
            return self._permute(rows, max_evals, permutations)

    def _permute(self, rows: np.ndarray, max_evals: Any, permutations: Any) -> Explanation:
        M = self.n_features
        if permutations is None:
            max_evals = _count_arg(max_evals, "max_evals", expected="an integer of at least 1")
            n_permutations = max_evals // (2 * M + 1)
            if n_permutations < 1:
                raise InvalidInputError(
                    f"max_evals={max_evals} is too small: one permutation of {M} features takes {2 * M + 1}"
                )
            self._check_permutations(len(rows), n_permutations, "max_evals")
            permutations = _core_agnostic.random_permutations(M, n_permutations, self.seed)
        else:
            permutations = _permutations_arg(permutations, M)
            self._check_permutations(len(rows), len(permutations), "permutations")
        design = _core_agnostic.permutation_design(permutations)
        coalition_values = self._coalition_values(rows, design, "Permutation SHAP")
        values, errors = _core_agnostic.permutation_values(permutations, coalition_values, self.n_jobs)
        return self._explanation(rows, values, errors)

    def _check_permutations(self, n_rows: int, n_permutations: int, argument: str) -> None:
        M = self.n_features
        n_coalitions = n_permutations * (2 * M + 1)
        design = 4 * n_permutations * M + n_coalitions * (M + 12)
        require_fits(argument, design, f"{n_permutations} permutations of {M} features and their coalitions")
        self._check_evaluation(n_rows, n_coalitions, argument, "permutation SHAP", extra=design)


class LinearExplainer:
    """Exact interventional SHAP values of a linear model: phi_i = coef_i (x_i - mean_i).

    Parameters
    ----------
    model : fitted linear model or (coef, intercept)
        A fitted scikit-learn linear model (anything with ``coef_`` and ``intercept_``:
        LinearRegression, Ridge, Lasso, LogisticRegression, LinearSVC, ...) or a
        ``(coef, intercept)`` pair. Classifiers are explained in log-odds (their
        ``decision_function``).
    data : TableLike or Background
        Background rows; only their (weighted) mean is used (features treated as
        independent, as shap's default ``Independent`` masker).
    n_jobs : NJobs, optional
        Threads for the core (None or -1: all cores). Results do not depend on it.
    data_weights : ArrayLike, optional
        Non-negative weights of the background rows.
    feature_names : sequence of str, optional
        Names of the features when ``data`` is an array (default ``x0``, ``x1``, ...).
    link : str, default "identity"
        shap's argument; only the identity (the linear output) is explained.
    nsamples : int, default 1000
        shap's argument for its sampled correlation-dependent values; not used (the
        values here are exact).
    feature_perturbation : {None, "interventional"}, optional
        shap's deprecated argument; ``"correlation_dependent"`` is not supported.

    Raises
    ------
    InvalidInputError
        Coefficients that are not finite or do not match the background's columns, a
        background mean that is not finite, or an expected value that overflows.
    InvalidTypeError
        A model without ``coef_`` and ``intercept_`` (or a pair), or non-numeric
        coefficients or columns.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from assay.explain import LinearExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3))
    >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
    >>> explainer = LinearExplainer(model, X[:20])
    >>> explainer(X[:2]).values.round(3)
    array([[0.214, 0.146, 0.221],
           [0.172, 0.55 , 0.081]])
    >>> explainer.coef.round(3)
    array([[ 2. , -1. ,  0.5]])
    """

    def __init__(
        self,
        model: Any,
        data: TableLike | Background,
        n_jobs: NJobs = None,
        *,
        data_weights: ArrayLike | None = None,
        feature_names: Sequence[str] | None = None,
        link: Any = "identity",
        nsamples: int = 1000,
        feature_perturbation: str | None = None,
    ) -> None:
        if feature_perturbation not in (None, "interventional"):
            if feature_perturbation in ("correlation_dependent", "correlation"):
                raise InvalidInputError(
                    "feature_perturbation: correlation-dependent values (shap's Impute masker) are not computed by "
                    "assay; LinearExplainer gives interventional values"
                )
            raise InvalidInputError(
                f"feature_perturbation must be one of (None, 'interventional'), got {feature_perturbation!r}"
            )
        if _link_name(link) != "identity":
            raise InvalidInputError("link: LinearExplainer explains the linear output (link='identity')")
        if isinstance(model, tuple) and len(model) == 2:
            coef, intercept = model
        elif hasattr(model, "coef_") and hasattr(model, "intercept_"):
            coef, intercept = model.coef_, model.intercept_
        else:
            raise InvalidTypeError(
                f"model: expected a fitted linear model with coef_ and intercept_, or a (coef, intercept) pair, "
                f"got {type(model).__name__}"
            )
        coef, intercept = _linear_coefficients(coef, intercept)
        self.n_jobs = n_jobs_arg(n_jobs)
        data, data_weights = _background_of(data, data_weights)
        data, data_weights, feature_names = _unpack_background(data, data_weights, feature_names)
        data_matrix, self.feature_names = _matrix(_rows_of(data), "data", feature_names)
        if data_matrix.shape[1] != coef.shape[1]:
            raise InvalidInputError(
                f"data has {data_matrix.shape[1]} columns but the model has {coef.shape[1]} coefficients"
            )
        weights = None if data_weights is None else _weights_arg(data_weights, len(data_matrix))
        if not np.all(np.isfinite(data_matrix)):
            raise InvalidInputError("data: the background mean is not finite (missing or infinite values)")
        self.mean = _finite_mean(data_matrix, weights)
        self.coef = coef
        self.intercept = intercept
        with np.errstate(over="ignore", invalid="ignore"):
            self._expected = self.coef @ self.mean + intercept
        if not np.all(np.isfinite(self._expected)):
            raise InvalidInputError(
                "model: the expected value coef @ mean + intercept overflows float64; "
                "scale the coefficients or the data down"
            )

    @property
    def expected_value(self) -> float | np.ndarray:
        """The model's output at the background mean: coef @ mean + intercept.

        Returns
        -------
        float or numpy.ndarray
            A float for one output, else one value per output.
        """
        return float(self._expected[0]) if len(self._expected) == 1 else self._expected.copy()

    def shap_values(self, X: TableLike) -> np.ndarray:
        """The SHAP values of the rows of X (``self(X).values``).

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns.

        Returns
        -------
        numpy.ndarray
            Shape (n_rows, n_features), or (n_rows, n_features, n_outputs) for several outputs.

        Raises
        ------
        InvalidInputError
            X is not 2-D, has other columns than the coefficients, holds infinite values,
            or coef * (x - mean) overflows.
        InvalidTypeError
            A non-numeric column.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import LinearExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = LinearExplainer(model, X[:20])
        >>> explainer.shap_values(X[:2]).round(3)
        array([[0.214, 0.146, 0.221],
               [0.172, 0.55 , 0.081]])
        """
        one_row = (isinstance(X, np.ndarray) and X.ndim == 1) or type(X).__name__ == "Series"
        values = self(X).values
        return values[0] if one_row else values

    def __call__(self, X: TableLike) -> Explanation:
        """An [`Explanation`][assay.explain.Explanation] of the rows of X: coef_i (x_i - mean_i) per feature.

        A missing value (NaN) gives NaN values for its feature.

        Parameters
        ----------
        X : TableLike
            The rows to explain, with the background's columns (a table with all the
            background's column names is matched by name).

        Returns
        -------
        Explanation
            The values, ``expected_value`` as base value of every row and the rows as data.

        Raises
        ------
        InvalidInputError
            X is not 2-D, has other columns than the coefficients, holds infinite values,
            or coef * (x - mean) overflows.
        InvalidTypeError
            A non-numeric column.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LinearRegression
        >>> from assay.explain import LinearExplainer
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(50, 3))
        >>> model = LinearRegression().fit(X, 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2])
        >>> explainer = LinearExplainer(model, X[:20])
        >>> explanation = explainer(X[:2])
        >>> bool(np.allclose(explanation.base_values + explanation.values.sum(axis=1), model.predict(X[:2])))
        True
        """
        X = _rows_of(X)
        if (isinstance(X, np.ndarray) and X.ndim == 1) or type(X).__name__ == "Series":
            X = _one_row(X)
        rows = _rows_arg(X, self.feature_names, "the model has {M} coefficients")
        if np.isinf(rows).any():
            raise InvalidInputError(
                "X: infinite values; a linear model's output is not finite there "
                "(NaN, a missing value, gives NaN values for its feature)"
            )
        values = _core_agnostic.linear_values(self.coef, rows, self.mean, self.n_jobs)
        if not np.all(np.isfinite(values) | np.isnan(rows)[:, :, None]):
            raise InvalidInputError(
                "X: coef * (x - mean) overflows float64 for some values; scale the data or the coefficients down"
            )
        single = len(self._expected) == 1
        base = np.broadcast_to(
            self._expected[0] if single else self._expected, (len(rows), *self._expected.shape[: not single])
        ).copy()
        return Explanation(values[..., 0] if single else values, base, rows, self.feature_names)


class _NativeModel:
    """A model assay evaluates in its core: v(S) = core(X, background, design, ...)."""

    def __init__(self, evaluate: Callable[..., np.ndarray], n_features: int, n_outputs: int) -> None:
        self.evaluate, self.n_features, self.n_outputs = evaluate, n_features, n_outputs

    def __call__(
        self,
        X: np.ndarray,
        background: np.ndarray,
        design: Any,
        weights: np.ndarray,
        link: _core_agnostic.Link,
        n_jobs: int,
        progress: Any,
    ) -> np.ndarray:
        return self.evaluate(X, background, design, weights, link, n_jobs, progress)


def _native_model(model: Any) -> _NativeModel | None:
    """Fitted tree ensembles and linear models (given as objects, not functions): their raw output in the core."""
    if callable(model):
        return None
    if hasattr(model, "coef_") and hasattr(model, "intercept_"):
        coef, intercept = _linear_coefficients(model.coef_, model.intercept_)

        def linear(*args: Any) -> np.ndarray:  # fast: one pass per coalition, no progress to report
            return _core_agnostic.linear_model_values(coef, intercept, *args[:-1])

        return _NativeModel(linear, coef.shape[1], coef.shape[0])
    try:
        trees = tree_model(model)
    except TypeError:  # not a tree model either (an unfitted one is a ValueError from tree_model)
        return None

    def tree(*args: Any) -> np.ndarray:
        return _core_agnostic.tree_values(trees.ensemble, *args)

    return _NativeModel(tree, trees.n_features, trees.n_outputs)


def _unpack_background(data: Any, data_weights: Any, feature_names: Sequence[str] | None) -> tuple[Any, Any, Any]:
    """A [`Background`][assay.explain.Background] as (rows, weights, names); anything else unchanged."""
    if not isinstance(data, Background):
        return data, data_weights, feature_names
    if data_weights is not None:
        raise InvalidInputError("data_weights: a Background already carries its weights")
    return data.data, data.weights, feature_names or data.feature_names


def _one_row(X: Any) -> Any:
    """One row (a 1-D array or a pandas Series) as a table of one row."""
    if type(X).__name__ == "Series":
        return X.to_frame().T.infer_objects()
    return np.asarray(X).reshape(1, -1)


def _link_name(link: Any) -> Any:
    """shap's link functions and objects (``shap.links.logit``, ``IdentityLink()``) by their names."""
    if isinstance(link, str) or link is None:
        return "identity" if link is None else link
    name = getattr(link, "__name__", None) or str(link)
    return {"IdentityLink": "identity", "LogitLink": "logit"}.get(type(link).__name__, name)


def _unsupported_options(**options: bool) -> None:
    """shap's call options that assay does not compute: an error naming them when asked for."""
    asked = [name for name, value in options.items() if value]
    if asked:
        raise InvalidInputError(f"{', '.join(asked)}: not computed by assay's explainers (see docs/parity_shap.md)")


def _silent_progress(progress: Progress, silent: Any) -> Progress:
    return False if silent else progress


def _l1_reg_arg(l1_reg: Any) -> tuple[str, int, float]:
    """shap's ``l1_reg`` spelling as the core's (selection, num_features, alpha); "auto" is resolved per budget."""
    expected = "False, 'num_features(k)', 'aic', 'bic', 'auto' or a positive Lasso alpha"
    if isinstance(l1_reg, str):
        if l1_reg in ("aic", "bic", "auto"):
            return l1_reg, 0, 0.0
        if l1_reg.startswith("num_features(") and l1_reg.endswith(")"):
            try:
                k = int(l1_reg[len("num_features(") : -1])
            except ValueError:
                k = 0
            if k < 1:
                raise InvalidInputError(f"l1_reg: num_features(k) needs an integer k >= 1, got {l1_reg!r}")
            return "num_features", min(k, 2**31 - 1), 0.0
        raise InvalidInputError(f"l1_reg must be {expected}, got {l1_reg!r}")
    if isinstance(l1_reg, (bool, np.bool_)) and not l1_reg:
        return "none", 0, 0.0
    if isinstance(l1_reg, (bool, np.bool_)) or not isinstance(l1_reg, (int, float, np.integer, np.floating)):
        raise InvalidTypeError(f"l1_reg must be {expected}, got {l1_reg!r}")
    if l1_reg == 0:
        return "none", 0, 0.0
    if not (np.isfinite(l1_reg) and l1_reg > 0):
        raise InvalidInputError(f"l1_reg: a Lasso alpha must be a positive finite number, got {l1_reg!r}")
    return "lasso", 0, float(l1_reg)


_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1


def _count_arg(value: Any, argument: str, minimum: int = 1, expected: str | None = None) -> int:
    """A size or count argument: an integer (numpy integers and integral floats such as 1e4
    accepted) of at least ``minimum``; bools, strings and non-integral numbers are errors."""
    expected = expected or ("a positive integer" if minimum == 1 else f"an integer of at least {minimum}")
    if isinstance(value, (bool, np.bool_)):
        raise InvalidTypeError(f"{argument} must be {expected}, got {value!r}")
    if isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating)):
        if not float(value).is_integer():
            raise InvalidInputError(f"{argument} must be {expected}, got {value!r} (not a whole number)")
        number = int(value)
    else:
        raise InvalidTypeError(f"{argument} must be {expected}, got {type(value).__name__} {value!r}")
    if number < minimum:
        raise InvalidInputError(f"{argument} must be {expected}, got {number}")
    return number


def _model_outputs(result: Any, n_rows: int) -> np.ndarray:
    """A model's result on a batch of n_rows rows as a C-contiguous (n_rows, n_outputs) float64
    array, or an error that names the model's output and what is wrong with it."""
    expected = f"expected shape ({n_rows},) or ({n_rows}, n_outputs)"
    if result is None:
        raise InvalidTypeError(f"model: returned None for a batch of {n_rows} rows; {expected}")
    try:
        array = np.asarray(result)
    except Exception as error:  # ragged sequences and the like
        raise InvalidTypeError(f"model: returned {type(result).__name__}, which is not a numeric array") from error
    kind = array.dtype.kind
    if kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise InvalidTypeError(
                f"model: returned {type(result).__name__}, which is not numeric (objects that are not numbers)"
            ) from error
        kind = "f"
    if kind not in "biuf":
        raise InvalidTypeError(
            f"model: returned {type(result).__name__}, which is not numeric (dtype {array.dtype}); "
            "expected numbers (float, int or bool)"
        )
    outputs = array.astype(np.float64, copy=False)
    if outputs.ndim == 1:
        outputs = outputs[:, None]
    if outputs.ndim != 2 or outputs.shape[0] != n_rows:
        raise InvalidInputError(f"model: returned shape {array.shape} for a batch of {n_rows} rows; {expected}")
    if outputs.shape[1] == 0:
        raise InvalidInputError(f"model: returned no outputs (shape {array.shape})")
    finite = np.isfinite(outputs)
    if not finite.all():
        bad = int(np.count_nonzero(~finite.all(axis=1)))
        raise InvalidInputError(
            f"model: returned a non-finite output (NaN or inf) for {bad} of {n_rows} rows of a batch; "
            "the explainers need finite outputs "
            "(NaN or inf in X or data reach the model as they are: use a model that handles them, or impute)"
        )
    return np.ascontiguousarray(outputs)


def _linear_coefficients(coef: Any, intercept: Any) -> tuple[np.ndarray, np.ndarray]:
    """A linear model's coefficients as a finite (n_outputs, M) array and one intercept per output."""
    arrays = []
    for name, value in (("coef", coef), ("intercept", intercept)):
        try:
            array = np.asarray(value)
        except Exception as error:
            raise InvalidTypeError(f"model: {name} is not a numeric array") from error
        if array.dtype.kind not in "biuf":
            raise InvalidTypeError(f"model: {name} has dtype {array.dtype}; expected numbers")
        arrays.append(array.astype(np.float64))
    coef, intercept = arrays
    if coef.ndim > 2 or coef.size == 0:
        raise InvalidInputError(f"model: coef must be a non-empty 1-D or 2-D array, got shape {coef.shape}")
    coef = np.ascontiguousarray(np.atleast_2d(coef))
    intercept = intercept.reshape(-1)
    if len(intercept) not in (1, coef.shape[0]):
        raise InvalidInputError(
            f"model: {len(intercept)} intercepts for {coef.shape[0]} outputs; expected one per output (or one)"
        )
    intercept = np.broadcast_to(intercept, (coef.shape[0],)).copy()
    if not np.all(np.isfinite(coef)) or not np.all(np.isfinite(intercept)):
        raise InvalidInputError("model: coefficients must be a finite 1-D or 2-D array with one intercept per output")
    return coef, intercept


def _finite_mean(matrix: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """The (weighted) column means of a finite matrix without overflow: each column is scaled by
    its largest magnitude first, so a mean of values near 1e308 stays finite."""
    scale = np.abs(matrix).max(axis=0)
    scale[scale == 0] = 1.0
    return np.average(matrix / scale, axis=0, weights=weights) * scale


def _weights_arg(data_weights: Any, n_background: int) -> np.ndarray:
    """Background weights: finite, non-negative, not all zero; returned scaled to a largest weight
    of 1 (so their sum cannot overflow; the explainers normalise them anyway)."""
    weights = np.asarray(data_weights)
    if weights.dtype.kind not in "biuf":
        raise InvalidTypeError(f"data_weights: expected numbers, got dtype {weights.dtype}")
    weights = weights.astype(np.float64)
    if weights.shape != (n_background,):
        raise InvalidInputError(f"data_weights: expected {n_background} weights, got shape {weights.shape}")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not np.any(weights > 0):
        raise InvalidInputError("data_weights: weights must be finite, non-negative and not all zero")
    return np.ascontiguousarray(weights / weights.max())


def _permutations_arg(permutations: Any, n_features: int) -> np.ndarray:
    array = np.asarray(permutations)
    if array.dtype.kind not in "iu" or array.ndim != 2 or array.shape[1] != n_features or len(array) == 0:
        raise InvalidInputError(
            f"permutations: expected an integer array of shape (n_permutations, {n_features}), "
            f"got {array.dtype} of shape {array.shape}"
        )
    if array.min() < 0 or array.max() >= n_features:
        raise InvalidInputError(f"permutations: entries must be feature indices 0..{n_features - 1}")
    return np.ascontiguousarray(array, dtype=np.int32)


def _rows_arg(X: Any, feature_names: Sequence[str], reference: str = "data has {M}") -> np.ndarray:
    """The rows to explain: a 2-D table with one column per feature (reordered by name when a
    table holds them all)."""
    M = len(feature_names)
    ndim = _ndim(X)
    if ndim is not None and ndim != 2:
        hint = "; for one row pass X.reshape(1, -1)" if ndim == 1 else ""
        raise InvalidInputError(f"X: expected a 2-D array (rows x {M} features), got {ndim} dimension(s){hint}")
    names = feature_names if ndim == 2 and np.shape(X)[1] == M else None
    matrix, _ = _matrix(X, "X", names, order=feature_names)
    if matrix.shape[1] != M:
        raise InvalidInputError(f"X has {matrix.shape[1]} columns but {reference.format(M=M)}")
    return matrix


def _matrix(
    data: Any, argument: str, feature_names: Sequence[str] | None, order: Sequence[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """A table as a C-contiguous float64 matrix (numeric columns only) and its column names.

    A table (not an array) holding all the names in ``order`` is reordered to match them.
    Arrays must be 2-D; datetime columns enter as seconds since the epoch (the input layer's rule).
    """
    ndim = _ndim(data)
    if ndim is not None and ndim != 2:
        raise InvalidInputError(f"{argument}: expected a 2-D array (rows x features), got {ndim} dimension(s)")
    try:
        frame = as_frame(data, argument=argument, feature_names=feature_names if _is_array(data) else None)
        if order is not None and not _is_array(data) and frame.names != list(order) and set(order) <= set(frame.names):
            frame = frame.select(order)
    except AssayError:
        raise
    except TypeError as error:  # the input layer's errors, as assay's classes
        raise InvalidTypeError(f"{argument}: {error}") from error
    except ValueError as error:
        raise InvalidInputError(str(error) if str(error).startswith(argument) else f"{argument}: {error}") from error
    if frame.n_rows == 0:
        raise InvalidInputError(f"{argument}: no rows")
    if not frame.columns:
        raise InvalidInputError(f"{argument}: no columns")
    for column in frame.columns:
        if column.labels is not None:
            raise InvalidTypeError(
                f"{argument}: column '{column.name}' is not numeric ({column.source_dtype}); model-agnostic explainers "
                "pass a float array to the model, so encode it first"
            )
    matrix = np.ascontiguousarray(np.column_stack([column.values for column in frame.columns]), dtype=np.float64)
    return matrix, frame.names


def _is_array(data: Any) -> bool:
    return isinstance(data, (np.ndarray, list, tuple))


def _ndim(data: Any) -> int | None:
    """The number of dimensions of an array or nested sequence (None for tables and ragged input,
    which the input layer judges)."""
    if not _is_array(data):
        return None
    try:
        return int(np.ndim(data))
    except ValueError:
        return None
