"""The examples of the public docstrings run and print what they show.

Every module listed below is searched with ``doctest.DocTestFinder`` (module, classes,
functions, methods and properties defined in it; for a package, in its modules too, since the
finder only takes the objects defined in the module it is given) and its examples are run with
ELLIPSIS and NORMALIZE_WHITESPACE. Add a module here when its docstrings gain examples.
"""

import doctest
import importlib
import pkgutil

import pytest

MODULES = [
    "assay.quality",
    "assay.drift",
    "assay.slices",
    "assay.monitor",
    "assay.datasets",
    "assay.errors",
    "assay.warnings",
    "assay.typing",
    "assay._audit._runner",
    "assay._audit._result",
    "assay._audit._metrics",
    "assay._audit._config",
    "assay._audit._gates",
    "assay.plots.drift",
    "assay.plots.explain",
    "assay.plots.fairness",
    "assay.dask",
    "assay.spark",
    "assay.review",
]

FIGURE_MODULES = {name for name in MODULES if name.startswith("assay.plots")}


@pytest.fixture
def figures(request):
    """A non-interactive matplotlib backend for the figure examples; their figures closed afterwards."""
    if request.node.callspec.params["module_name"] not in FIGURE_MODULES:
        yield
        return
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name, figures):
    if module_name == "assay.dask":
        pytest.importorskip("dask.dataframe")  # the dask extra
    if module_name == "assay.spark":
        pytest.importorskip("pyspark")  # the spark extra
    module = importlib.import_module(module_name)
    modules = [module]
    if hasattr(module, "__path__"):  # a package: its public names are defined in its modules
        prefix = module_name + "."
        modules += [importlib.import_module(info.name) for info in pkgutil.iter_modules(module.__path__, prefix)]
    finder = doctest.DocTestFinder()
    tests = [test for m in modules for test in finder.find(m) if test.examples]
    assert tests, f"{module_name} has no docstring examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {module_name} failed (output above)"
