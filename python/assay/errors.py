"""The errors assay raises.

Every error assay raises on bad input is an [`AssayError`][assay.errors.AssayError]. It
subclasses ``ValueError``, so code that catches ``ValueError`` keeps working; the type
errors also subclass ``TypeError``. Catch a subclass to handle one kind of problem, e.g.
[`UnsupportedModelError`][assay.errors.UnsupportedModelError] to fall back to a
model-agnostic explainer when ``assay.explain.TreeExplainer`` cannot read a model. Messages
start with the argument or key they are about.

The compiled core's errors arrive as the same classes (see ``cpp/include/assay/common/error.hpp``).

Examples
--------
>>> import assay
>>> from assay.errors import AssayError, UnsupportedModelError
>>> try:
...     assay.explain.TreeExplainer(object())
... except UnsupportedModelError:
...     print("not a tree model: use a model-agnostic explainer")
not a tree model: use a model-agnostic explainer
>>> try:
...     assay.profile({"x": [1.0, 2.0]}, histogram_bins=0)
... except AssayError as error:
...     print(type(error).__name__, "-", error)
InvalidInputError - histogram_bins must be a positive integer, got 0
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
    """Base class of every error assay raises on bad input or an unusable state.

    A ``ValueError``, so ``except ValueError`` also catches it.
    """


class InvalidInputError(AssayError):
    """An argument or a column has a value the call cannot use.

    Out of range, NaN where a number is needed, mismatched lengths, ... The message names
    the argument.
    """


class InvalidTypeError(AssayError, TypeError):
    """An argument has a type or dtype the call does not accept.

    Also a ``TypeError``.
    """


class ResourceLimitError(InvalidInputError, MemoryError):
    """A requested size cannot fit in memory or in the index types.

    Raised before anything of that size is allocated; the message names the argument.
    Also a ``MemoryError``.
    """


class UnsupportedModelError(InvalidInputError):
    """A model (object or file) that assay cannot read or explain.

    An unknown kind, an unsupported feature of a known kind, or a malformed file.
    """


class CorruptedStateError(InvalidInputError):
    """Serialized bytes or JSON that do not decode to a valid state or result."""


class MissingDependencyError(AssayError, ImportError):
    """An optional dependency that the call needs is not installed.

    The message names the package and the extra that installs it. Also an ``ImportError``.
    """
