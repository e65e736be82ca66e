"""Names for the kinds of argument assay's functions accept, for annotations.

``TableLike`` and ``ArrayLike`` describe what the input conversion (``assay._frame``) takes;
it checks the actual value at run time and raises
[`InvalidTypeError`][assay.errors.InvalidTypeError] for anything else.

Examples
--------
>>> import numpy as np
>>> from assay import quality
>>> from assay.typing import NJobs, TableLike
>>> def column_count(data: TableLike, n_jobs: NJobs = None) -> int:
...     return len(quality.profile(data, n_jobs=n_jobs))
>>> column_count(np.zeros((3, 2)))
2
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Union

import numpy as np
import numpy.typing as npt

__all__ = ["ArrayLike", "NJobs", "Progress", "Seed", "TableLike"]

ArrayLike = Union[npt.ArrayLike, Any]
"""One column or a vector: a numpy array, a list, a pandas/polars Series, a pyarrow Array."""

TableLike = Union[np.ndarray, Mapping[str, Any], Any]
"""A table: a 2-D numpy array (columns named ``x0, x1, ...``), a mapping of column names to
1-D arrays, a pandas or polars DataFrame or a pyarrow Table."""

NJobs = Union[int, None]
"""Threads for a call: ``None`` or ``-1`` for all cores, else a positive integer. Results do
not depend on it."""

Progress = Union[bool, None, Callable[[int, int], object]]
"""Progress display: ``True`` always, ``False`` never, ``None`` after two seconds of work, or
a callable ``callback(done, total)``."""

Seed = Union[int, np.integer, None]
"""A seed: a non-negative integer below ``2**64``; ``None`` draws a fresh one."""
