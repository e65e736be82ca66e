"""The errors assay raises.

Every error assay raises on bad input is an :class:`AssayError`. It subclasses
:class:`ValueError`, so code that catches ``ValueError`` keeps working; the type errors
also subclass :class:`TypeError`. Catch a subclass to handle one kind of problem::

    try:
        assay.explain.TreeExplainer(model)
    except assay.errors.UnsupportedModelError:
        ...  # fall back to a model-agnostic explainer

The compiled core's errors arrive as the same classes (see ``cpp/include/assay/common/error.hpp``).
"""

from __future__ import annotations

__all__ = [
    "AssayError",
    "CorruptedStateError",
    "InvalidInputError",
    "InvalidTypeError",
    "MissingDependencyError",
    "ResourceLimitError",
    "UnsupportedModelError",
]


class AssayError(ValueError):
    """Base class of every error assay raises on bad input or an unusable state."""


class InvalidInputError(AssayError):
    """An argument or a column has a value the call cannot use (out of range, NaN where a
    number is needed, mismatched lengths, ...). The message names the argument."""


class InvalidTypeError(AssayError, TypeError):
    """An argument has a type or dtype the call does not accept."""


class ResourceLimitError(InvalidInputError, MemoryError):
    """A requested size cannot fit in memory or in the index types; raised before anything of
    that size is allocated, and the message names the argument. Also a :class:`MemoryError`."""


class UnsupportedModelError(InvalidInputError):
    """A model (object or file) that assay cannot read or explain: an unknown kind, an
    unsupported feature of a known kind, or a malformed file."""


class CorruptedStateError(InvalidInputError):
    """Serialized bytes or JSON that do not decode to a valid state or result."""


class MissingDependencyError(AssayError, ImportError):
    """An optional dependency that the call needs is not installed; the message names the
    package and the extra that installs it."""
