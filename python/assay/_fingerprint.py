"""Content fingerprints of tables, computed in the core (``assay/common/fingerprint.hpp``).

Each row is hashed over its columns in the order of their names, each column keyed by its
kind and name (a number by its float64 bits, -0.0 as 0.0 and every NaN alike; a category by
its label's hash, so the category codes do not matter); the row hashes are combined by their
sum modulo 2**64 and their exclusive or, which do not depend on the order of the rows (the
sum also counts repeated rows).
"""

from __future__ import annotations

from typing import Any

from ._core import quality as _core_quality
from ._frame import Frame
from ._util import n_jobs_arg
from .typing import NJobs

__all__ = ["METHOD", "as_dict", "table_fingerprint"]

METHOD = "keyed 64-bit row hash over columns by name; sum mod 2^64 and xor over rows"


def as_dict(fingerprint: _core_quality.TableFingerprint) -> dict[str, Any]:
    """A core fingerprint as JSON-safe data.

    Parameters
    ----------
    fingerprint : assay._core.quality.TableFingerprint

    Returns
    -------
    dict
        ``method``, ``rows``, ``columns``, ``sum`` and ``xor`` (16 hexadecimal digits each)
        and ``value`` (the two joined).
    """
    total, folded = f"{fingerprint.sum:016x}", f"{fingerprint.xor:016x}"
    return {
        "method": METHOD,
        "rows": fingerprint.rows,
        "columns": fingerprint.columns,
        "sum": total,
        "xor": folded,
        "value": total + folded,
    }


def table_fingerprint(frame: Frame, n_jobs: NJobs = None) -> dict[str, Any]:
    """The content fingerprint of a table, as :func:`as_dict` gives it.

    Parameters
    ----------
    frame : Frame
    n_jobs : NJobs, default None
        Threads (None or -1: all cores); the result does not depend on it.

    Returns
    -------
    dict
    """
    return as_dict(_core_quality.table_fingerprint(frame.core_columns(), n_jobs_arg(n_jobs)))
