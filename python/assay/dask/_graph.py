"""How assay's calls run on Dask: gathering columns into one task within the memory budget,
tree reductions of mergeable states, and computing on the user's client."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InvalidInputError, InvalidTypeError, MissingDependencyError, ResourceLimitError

try:
    import dask
    import dask.array as da
    import dask.dataframe as dd
    from dask.dataframe.dispatch import concat as _dask_concat
    from dask.utils import parse_bytes
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise MissingDependencyError(
        "assay.dask needs Dask: pip install 'assay[dask]' (dask[dataframe] and distributed)"
    ) from error

MEMORY_BUDGET_KEY = "assay.memory-budget"
"""The Dask configuration key of the memory budget: the most bytes of one column (or of the
columns one exact statistic needs together) that a task gathers from every partition."""

DEFAULT_MEMORY_BUDGET = "2GiB"
"""The memory budget when the Dask configuration does not set ``assay.memory-budget``."""

SPLIT_EVERY = 8
"""How many states a task of the tree reductions merges (Dask's default for ``reduction``)."""


def memory_budget() -> int:
    """The memory budget in bytes, from Dask's configuration (``assay.memory-budget``).

    Returns
    -------
    int
        The budget: a number of bytes or a size such as ``"4GiB"`` in the configuration,
        ``DEFAULT_MEMORY_BUDGET`` when unset.

    Raises
    ------
    InvalidInputError
        The configured value is not a positive size.

    Examples
    --------
    >>> import dask
    >>> from assay import dask as adask
    >>> with dask.config.set({"assay.memory-budget": "64MiB"}):
    ...     adask.memory_budget()
    67108864
    """
    value = dask.config.get(MEMORY_BUDGET_KEY, DEFAULT_MEMORY_BUDGET)
    try:
        budget = parse_bytes(value) if isinstance(value, str) else value
    except ValueError as error:
        raise InvalidInputError(f"{MEMORY_BUDGET_KEY}: not a size: {value!r}") from error
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise InvalidInputError(f"{MEMORY_BUDGET_KEY} must be a positive number of bytes, got {value!r}")
    return budget


def dataframe(value: Any, argument: str) -> dd.DataFrame:
    """A dask DataFrame argument (a dask Series becomes a one-column frame)."""
    if isinstance(value, dd.Series):
        return value.to_frame()
    if not isinstance(value, dd.DataFrame):
        raise InvalidTypeError(f"{argument}: expected a dask DataFrame, got {type(value).__name__}")
    return value


def partitions(value: Any, argument: str) -> list[Any]:
    """The partitions of a dask Series, DataFrame or array (rows only) as delayed objects."""
    if isinstance(value, (dd.DataFrame, dd.Series)):
        return list(value.to_delayed())
    if isinstance(value, da.Array):
        if value.ndim == 2 and len(value.chunks[1]) > 1:
            value = value.rechunk({1: -1})
        if value.ndim not in (1, 2):
            raise InvalidInputError(f"{argument}: expected a 1-D or 2-D dask array, got {value.ndim} dimensions")
        return list(value.to_delayed().ravel())
    raise InvalidTypeError(f"{argument}: expected a dask Series, DataFrame or array, got {type(value).__name__}")


def concat(parts: Sequence[Any]) -> Any:
    """Partitions (pandas objects or numpy arrays) back into one, in partition order; the
    same concatenation as ``compute()`` (categoricals unite their categories)."""
    if hasattr(parts[0], "iloc"):
        return _dask_concat(list(parts))
    import numpy as np

    return np.concatenate(parts)


def total_rows(collections: Sequence[Any], client: Any = None) -> list[int]:
    """The number of rows of each dask collection, computed together on ``client`` (parquet
    files answer from their metadata)."""
    counts: list[Any] = []
    for value in collections:
        if isinstance(value, da.Array) and not any(size != size for size in value.chunks[0]):
            counts.append(sum(value.chunks[0]))
        elif isinstance(value, da.Array):
            counts.append(da.map_blocks(_block_rows, value, chunks=(1,), drop_axis=list(range(1, value.ndim))).sum())
        else:
            counts.append(value.shape[0])
    lazy = [k for k, n in enumerate(counts) if not isinstance(n, int)]
    for k, n in zip(lazy, compute([counts[k] for k in lazy], client) if lazy else []):
        counts[k] = n
    return [int(n) for n in counts]


def _block_rows(block: Any) -> Any:
    import numpy as np

    return np.array([len(block)])


def require_budget(argument: str, n_bytes: int, what: str) -> None:
    """ResourceLimitError naming ``argument`` when gathering ``what`` exceeds the budget."""
    budget = memory_budget()
    if n_bytes > budget:
        raise ResourceLimitError(
            f"{argument}: {what} needs {n_bytes / 2**20:.4g} MiB in one task, more than the memory budget of "
            f"{budget / 2**20:.4g} MiB; raise it with dask.config.set({{'{MEMORY_BUDGET_KEY}': '8GiB'}})"
        )


def gathered(function: Callable[..., Any], *parts: Sequence[Any], **kwargs: Any) -> Any:
    """A delayed call of ``function`` on the concatenation of each list of partitions."""
    return dask.delayed(_call_on_concatenated, pure=True)(function, list(map(list, parts)), kwargs)


def _call_on_concatenated(function: Callable[..., Any], parts: list[list[Any]], kwargs: dict[str, Any]) -> Any:
    return function(*(concat(p) for p in parts), **kwargs)


def tree_reduce(states: Sequence[Any], merge: Callable[[Any, Any], Any], split_every: int = SPLIT_EVERY) -> Any:
    """One delayed state merging ``states`` in a fixed tree of ``split_every``-way merges
    (left to right within a group), as Dask's ``reduction`` combines partitions."""
    level = list(states)
    while len(level) > 1:
        level = [
            dask.delayed(_merge_all, pure=True)(level[k : k + split_every], merge)
            for k in range(0, len(level), split_every)
        ]
    return level[0]


def _merge_all(states: list[Any], merge: Callable[[Any, Any], Any]) -> Any:
    result = states[0]
    for state in states[1:]:
        result = merge(result, state)
    return result


def task_threads() -> int | None:
    """Threads for the core inside a task: the thread count of the worker running it (the
    tasks that run side by side then share its cores), all cores outside a worker. Results
    never depend on it."""
    try:
        from distributed import get_worker

        return int(get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        return None


def compute(tasks: Sequence[Any], client: Any) -> list[Any]:
    """Computes delayed tasks on ``client`` (a ``distributed.Client``), or on the current
    client or Dask's default scheduler when it is None."""
    if client is None:
        return list(dask.compute(*tasks))
    check_client(client)
    return list(client.gather(client.compute(list(tasks))))


def check_client(client: Any) -> None:
    """InvalidTypeError naming ``client`` unless it is None or a ``distributed.Client``."""
    if client is not None and (not hasattr(client, "compute") or not hasattr(client, "gather")):
        raise InvalidTypeError(f"client: expected a distributed.Client, got {type(client).__name__}")
