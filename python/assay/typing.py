"""Names for the kinds of argument assay's functions accept, for annotations.

``TableLike`` and ``ArrayLike`` describe what the input conversion (``assay._frame``) takes;
it checks the actual value at run time and raises :class:`assay.errors.InvalidTypeError` for
anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Union

import numpy as np
import numpy.typing as npt

__all__ = ["ArrayLike", "NJobs", "Progress", "Seed", "TableLike"]

#: One column or a vector: a numpy array, a list, a pandas/polars Series, a pyarrow Array.
ArrayLike = Union[npt.ArrayLike, Any]

#: A table: a 2-D numpy array (columns named ``x0, x1, ...``), a mapping of column names to
#: 1-D arrays, a pandas or polars DataFrame or a pyarrow Table.
TableLike = Union[np.ndarray, Mapping[str, Any], Any]

#: Threads for a call: ``None`` or ``-1`` for all cores, else a positive integer. Results do
#: not depend on it.
NJobs = Union[int, None]

#: Progress display: ``True`` always, ``False`` never, ``None`` after two seconds of work, or
#: a callable ``callback(done, total)``.
Progress = Union[bool, None, Callable[[int, int], object]]

#: A seed: a non-negative integer below ``2**64``; ``None`` draws a fresh one.
Seed = Union[int, np.integer, None]
