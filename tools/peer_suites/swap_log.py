"""Outcome log shared by the swap plugins (scipy_swap.py, evidently_swap.py).

Each test ends in one of these classes, written as JSON lines to the file named by the
environment variable ``ASSAY_SCIPY_SWAP_LOG``:

* ``pass`` / ``fail``: the test called assay and passed or failed;
* ``unsupported``: the test asked for something assay does not offer (the reason says what);
* ``differs``: a documented difference by decision (the plugin names the tests);
* ``n/a``: the test did not call any swapped function (or the suite skipped it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest


class Unsupported(Exception):
    """An option or input assay does not offer; the test is counted as unsupported."""


# Per-test record: did an adapter run, what was unsupported, what differs by decision.
_STATE: dict[str, Any] = {"called": False, "unsupported": None, "differs": None}


def unsupported(reason: str) -> None:
    _STATE["unsupported"] = _STATE["unsupported"] or reason
    raise Unsupported(reason)


def differs(reason: str) -> None:
    """Input on which assay differs from the peer by a documented decision (e.g. it
    raises on an empty sample where scipy returns NaN); the test is counted apart."""
    _STATE["differs"] = _STATE["differs"] or reason
    raise Unsupported(reason)


# Tests whose failure is a documented difference by decision: {piece of the test id: reason}.
DIFFERENCES: dict[str, str] = {}


def recorded(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        _STATE["called"] = True
        try:
            return function(*args, **kwargs)
        except TypeError as error:  # an assay without the option
            if "unexpected keyword argument" in str(error):
                unsupported(f"{function.__name__}: {error}")
            raise
        except AttributeError as error:  # an assay without the function
            if "assay" in str(error):
                unsupported(f"{function.__name__}: {error}")
            raise

    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call


def pytest_runtest_setup(item: pytest.Item) -> None:
    _STATE["called"] = False
    _STATE["unsupported"] = None
    _STATE["differs"] = None


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> None:
    if call.when != "call":
        return
    if call.excinfo is not None and call.excinfo.errisinstance(Unsupported):
        _STATE["unsupported"] = _STATE["unsupported"] or str(call.excinfo.value)
    listed = next((why for piece, why in DIFFERENCES.items() if piece in item.nodeid), None)
    difference = _STATE["differs"] or (listed if call.excinfo is not None else None)
    if difference:
        outcome = "differs"
        _STATE["unsupported"] = difference
    elif _STATE["unsupported"]:
        outcome = "unsupported"
    elif not _STATE["called"]:
        outcome = "n/a"
    else:
        outcome = "pass" if call.excinfo is None else "fail"
    detail = _STATE["unsupported"] or ("" if call.excinfo is None else call.excinfo.exconly()[:300])
    path = os.environ.get("ASSAY_SCIPY_SWAP_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"test": item.nodeid, "outcome": outcome, "detail": detail}) + "\n")
