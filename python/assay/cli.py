"""The ``assay`` command: quality gates for pipelines.

    assay demo [--rows N] [--html PATH] [--json PATH]
    assay check DATA [--target COL] [--reference REF] [--rules RULES] [--fail-on LEVEL]
                     [--html PATH] [--json PATH]

``check`` exits 0 when the report passes, 1 when it fails, 2 on a usage or input error,
so that a pipeline step can gate on it. DATA and REF are .csv, .parquet or .json
files (pandas needed); RULES is a JSON or YAML file (PyYAML needed for YAML).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__, datasets, quality


def _read_table(path: str) -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise SystemExit("assay: reading files needs pandas: pip install 'assay[frames]'") from None
    suffix = Path(path).suffix.lower()
    readers = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".json": pd.read_json}
    if suffix not in readers:
        raise SystemExit(f"assay: {path}: unsupported file type '{suffix}' (use .csv, .parquet or .json)")
    return readers[suffix](path)


def _read_rules(path: str) -> dict:
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise SystemExit("assay: YAML rules need PyYAML: pip install pyyaml") from None
        return yaml.safe_load(text)
    return json.loads(text)


def _emit(report: quality.QualityReport, html: str | None, json_path: str | None) -> None:
    print(report.summary())
    if html:
        report.to_html(html)
        print(f"HTML report: {html}")
    if json_path:
        Path(json_path).write_text(report.to_json(indent=2), encoding="utf-8")
        print(f"JSON report: {json_path}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="assay", description="Checks for machine-learning data and models.")
    parser.add_argument("--version", action="version", version=f"assay {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="audit a built-in synthetic data set with planted problems")
    demo.add_argument("--rows", type=int, default=20_000)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--html", default="assay_demo_report.html")
    demo.add_argument("--json", default=None)

    run = commands.add_parser("check", help="check a data file; exit 1 if the report fails")
    run.add_argument("data")
    run.add_argument("--target")
    run.add_argument("--reference")
    run.add_argument("--rules")
    run.add_argument("--fail-on", choices=["error", "warning"], default="error")
    run.add_argument("--html")
    run.add_argument("--json")
    run.add_argument("--n-jobs", type=int, default=None)

    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            current, reference = datasets.make_quality_demo(args.rows, seed=args.seed)
            report = quality.check(current, target="churned", reference=reference, rules=datasets.DEMO_RULES)
            _emit(report, args.html, args.json)
            return 0
        data = _read_table(args.data)
        reference = _read_table(args.reference) if args.reference else None
        rules = _read_rules(args.rules) if args.rules else None
        report = quality.check(data, target=args.target, reference=reference, rules=rules,
                               fail_on=args.fail_on, n_jobs=args.n_jobs)
        _emit(report, args.html, args.json)
        return 0 if report.passed else 1
    except (ValueError, TypeError, OSError) as error:
        print(f"assay: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
