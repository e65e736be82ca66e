"""Run the peers' own test suites for the two-sample tests against assay and count.

    python tools/peer_suites/scipy_evidently.py scipy [SCIPY_DIR] [--json]
        SCIPY_DIR is the directory that holds the ``scipy`` package whose tests are run
        (default: the installed scipy's; scipy ships its tests in the wheel). Runs the
        test classes of SCIPY_SUITE with scipy's functions swapped for assay's
        (scipy_swap.py) and counts each test as pass, fail, unsupported (an option or
        input assay does not offer, with the reason), differs (a documented difference)
        or n/a (it called none of them).

    python tools/peer_suites/scipy_evidently.py evidently EVIDENTLY_CHECKOUT --python PYTHON [--json]
        EVIDENTLY_CHECKOUT is a checkout of evidentlyai/evidently (its tests/ folder);
        PYTHON a Python with evidently==0.7.23 and pytest (.venv-evidently). Runs its
        stattest tests with every stattest's function swapped for ``assay.drift.compare``
        under the same name (evidently_swap.py) and counts the same way.

Run it from the repository root with assay importable (e.g. PYTHONPATH=python). Exits 0;
the counts are printed (one JSON document with --json).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# scipy's test classes and functions of the functions assay.drift offers under scipy's names.
SCIPY_SUITE = [
    "scipy/stats/tests/test_stats.py::TestKSTwoSamples",
    "scipy/stats/tests/test_stats.py::TestFisherExact",
    "scipy/stats/tests/test_stats.py::TestPowerDivergence",
    "scipy/stats/tests/test_stats.py::TestChisquare",
    "scipy/stats/tests/test_stats.py::TestWassersteinDistance",
    "scipy/stats/tests/test_stats.py::TestEnergyDistance",
    "scipy/stats/tests/test_hypotests.py::TestMannWhitneyU",
    "scipy/stats/tests/test_hypotests.py::TestCvm_2samp",
    "scipy/stats/tests/test_hypotests.py::TestEppsSingleton",
    "scipy/stats/tests/test_morestats.py::TestAndersonKSamp",
    "scipy/stats/tests/test_morestats.py::TestAndersonKSampVariant",
    "scipy/stats/tests/test_contingency.py::TestChi2Contingency",
    "scipy/stats/tests/test_entropy.py::TestEntropy",
    "scipy/spatial/tests/test_distance.py::test_jensenshannon",
]
EVIDENTLY_SUITE = [
    "tests/stattests/test_stattests.py",
    "tests/calculations/stattests",
    "tests/stattests/test_registry.py",
]


def run(
    python: str, targets: list[str], plugin: str, cwd: Path, extra_path: list[Path], env: dict[str, str] | None = None
) -> list[dict]:
    """Runs pytest on ``targets`` with the swap ``plugin``; the per-test outcomes."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "outcomes.jsonl"
        environment = dict(os.environ, **(env or {}))
        environment["ASSAY_SCIPY_SWAP_LOG"] = str(log)
        paths = [str(p) for p in extra_path] + [environment.get("PYTHONPATH", "")]
        environment["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        # Run from an empty folder and append test folders to sys.path, so that the assay
        # on PYTHONPATH wins over an installed one next to the suite.
        command = [python, "-m", "pytest", "-p", plugin, "-q", "-p", "no:cacheprovider", "-o", "addopts="]
        command += ["--rootdir", str(cwd), "--import-mode=append", "-W", "ignore"]
        command += [str(cwd / target) for target in targets]
        subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True)
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]


def summary(outcomes: list[dict]) -> dict:
    counts = collections.Counter(o["outcome"] for o in outcomes)
    reasons = collections.Counter(o["detail"] for o in outcomes if o["outcome"] in ("unsupported", "differs"))
    failures = [f"{o['test']}: {o['detail']}" for o in outcomes if o["outcome"] == "fail"]
    return {
        "pass": counts["pass"],
        "fail": counts["fail"],
        "unsupported": counts["unsupported"],
        "differs": counts["differs"],
        "n/a": counts["n/a"],
        "unsupported_reasons": dict(reasons.most_common()),
        "failures": failures,
    }


def _source_tree() -> list[Path]:
    """The repository's python/ folder when it holds a compiled module (a developer's build);
    otherwise nothing, so that the installed assay is imported (a fresh clone has no module in
    python/assay)."""
    return [ROOT / "python"] if any((ROOT / "python" / "assay").glob("_core*.so")) else []


def scipy_counts(scipy_dir: Path) -> dict:
    present = [t for t in SCIPY_SUITE if (scipy_dir / t.split("::")[0]).exists()]
    return summary(run(sys.executable, present, "scipy_swap", scipy_dir, [HERE, *_source_tree()]))


def evidently_counts(checkout: Path, python: str) -> dict:
    targets = [t for t in EVIDENTLY_SUITE if (checkout / t).exists()]
    return summary(run(python, targets, "evidently_swap", checkout, [HERE, ROOT / "python", checkout / "src"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", choices=["scipy", "evidently"])
    parser.add_argument("path", nargs="?", help="scipy's directory, or the Evidently checkout")
    parser.add_argument("--python", default=sys.executable, help="the Python that has Evidently (evidently only)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    arguments = parser.parse_args()
    if arguments.suite == "scipy":
        import scipy

        path = Path(arguments.path) if arguments.path else Path(scipy.__file__).resolve().parents[1]
        result = scipy_counts(path)
    else:
        if not arguments.path:
            parser.error("evidently needs the path of an Evidently checkout")
        result = evidently_counts(Path(arguments.path), arguments.python)
    if arguments.json:
        print(json.dumps(result))
        return
    print(
        f"{arguments.suite}: {result['pass']} pass, {result['fail']} fail, {result['unsupported']} unsupported, "
        f"{result['differs']} documented differences"
    )
    print(f"  (and {result['n/a']} tests of those classes that call none of the swapped functions)")
    for reason, count in result["unsupported_reasons"].items():
        print(f"  unsupported or different x{count}: {reason}")
    for failure in result["failures"]:
        print(f"  FAIL {failure}")


if __name__ == "__main__":
    main()
