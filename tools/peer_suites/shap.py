"""Runs shap's own explainer, Explanation and plot tests against assay, with only the import swapped.

shap's tests are not in its wheel, so this script fetches nothing: give it the ``tests``
folder of a shap checkout (and its ``data`` folder, since the tests' datasets are
downloaded from GitHub otherwise)::

    git clone --depth 1 https://github.com/shap/shap /tmp/shap
    python tools/peer_suites/shap.py /tmp/shap/tests --data /tmp/shap/data

It copies the tests to a temporary folder, runs pytest on the explainer, Explanation and
plot tests with a plugin that points shap's public names at assay's (the table
``SWAPPED`` below; everything else stays shap's own), and prints pass / fail / not
applicable counts. ``--original`` runs the same tests on shap itself, as a control.

Not applicable: tests that shap itself skips (optional packages that are not installed,
a GPU), tests marked as expected failures by shap, and tests of features assay does not
claim (``NOT_APPLICABLE`` below, each with its reason).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# The test files run: shap's explainer tests for the algorithms assay implements, the
# Explanation tests and the plot tests.
TEST_FILES = [
    "explainers/test_tree.py",
    "explainers/test_kernel.py",
    "explainers/test_permutation.py",
    "explainers/test_exact.py",
    "explainers/test_linear.py",
    "test_explanation.py",
    "plots",
]

# Tests (node id substrings) of features assay does not claim, with the reason.
NOT_APPLICABLE = {
    "gpu": "GPU explainers",
    "Partition": "Owen values (maskers.Partition) are not implemented",
    "partition_masker": "Owen values (maskers.Partition) are not implemented",
    "catboost": "CatBoost models are not supported",
    "pyspark": "Spark models are not supported",
    "ngboost": "NGBoost models are not supported",
    "causalml": "causalml models are not supported",
    "skopt": "scikit-optimize models are not supported",
    "isolation": "IsolationForest is not supported",
    "IsolationForest": "IsolationForest is not supported",
    "test_image.py": "image plots of deep-learning explanations",
    "test_text.py": "text plots of text-masker explanations",
    "TreeEnsemble": "shap's internal tree representation",
    "test_xgboost_direct": "reads shap's internal TreeEnsemble (explainer.model.tree_limit)",
    "test_tree_limit": "reads shap's internal TreeEnsemble (explainer.model.tree_limit)",
    "test_waterfall_bounds": "sets shap's internal slicer (explanation._s)",
    "test_xgboost_multiclass": "reads shap's internal TreeEnsemble (explainer.model.predict gives margins)",
    "test_tight_sensitivity_extra": "calls shap's internal TreeExplainer.assert_additivity",
    "test_populating_op_history": "shap's internal operation history (OpHistoryItem)",
    "SingleTree": "shap's internal tree representation",
}

# Failures of a download (the machine is offline): not applicable either way.
OFFLINE = ("URLError", "HTTPError", "urlopen error", "Temporary failure in name resolution")
# A failure whose only complaint is the exception's message text (the type matched).
MESSAGE_ONLY = ("Regex pattern did not match",)

PLUGIN = r'''
"""pytest plugin: shap's public explainer, Explanation and plot names point at assay's."""
import os
import sys

import numpy as np
import pytest

import assay.errors
import assay.explain
import assay.plots
import shap
import shap.datasets
import shap.explainers
import shap.plots
from shap.utils import _exceptions

ORIGINAL = os.environ.get("ASSAY_PEER_ORIGINAL") == "1"

# shap name -> assay object
SWAPPED = {
    "TreeExplainer": assay.explain.TreeExplainer,
    "KernelExplainer": assay.explain.KernelExplainer,
    "PermutationExplainer": assay.explain.PermutationExplainer,
    "ExactExplainer": assay.explain.ExactExplainer,
    "LinearExplainer": assay.explain.LinearExplainer,
    "Explanation": assay.explain.Explanation,
    "Cohorts": getattr(assay.explain, "Cohorts", None),
    "kmeans": assay.explain.kmeans,
}
EXPLAINER_ALIASES = {"Tree": "TreeExplainer", "Kernel": "KernelExplainer", "Permutation": "PermutationExplainer",
                     "Exact": "ExactExplainer", "Linear": "LinearExplainer"}
PLOTS = ["bar", "beeswarm", "waterfall", "scatter"]
# shap's exception classes -> (shap's, assay's): code catching shap's error catches assay's equivalent.
EXCEPTIONS = {
    "InvalidModelError": assay.errors.UnsupportedModelError,
    "DimensionError": assay.errors.InvalidInputError,
    "InvalidFeaturePerturbationError": assay.errors.InvalidInputError,
    "ExplainerError": assay.errors.AssayError,
    "InvalidMaskerError": assay.errors.InvalidInputError,
}


def _swap():
    for name, obj in SWAPPED.items():
        if obj is None:
            continue
        setattr(shap, name, obj)
        if hasattr(shap.explainers, name):
            setattr(shap.explainers, name, obj)
    for alias, name in EXPLAINER_ALIASES.items():
        setattr(shap.explainers, alias, SWAPPED[name])
    for name in PLOTS:
        if hasattr(assay.plots, name):
            setattr(shap.plots, name, getattr(assay.plots, name))


def _data_cache(data_dir):
    original = shap.datasets.cache

    def cache(url, file_name=None):
        local = os.path.join(data_dir, file_name or os.path.basename(url))
        return local if os.path.isfile(local) else original(url, file_name)

    shap.datasets.cache = cache


def _offline_california():
    """shap.datasets.california downloads scikit-learn's California housing data; offline, and
    when it is not cached, a seeded stand-in with the same columns and size is used."""
    import sklearn.datasets
    from sklearn.utils import Bunch

    original = sklearn.datasets.fetch_california_housing

    def fetch(*args, **kwargs):
        try:
            return original(*args, **{**kwargs, "download_if_missing": False})
        except OSError:
            rng = np.random.default_rng(0)
            names = ["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"]
            X = np.column_stack([
                rng.lognormal(1.2, 0.5, 20640), rng.integers(1, 53, 20640).astype(float),
                rng.lognormal(1.6, 0.3, 20640), rng.lognormal(0.05, 0.1, 20640),
                rng.lognormal(7.0, 0.7, 20640).round(), rng.lognormal(1.0, 0.3, 20640),
                rng.uniform(32.5, 42.0, 20640), rng.uniform(-124.3, -114.3, 20640),
            ])
            y = 0.4 * X[:, 0] - 0.02 * (X[:, 6] - 36) ** 2 + 0.01 * X[:, 1] + rng.normal(0, 0.3, 20640)
            os.environ["ASSAY_PEER_STANDIN"] = "1"
            return Bunch(data=X, target=y, feature_names=names, DESCR="offline stand-in")

    sklearn.datasets.fetch_california_housing = fetch


if os.environ.get("ASSAY_PEER_DATA"):
    _data_cache(os.environ["ASSAY_PEER_DATA"])
_offline_california()
if not ORIGINAL:
    _swap()


def pytest_collection_modifyitems(session, config, items):
    if ORIGINAL:
        return
    modules = {item.module for item in items if getattr(item, "module", None) is not None}
    for module in modules:
        names = vars(module)
        if names.get("Explanation") is not None and names["Explanation"] is not SWAPPED["Explanation"]:
            names["Explanation"] = SWAPPED["Explanation"]
        for name, assay_error in EXCEPTIONS.items():
            if names.get(name) is getattr(_exceptions, name):
                names[name] = (getattr(_exceptions, name), assay_error)


RESULTS = {}


def pytest_runtest_logreport(report):
    outcome = RESULTS.get(report.nodeid)
    if report.when == "call" or report.outcome != "passed":
        if hasattr(report, "wasxfail"):
            state = "xfail" if report.outcome == "skipped" else "xpass"
        else:
            state = report.outcome
        if outcome in (None, "passed") or state != "passed":
            message = ""
            if report.outcome == "failed":
                crash = getattr(report.longrepr, "reprcrash", None)
                text = crash.message if crash is not None else report.longreprtext.strip()
                message = " ".join(text.split())[:300]
            elif report.outcome == "skipped":
                message = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
            RESULTS[report.nodeid] = state if state != "passed" or outcome is None else outcome
            RESULTS[report.nodeid + "::message"] = message
            _write()


def _write():
    """The outcomes so far (a run stopped early still leaves them)."""
    path = os.environ.get("ASSAY_PEER_RESULTS")
    if path and os.environ.get("PYTEST_XDIST_WORKER") is None:
        import json

        with open(path, "w") as f:
            json.dump(RESULTS, f, indent=1)


def pytest_sessionfinish(session, exitstatus):
    _write()
'''


def classify(results: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Each test as pass, fail or n/a (with the reason)."""
    groups: dict[str, list[tuple[str, str]]] = {"pass": [], "fail": [], "n/a": []}
    for nodeid, state in results.items():
        if nodeid.endswith("::message"):
            continue
        message = results.get(nodeid + "::message", "")
        reason = next((why for key, why in NOT_APPLICABLE.items() if key in nodeid), None)
        if state in ("skipped", "xfail"):
            groups["n/a"].append((nodeid, f"shap skips it: {message}" if state == "skipped" else "shap's xfail"))
        elif state == "failed" and any(word in message for word in OFFLINE):
            groups["n/a"].append((nodeid, f"needs the network: {message}"))
        elif reason is not None:
            groups["n/a"].append((nodeid, reason))
        elif state in ("passed", "xpass"):
            groups["pass"].append((nodeid, ""))
        else:
            groups["fail"].append((nodeid, message))
    return groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tests", type=Path, help="the tests folder of a shap checkout")
    parser.add_argument("--data", type=Path, help="the data folder of a shap checkout (offline datasets)")
    parser.add_argument("--original", action="store_true", help="run on shap itself (no swap), as a control")
    parser.add_argument("--list", choices=["pass", "fail", "n/a", "all"], help="also list these tests")
    parser.add_argument("--json", type=Path, help="write every test's outcome to this file")
    parser.add_argument("--log", type=Path, help="write pytest's output to this file")
    args, pytest_args = parser.parse_known_args()  # anything else goes to pytest, e.g. -- -n 2 -k tree
    pytest_args = [a for a in pytest_args if a != "--"]
    if not (args.tests / "explainers" / "test_tree.py").is_file():
        parser.error(f"{args.tests} is not shap's tests folder (no explainers/test_tree.py)")
    with tempfile.TemporaryDirectory(prefix="assay-shap-suite-") as work:
        suite = Path(work) / "tests"
        shutil.copytree(args.tests, suite)
        (Path(work) / "assay_shap_swap.py").write_text(PLUGIN)
        results_path = args.json.with_suffix(".raw.json").resolve() if args.json else Path(work) / "results.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([work, *filter(None, [env.get("PYTHONPATH")])])
        env["ASSAY_PEER_RESULTS"] = str(results_path)
        env["ASSAY_PEER_ORIGINAL"] = "1" if args.original else "0"
        env["MPLBACKEND"] = "Agg"
        if args.data:
            env["ASSAY_PEER_DATA"] = str(args.data.resolve())
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "assay_shap_swap",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(suite),
            *TEST_FILES,
            *pytest_args,
        ]
        with open(args.log or os.devnull, "w", buffering=1) as log:
            subprocess.run(command, cwd=suite, env=env, stdout=log, stderr=subprocess.STDOUT)
        if not results_path.is_file():
            print("pytest did not run (see: " + " ".join(command) + ")", file=sys.stderr)
            return 2
        results = json.loads(results_path.read_text())
    groups = classify(results)
    if args.json:
        args.json.write_text(json.dumps(groups, indent=1))
    for group in ("pass", "fail", "n/a") if args.list == "all" else ([args.list] if args.list else []):
        for nodeid, why in sorted(groups[group]):
            print(f"{group:5} {nodeid}  {why}")
    label = "shap itself" if args.original else "assay (import swapped)"
    message_only = sum(any(word in why for word in MESSAGE_ONLY) for _, why in groups["fail"])
    print(f"{label}: {len(groups['pass'])} pass, {len(groups['fail'])} fail, {len(groups['n/a'])} not applicable")
    print(f"  of the failures, {message_only} differ only in the exception's message text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
