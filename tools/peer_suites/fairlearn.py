"""Runs fairlearn's own metric and ThresholdOptimizer tests against ``assay.fairness``.

    python tools/peer_suites/fairlearn.py PATH [--report OUT.json] [-- PYTEST_ARGS...]

PATH is the ``test`` folder of a checked-out fairlearn repository (or the repository
itself). Nothing is fetched: check out fairlearn yourself, e.g.

    git clone https://github.com/fairlearn/fairlearn && python tools/peer_suites/fairlearn.py fairlearn/test

The import swap: before the suite is collected, the public names of ``fairlearn.metrics``
that assay provides (``MetricFrame``, the base, disparity and generated metrics,
``make_derived_metric``) and ``fairlearn.postprocessing.ThresholdOptimizer`` are replaced
by assay's, with ``convention="fairlearn"``; the rest of fairlearn (its private modules,
plots, reductions) stays fairlearn's. Then ``test/unit/metrics`` and
``test/unit/postprocessing`` run under pytest with fairlearn's warning filters, and every
test is counted once:

* ``pass``: it passed and called assay;
* ``fail (message)``: the only difference is the text of an exception (a ``match=`` or a
  ``str(error)`` check failed on an exception of the expected type);
* ``fail``: anything else;
* ``n/a``: the test never called assay (it tests fairlearn's internals, or names assay
  does not provide), it reads a private attribute of fairlearn's objects
  (``_process_features``, ``interpolated_thresholder_``, ...), it fails in one of
  fairlearn's plot functions given assay's objects (they check for fairlearn's classes),
  or it was skipped.

The counts go to stdout; ``--report`` also writes every test's outcome and reason as JSON.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

# This file is called fairlearn.py: keep its folder off the import path so that
# `import fairlearn` finds the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

# fairlearn's pytest settings (its pyproject.toml), so that the suite runs as fairlearn runs it.
_INI = """[pytest]
filterwarnings =
    error
    default:You are about to use a dataset with known fairness issues:Warning
    default:DataFrame is highly fragmented:Warning
markers =
    narwhals: dataframe logic backed by Narwhals
    mpl_image_compare: needs pytest-mpl
    openml: downloads from OpenML
"""
SUITES = ("unit/metrics", "unit/postprocessing")
# fairlearn's names, as assay provides them. Functions with a `convention` parameter get
# convention="fairlearn" bound.
METRIC_NAMES = (
    "count",
    "selection_rate",
    "mean_prediction",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "make_derived_metric",
)
# Attributes of fairlearn's objects that hold its internals (besides names starting with
# "_"): tests that read them are not applicable.
PRIVATE_ATTRIBUTES = ("interpolated_thresholder_",)


class _State:
    called_assay = False


class _Recorded(functools.partial):  # type: ignore[type-arg]
    """An assay function with fairlearn's convention bound, recording that assay was called.

    A ``functools.partial``, so that assay's MetricFrame still recognises the built-in."""

    def __call__(self, /, *args: Any, **kwargs: Any) -> Any:
        _State.called_assay = True
        return super().__call__(*args, **kwargs)


def _swapped(function: Any) -> Any:
    bound = {"convention": "fairlearn"} if "convention" in inspect.signature(function).parameters else {}
    wrapper = _Recorded(function, **bound)
    functools.update_wrapper(wrapper, function)
    return wrapper


def swap_imports() -> list[str]:
    """Puts assay's objects in place of fairlearn's; returns the swapped names."""
    import assay.fairness as ours
    import fairlearn.metrics
    import fairlearn.postprocessing

    class MetricFrame(ours.MetricFrame):
        __doc__ = ours.MetricFrame.__doc__

        def __init__(self, **kwargs: Any) -> None:
            _State.called_assay = True
            kwargs.setdefault("convention", "fairlearn")
            super().__init__(**kwargs)

        def __getattribute__(self, name: str) -> Any:
            _State.called_assay = True  # tests that read a frame built at import time
            return super().__getattribute__(name)

    class ThresholdOptimizer(ours.ThresholdOptimizer):
        __doc__ = ours.ThresholdOptimizer.__doc__

        def __init__(self, **kwargs: Any) -> None:
            _State.called_assay = True
            super().__init__(**kwargs)

        def __getattribute__(self, name: str) -> Any:
            _State.called_assay = True
            return super().__getattribute__(name)

    swapped: dict[str, Any] = {"MetricFrame": MetricFrame}
    # The generated metrics (accuracy_score_difference, ...) by fairlearn's list of them.
    for name in [*METRIC_NAMES, *fairlearn.metrics._generated_metric_dict]:
        if hasattr(ours, name):
            swapped[name] = _swapped(getattr(ours, name))
    for name, value in swapped.items():
        setattr(fairlearn.metrics, name, value)
    fairlearn.postprocessing.ThresholdOptimizer = ThresholdOptimizer
    return [*swapped, "ThresholdOptimizer"]


def _classify(report: Any, call: Any) -> str:
    """The category of a failed test: "message" when only an exception's text differs,
    "private" when it reads a private attribute of fairlearn's objects, else "fail"."""
    text = str(report.longrepr)
    excinfo = call.excinfo
    if excinfo is not None and excinfo.errisinstance(AttributeError):
        # `_process_features`, `_none_to_nan`, ... or one of PRIVATE_ATTRIBUTES.
        missing = re.search(r"has no attribute '(\w+)'", str(excinfo.value))
        if missing and (missing.group(1).startswith("_") or missing.group(1) in PRIVATE_ATTRIBUTES):
            return "private"
    if report.nodeid.rsplit("/", 1)[-1].startswith("test_plot"):
        # fairlearn's plot functions (not swapped) check for and read fairlearn's own classes.
        return "plot"
    if "Regex pattern did not match" in text:
        return "message"
    if excinfo is not None and excinfo.errisinstance(AssertionError):
        # A check on the text of an exception caught by pytest.raises (of the expected
        # type): `str(e.value) == ...`, `execInfo.value.args[0] == ...`.
        statement = str(excinfo.traceback[-1].statement)
        if re.search(r"\b\w+\.value\b", statement) and ("str(" in statement or ".args" in statement):
            return "message"
    return "fail"


class Counter:
    """pytest plugin: the outcome of every test, and whether it called assay."""

    def __init__(self) -> None:
        self.outcomes: dict[str, dict[str, str]] = {}

    def pytest_runtest_setup(self, item: Any) -> None:
        _State.called_assay = False

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.skipped:
                result = ("n/a", "skipped")
            elif report.passed:
                result = ("pass", "") if _State.called_assay else ("n/a", "did not call assay")
            elif not _State.called_assay:
                result = ("n/a", "did not call assay")
            else:
                kind = _classify(report, call)
                result = {
                    "message": ("fail (message)", ""),
                    "private": ("n/a", "reads a private attribute"),
                    "plot": ("n/a", "fairlearn's plot functions given assay's objects"),
                    "fail": ("fail", ""),
                }[kind]
            reason = result[1] or (str(call.excinfo.value).splitlines()[0][:300] if call.excinfo else "")
            self.outcomes[item.nodeid] = {"outcome": result[0], "reason": reason}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="fairlearn's test folder (or the repository)")
    parser.add_argument("--report", type=Path, help="write every test's outcome as JSON here")
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: len(argv) - len(extra) - bool(extra or "--" in argv)])
    tests = args.path if (args.path / "unit").is_dir() else args.path / "test"
    if not (tests / "unit" / "metrics").is_dir():
        parser.error(f"{args.path}: no unit/metrics folder; pass fairlearn's test folder")
    root = tests.resolve().parent
    sys.path.insert(0, str(root))  # the suite imports `test.unit...`
    swapped = swap_imports()
    counter = Counter()
    with tempfile.TemporaryDirectory() as folder:
        ini = Path(folder) / "pytest.ini"
        ini.write_text(_INI)
        os.chdir(root)
        pytest.main(
            [
                *(str(tests / suite) for suite in SUITES),
                "-c",
                str(ini),
                "--rootdir",
                str(root),
                "-p",
                "no:cacheprovider",
                "-q",
                "--no-header",
                "-rN",
                "--tb=short",
                *extra,
            ],
            plugins=[counter],
        )
    totals: dict[str, int] = {}
    for result in counter.outcomes.values():
        totals[result["outcome"]] = totals.get(result["outcome"], 0) + 1
    print(f"\nfairlearn suite against assay ({len(swapped)} names swapped: {', '.join(swapped)}):")
    for key in ("pass", "fail (message)", "fail", "n/a"):
        print(f"  {key:15} {totals.get(key, 0):5}")
    if args.report:
        args.report.write_text(json.dumps(counter.outcomes, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
