"""Type annotations of assay's compiled module ``assay._core`` (private: use the assay package).

The module is compiled (``python/bindings/``); this folder holds only its stubs, one per
compiled submodule: ``quality``, ``drift``, ``fairness``, ``explain`` (tree explainers),
``agnostic`` (model-agnostic explainers), ``slices`` (slice finding), ``review`` (conformal
sets) and ``monitor`` (CBPE). This file has what they share. Names starting with an underscore
exist only here, for the annotations. ``mypy.stubtest assay._core`` checks that the stubs and
the compiled module hold the same names.
"""

from collections.abc import Callable
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from typing_extensions import Never

from . import agnostic as agnostic
from . import drift as drift
from . import explain as explain
from . import fairness as fairness
from . import monitor as monitor
from . import quality as quality
from . import review as review
from . import slices as slices

__version__: str

# A column as assay._frame.Frame.core_columns() hands it over: (name, float64 values, NaN
# missing) or (name, int32 codes, -1 missing, labels); 1-D and contiguous.
_ColumnSpec = tuple[str, npt.NDArray[np.float64]] | tuple[str, npt.NDArray[np.int32], list[str]]
# A progress callback, called with (done, total) from the calling thread; with None the work
# still stops on Ctrl-C.
_Progress = Callable[[int, int], object] | None

# The runtime bases, under private names that exist only here: pybind11_builtins.pybind11_type
# is the metaclass of the bound classes, pybind11_object their base.
class _Pybind11Type(type): ...
class _Pybind11Object(metaclass=_Pybind11Type): ...

class _NotConstructible(_Pybind11Object):
    """A class whose objects only the core makes: calling it raises TypeError."""

    def __init__(self, *args: Never, **kwargs: Never) -> None: ...

class _NativeEnum:
    """Mixed into the option enums, bound with py::native_enum (Python enum.Enum classes): the
    capsule ties each to its C++ enum."""

    __pybind11_native_enum__: ClassVar[object]

def resolve_threads(n_jobs: int) -> int: ...  # threads a call with this n_jobs uses (<= 0: all cores)
def memory_limit() -> int: ...  # the most bytes one call may allocate for sizes the caller chose
def hash_string(text: str) -> int: ...  # stable 64-bit hash of a label, as the core hashes labels
