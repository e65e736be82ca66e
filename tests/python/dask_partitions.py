"""Partitionings of a pandas frame for the Dask tests (import after ``importorskip("dask")``):
cut at given rows, partitions in a given order, and the layouts every distributed call is
compared with the single-machine call on (1, 3 and 17 partitions, 17 in shuffled order, and
some empty partitions)."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd


def partitioned(frame: pd.DataFrame, cuts: list[int], order: list[int] | None = None) -> dd.DataFrame:
    """The frame cut at ``cuts`` (repeated cuts make empty partitions), partitions in ``order``."""
    bounds = [0, *cuts, len(frame)]
    pieces = [frame.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    if order is not None:
        pieces = [pieces[k] for k in order]
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=frame.iloc[:0])


def even_cuts(n: int, k: int) -> list[int]:
    """Cuts of n rows into k partitions of nearly equal size."""
    return [n * i // k for i in range(1, k)]


def layouts(n: int, seed: int) -> dict[str, tuple[list[int], list[int] | None]]:
    """(cuts, order) by layout name, for ``partitioned``; ``seed`` shuffles the 17 partitions."""
    return {
        "1": (even_cuts(n, 1), None),
        "3": (even_cuts(n, 3), None),
        "17": (even_cuts(n, 17), None),
        "shuffled": (even_cuts(n, 17), list(np.random.default_rng(seed).permutation(17))),
        "empty": ([0, 100, 100, 100, 400, n], None),
    }
