"""The Examples sections of assay.fairness and assay.explain run as doctests: every example
shown in the API reference is executed and its printed output compared."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import assay.explain
import assay.fairness
import pytest

PACKAGES = (assay.fairness, assay.explain)
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _docstring_tests() -> list[doctest.DocTest]:
    """The docstrings with examples of every module of the packages (each object is found
    in the module that defines it, so a re-exported name is found once)."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = []
    for package in PACKAGES:
        names = [package.__name__] + [m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + ".")]
        for name in names:
            tests.extend(test for test in finder.find(importlib.import_module(name)) if test.examples)
    return sorted(tests, key=lambda test: test.name)


TESTS = _docstring_tests()


def test_every_public_class_and_function_has_an_example():
    documented = {test.name.rsplit(".", 1)[-1] for test in TESTS}
    missing = [
        f"{package.__name__}.{name}"
        for package in PACKAGES
        for name in package.__all__
        if callable(getattr(package, name)) and name not in documented
    ]
    assert not missing, f"no Examples section: {missing}"


@pytest.mark.parametrize("test", TESTS, ids=lambda test: test.name)
def test_docstring_example(test):
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
