"""The ``assay`` command: quality gates and audits for pipelines.

    assay demo [--rows N] [--seed S] [--html PATH] [--json PATH] [--markdown PATH] [--n-jobs N]
    assay check DATA [--target COL] [--reference REF] [--rules RULES] [--fail-on LEVEL]
                     [--html PATH] [--json PATH]
    assay audit [--config FILE] [--reference REF] [--current CUR] [--target COL]
                [--prediction COL] [--model FILE] [--sensitive COL ...] [--html PATH]
                [--json PATH|-] [--markdown PATH|-] [--n-jobs N]
    assay config schema | init [PATH] [--force] | validate PATH

``demo`` audits a model it trains on generated data with planted problems (it needs the
``demo`` extra: scikit-learn and pandas) and writes the model card as HTML, JSON and
markdown (by default build/demo/audit_card.html, .json, .md). ``demo``, ``check`` and
``audit`` exit 0 when every gate passes, 1 when one fails, 2 on a usage or
input error (a bad configuration, an unreadable file, an unsupported format, a missing
optional dependency), so that a pipeline step can gate on them. Data files are .csv,
.parquet or .json (pandas needed); RULES is a JSON or YAML file (PyYAML needed for YAML);
an audit's model file is XGBoost JSON / UBJSON or LightGBM text. ``config`` prints the audit
configuration's JSON Schema, writes a commented default configuration (``-`` for stdout) or
validates one, exiting 2 when it is invalid.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__, quality
from ._files import input_file, read_table
from .errors import AssayError, InvalidInputError, InvalidTypeError, MissingDependencyError

# Exit statuses of `assay check` (and of every command on a usage or input error).
EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _read_rules(path: str) -> Any:
    file = input_file(path, "rules")
    try:
        text = file.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as error:
        raise InvalidInputError(f"rules {path}: cannot read the file ({error})") from None
    if file.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise MissingDependencyError(
                "YAML rules need PyYAML, which is not installed: pip install 'assay[cli]' (or use a JSON rules file)"
            ) from None
        try:
            rules = yaml.safe_load(text)  # plain data only: no !!python tags
        except yaml.YAMLError as error:
            raise InvalidInputError(f"rules {path}: not valid YAML rules ({error})") from None
    else:
        try:
            rules = json.loads(text)
        except ValueError as error:
            raise InvalidInputError(f"rules {path}: not valid JSON ({error})") from None
    if not isinstance(rules, dict):
        raise InvalidTypeError(f"rules {path}: expected a mapping of column name to rule, got {type(rules).__name__}")
    return rules


def _emit(report: quality.QualityReport, html: str | None, json_path: str | None) -> None:
    # Files first, so that a closed stdout (`| head`) does not lose them.
    lines = [report.summary()]
    if html:
        report.to_html(html)
        lines.append(f"HTML report: {html}")
    if json_path:
        Path(json_path).write_text(report.to_json(indent=2), encoding="utf-8")
        lines.append(f"JSON report: {json_path}")
    print("\n".join(lines))
    sys.stdout.flush()


def _config(args: argparse.Namespace) -> int:
    from . import _audit as audit

    if args.action == "schema":
        print(json.dumps(audit.config_schema(), indent=2))
    elif args.action == "validate":
        config = audit.load_config(Path(args.path))
        print(f"{args.path}: a valid assay audit configuration (version {config.version}, {len(config.gates())} gates)")
    elif args.path == "-":
        sys.stdout.write(audit.config_template())
    else:
        if Path(args.path).exists() and not args.force:
            raise InvalidInputError(f"{args.path}: the file exists; pass --force to overwrite it")
        Path(args.path).write_text(audit.config_template(), encoding="utf-8")
        print(f"wrote {args.path}")
    return EXIT_PASSED


def _write(text: str, path: str) -> None:
    if path == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _audit(args: argparse.Namespace) -> Any:
    from ._audit import audit, load_config

    config = load_config(Path(args.config)) if args.config else load_config()
    reference = read_table(args.reference, "reference") if args.reference else None
    current = read_table(args.current, "current") if args.current else None
    result = audit(
        reference,
        current,
        target=args.target,
        prediction=args.prediction,
        model=args.model,
        sensitive_features=args.sensitive,
        config=config,
        n_jobs=args.n_jobs,
        progress=False,
    )
    return result


def _emit_audit(result: Any, args: argparse.Namespace) -> None:
    # Files first, so that a closed stdout (`| head`) does not lose them; the summary goes to
    # stderr when stdout carries the JSON or the markdown.
    lines = [result.summary()]
    if args.html:
        result.to_html(args.html)
        lines.append(f"HTML card: {args.html}")
    for kind, path in (("JSON", args.json), ("markdown", args.markdown)):
        if path and path != "-":
            _write(result.to_json() if kind == "JSON" else result.to_markdown(), path)
            lines.append(f"{kind} card: {path}")
    for kind, path in (("JSON", args.json), ("markdown", args.markdown)):
        if path == "-":
            _write(result.to_json() if kind == "JSON" else result.to_markdown(), path)
    to_stdout = "-" in (args.json, args.markdown)
    print("\n".join(lines), file=sys.stderr if to_stdout else sys.stdout)
    sys.stdout.flush()


def _demo(args: argparse.Namespace) -> tuple[int, str]:
    """Runs the demo and writes its files; returns the exit status and the text to print."""
    from . import _demo as demo

    html = Path(args.html)
    outputs = {
        "HTML card": html,
        "JSON card": Path(args.json) if args.json else html.with_suffix(".json"),
        "markdown summary": Path(args.markdown) if args.markdown else html.with_suffix(".md"),
    }
    run = demo.run(args.rows, args.seed, args.n_jobs)
    result = run.audit
    for path in outputs.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    result.to_html(outputs["HTML card"])
    result.to_json(outputs["JSON card"])
    outputs["markdown summary"].write_text(result.to_markdown(), encoding="utf-8")
    lines = [run.describe(), result.summary(), ""]
    lines += [f"{kind}: {path}" for kind, path in outputs.items()]
    return (EXIT_PASSED if result.passed else EXIT_FAILED), "\n".join(lines)


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that the interpreter's final flush
    does not raise again (the approach of Python's signal documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command; returns 0 (passed), 1 (a gate failed) or 2 (usage or input error).

    A reader that closes stdout early (``assay check ... | head -1``) does not make it fail:
    the files are written first and the status is the report's.
    """
    parser = argparse.ArgumentParser(prog="assay", description="Checks for machine-learning data and models.")
    parser.add_argument("--version", action="version", version=f"assay {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo",
        help="audit a model trained on generated data with planted problems; exit 1 when a gate fails (it should)",
    )
    demo.add_argument(
        "--rows", type=int, default=20_000, help="rows of each period; half the reference period trains the model"
    )
    demo.add_argument("--seed", type=int, default=0, help="seed of the data, the model and the audit")
    demo.add_argument("--html", default="build/demo/audit_card.html", help="the model card as HTML (%(default)s)")
    demo.add_argument("--json", help="the model card as JSON (default: next to --html)")
    demo.add_argument("--markdown", help="the markdown summary (default: next to --html)")
    demo.add_argument("--n-jobs", type=int, default=None)

    run = commands.add_parser("check", help="check a data file; exit 1 if the report fails, 2 on an input error")
    run.add_argument("data")
    run.add_argument("--target")
    run.add_argument("--reference")
    run.add_argument("--rules")
    run.add_argument("--fail-on", choices=["error", "warning"], default="error")
    run.add_argument("--html")
    run.add_argument("--json")
    run.add_argument("--n-jobs", type=int, default=None)

    audit = commands.add_parser(
        "audit", help="audit a model and its data; exit 1 if a gate fails, 2 on a usage or input error"
    )
    audit.add_argument("--config", help="the audit configuration (YAML or JSON); data paths may come from it")
    audit.add_argument("--reference", help="the reference (training) data: .csv, .parquet or .json")
    audit.add_argument("--current", help="the current data: .csv, .parquet or .json")
    audit.add_argument("--target", help="the target column")
    audit.add_argument("--prediction", help="the prediction column (without --model)")
    audit.add_argument("--model", help="a model file: XGBoost .json / .ubj or LightGBM .txt")
    audit.add_argument("--sensitive", action="append", help="a sensitive feature column (repeat for several)")
    audit.add_argument("--html", help="write the model card as one self-contained HTML page")
    audit.add_argument("--json", help="write the model card as JSON (- for stdout)")
    audit.add_argument("--markdown", help="write a markdown summary for a pull request (- for stdout)")
    audit.add_argument("--n-jobs", type=int, default=None)

    config = commands.add_parser("config", help="the audit configuration: its schema, a default, a validation")
    actions = config.add_subparsers(dest="action", required=True)
    actions.add_parser("schema", help="print the JSON Schema of the audit configuration")
    init = actions.add_parser("init", help="write a commented default configuration (- for stdout)")
    init.add_argument("path", nargs="?", default="audit.yaml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    actions.add_parser("validate", help="check a configuration file; exit 2 when invalid").add_argument("path")

    args = parser.parse_args(argv)
    status = EXIT_PASSED
    try:
        if args.command == "config":
            return _config(args)
        if args.command == "audit":
            result = _audit(args)
            status = EXIT_PASSED if result.passed else EXIT_FAILED
            _emit_audit(result, args)
            return status
        if args.command == "demo":
            # Files first, so that a closed stdout (`| head`) does not lose them.
            status, text = _demo(args)
            print(text)
            sys.stdout.flush()
            return status
        data = read_table(args.data)
        reference = read_table(args.reference, "reference") if args.reference else None
        rules = _read_rules(args.rules) if args.rules else None
        report = quality.check(
            data, target=args.target, reference=reference, rules=rules, fail_on=args.fail_on, n_jobs=args.n_jobs
        )
        status = EXIT_PASSED if report.passed else EXIT_FAILED
        _emit(report, args.html, args.json)
        return status
    except BrokenPipeError:
        _silence_stdout()
        return status
    except (AssayError, ValueError, TypeError, OSError) as error:
        # AssayError covers MissingDependencyError; ValueError and TypeError come from
        # argument checks outside assay's own (numpy, pandas); OSError from writing files.
        print(f"assay: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("assay: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
