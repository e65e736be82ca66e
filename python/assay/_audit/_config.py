"""The audit configuration: one YAML or JSON file, validated against a versioned JSON Schema.

:func:`load_config` reads a file path, a YAML or JSON string or a dict, validates it against
:func:`config_schema` (with the ``jsonschema`` package), fills the defaults the schema states
and returns a read-only :class:`AuditConfig`. Every problem is an
:class:`~assay.errors.InvalidInputError` whose message starts with the key path, e.g.
``fairness.gates[2].threshold: expected a number, got "x"``, followed, for a YAML file, by the
file and line. :meth:`AuditConfig.gates` turns the checks' settings and the ``gates:`` lists
into the :class:`~assay.Gate` objects that :func:`~assay._audit.evaluate_gates` applies.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import _core
from ..errors import InvalidInputError, InvalidTypeError, MissingDependencyError
from . import _schema
from ._gates import Comparison, Gate, GateOverride, ShareRule
from ._schema import CHECKS, CONFIG_VERSIONS, SECTIONS, CheckDef

__all__ = [
    "AuditConfig",
    "CheckConfig",
    "ColumnsConfig",
    "DataConfig",
    "DataSource",
    "DriftConfig",
    "ExplainConfig",
    "FairnessConfig",
    "ModelConfig",
    "PerformanceConfig",
    "MonitorConfig",
    "QualityConfig",
    "ReviewConfig",
    "config_schema",
    "config_template",
    "default_config",
    "load_config",
]

_TEMPLATE = "config_template.yaml"
_MAX_ERRORS = 20
_DATA_FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json"}

# --- schema, defaults, template ---------------------------------------------------------------

_SCHEMA = _schema.build_schema()


def config_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the configuration, as ``assay config schema`` prints it.

    Returns
    -------
    dict
        A new copy; its descriptions document every key and the gate grammar.
    """
    return copy.deepcopy(_SCHEMA)


def default_config() -> dict[str, Any]:
    """The configuration with every default filled in, as a plain dict.

    Section settings that inherit a top-level value (``n_boot``, ``confidence_level``,
    ``fairness.sensitive_features``) are None here; :class:`AuditConfig` resolves them.

    Returns
    -------
    dict
    """
    data: dict[str, Any] = {}
    _fill(data, _SCHEMA)
    return data


def config_template() -> str:
    """The commented default configuration that ``assay config init`` writes.

    Returns
    -------
    str
        YAML whose content equals :func:`default_config`.
    """
    return resources.files(__package__).joinpath(_TEMPLATE).read_text(encoding="utf-8")


def _fill(value: Any, schema: Mapping[str, Any]) -> None:
    """Fills the schema's defaults into a valid instance, in place (a section's default is {},
    which is then filled in turn; optional objects such as a gate's compare have none)."""
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, sub in properties.items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
            if key in value:
                _fill(value[key], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for key, item in value.items():
                if key not in properties:
                    _fill(item, extra)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for item in value:
            _fill(item, schema["items"])


# --- reading ----------------------------------------------------------------------------------


def _format_path(path: Any) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text or "config"


def _shown(value: Any) -> str:
    """A value as an error message shows it: JSON where possible ("x", true, null, [1, 2])."""
    if isinstance(value, Mapping):
        return "a mapping"
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError):
        text = f"{value!r} ({type(value).__name__})"
    return text if len(text) <= 60 else f"{text[:48]}...({len(text)} characters)"


class _Problems:
    """Collects (path, message) problems and raises them as one InvalidInputError."""

    def __init__(self, source: str | None, lines: Mapping[tuple, int] | None):
        self.source = source
        self.lines = lines or {}
        self.items: list[tuple[tuple, str]] = []

    def add(self, path: Any, message: str) -> None:
        self.items.append((tuple(path), message))

    def _line(self, path: tuple) -> int | None:
        for end in range(len(path), -1, -1):  # the closest enclosing key with a known line
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def _where(self, path: tuple) -> str:
        if self.source is None:
            return ""
        line = self._line(path)
        return f" ({self.source}, line {line})" if line else f" ({self.source})"

    def raise_if_any(self) -> None:
        if not self.items:
            return
        seen, lines = set(), []
        for path, message in sorted(self.items, key=lambda item: self._line(item[0]) or 0):
            text = f"{_format_path(path)}: {message}{self._where(path)}"
            if text not in seen:
                seen.add(text)
                lines.append(text)
        if len(lines) > _MAX_ERRORS:
            lines = lines[:_MAX_ERRORS] + [f"... and {len(lines) - _MAX_ERRORS} more problems"]
        raise InvalidInputError("\n".join(lines))


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:
        raise MissingDependencyError(
            "YAML configurations need PyYAML, which is not installed: pip install 'assay[audit]' "
            "(or write the configuration as JSON)"
        ) from None
    return yaml


def _yaml_loader(yaml: Any) -> Any:
    """A safe loader that refuses repeated keys and reads 1e-3 as a number (YAML 1.2), where
    PyYAML's YAML 1.1 reads a string."""

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    repeated = key in seen
                    seen.add(key)
                except TypeError:  # unhashable: the base class says so
                    continue
                if repeated:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {_shown(key)} appears twice in the same mapping", key_node.start_mark
                    )
            return super().construct_mapping(node, deep)

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
        list("-+0123456789."),
    )
    return Loader


def _node_lines(node: Any, path: tuple, lines: dict[tuple, int]) -> None:
    """Line numbers (1-based) of every key and list item of a YAML node tree."""
    lines[path] = node.start_mark.line + 1
    if node.id == "mapping":
        for key_node, value_node in node.value:
            key = key_node.value if key_node.id == "scalar" else None
            if isinstance(key, str):
                _node_lines(value_node, path + (key,), lines)
                lines[path + (key,)] = key_node.start_mark.line + 1
    elif node.id == "sequence":
        for i, item in enumerate(node.value):
            _node_lines(item, path + (i,), lines)


def _parse_yaml(text: str, source: str) -> tuple[Any, dict[tuple, int]]:
    yaml = _yaml()
    loader = _yaml_loader(yaml)(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = error.problem or error.context or "cannot parse"
        raise InvalidInputError(f"{source}{where}: not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise InvalidInputError(f"{source}: not valid YAML: {error}") from None
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    if node is not None:
        _node_lines(node, (), lines)
    return data, lines


def _parse_json(text: str, source: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in items:
            if key in mapping:
                raise InvalidInputError(f"{source}: key {_shown(key)} appears twice in the same object")
            mapping[key] = value
        return mapping

    def constant(name: str) -> Any:
        raise InvalidInputError(f"{source}: {name} is not a JSON number; give a finite number")

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"{source}, line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}"
        ) from None


def _looks_like_json(text: str) -> bool:
    return text.lstrip().startswith("{")


def _read_file(path: Path) -> tuple[Any, dict[tuple, int], str]:
    source = str(path)
    if not path.exists():
        raise InvalidInputError(f"{source}: no such file")
    if not path.is_file():
        raise InvalidInputError(f"{source}: not a file (a directory?)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"{source}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise InvalidInputError(f"{source}: cannot read the file ({error.strerror or error})") from None
    if path.suffix.lower() == ".json":
        return _parse_json(text, source), {}, source
    return (*_parse_yaml(text, source), source)


def _plain(value: Any, path: tuple, problems: _Problems) -> Any:
    """A copy in JSON's types (tuples as lists, numpy scalars as Python numbers, paths as
    strings); non-string keys and non-finite numbers are problems."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        value = value.item()  # numpy scalars
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                problems.add(path, f"keys must be strings, got {_shown(key)} (quote it)")
                continue
            out[key] = _plain(item, path + (key,), problems)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, path + (i,), problems) for i, item in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        problems.add(path, f"expected a finite number, got {value!r}")
    return value


# --- validation -------------------------------------------------------------------------------

_TYPE_WORDS = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}


def _choices(values: Any) -> str:
    return ", ".join(_shown(v) for v in values)


def _suggestion(word: Any, candidates: Any) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [c for c in candidates if isinstance(c, str)], n=1, cutoff=0.6)
    return f" (did you mean {_shown(close[0])}?)" if close else ""


def _limit_text(schema: Mapping[str, Any]) -> str:
    """'a number in [0, 1]', 'an integer >= 1', ... from a schema's limits."""
    types = schema.get("type", "number")
    noun = "an integer" if "integer" in (types if isinstance(types, list) else [types]) else "a number"
    low = next((k for k in ("minimum", "exclusiveMinimum") if k in schema), None)
    high = next((k for k in ("maximum", "exclusiveMaximum") if k in schema), None)
    if low and high:
        left, right = "[" if low == "minimum" else "(", "]" if high == "maximum" else ")"
        return f"{noun} in {left}{schema[low]:g}, {schema[high]:g}{right}"
    if high is None:
        return f"{noun} {'>=' if low == 'minimum' else '>'} {schema[str(low)]:g}"
    return f"{noun} {'<=' if high == 'maximum' else '<'} {schema[high]:g}"


def _describe(error: Any, problems: _Problems) -> None:
    """One jsonschema error as (path, message) problems."""
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if "errorMessage" in schema and kind not in ("type", "additionalProperties"):
        problems.add(path, schema["errorMessage"])
    elif kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        problems.add(path, f"expected {' or '.join(_TYPE_WORDS[t] for t in types)}, got {_shown(instance)}")
    elif kind in ("enum", "const"):
        choices = expected if kind == "enum" else [expected]
        message = f"expected one of {_choices(choices)}, got {_shown(instance)}"
        problems.add(path, message + _suggestion(instance, choices))
    elif kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        for key in instance:
            if key not in known:
                problems.add(path + (key,), f"unknown key{_suggestion(key, known)}; valid keys: {', '.join(known)}")
    elif kind == "required":
        for key in expected:
            if key not in instance:
                problems.add(path + (key,), "required key missing")
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        problems.add(path, f"expected {_limit_text(schema)}, got {_shown(instance)}")
    elif kind == "minItems":
        problems.add(path, f"expected at least {expected} item(s), got an empty list")
    elif kind == "minLength":
        problems.add(path, "expected a non-empty string")
    elif kind == "uniqueItems":
        repeated = next((v for i, v in enumerate(instance) if v in instance[:i]), None)
        problems.add(path, f"{_shown(repeated)} is listed twice")
    else:
        problems.add(path, error.message)


def _validate(data: Any, problems: _Problems) -> None:
    try:
        import jsonschema
    except ImportError:
        raise MissingDependencyError(
            "checking an audit configuration needs jsonschema, which is not installed: pip install 'assay[audit]'"
        ) from None
    validator = jsonschema.Draft202012Validator(_SCHEMA)
    for error in validator.iter_errors(data):
        _describe(error, problems)


def _check_version(data: Mapping[str, Any], problems: _Problems) -> bool:
    version = data.get("version", CONFIG_VERSIONS[-1])
    readable = ", ".join(map(str, CONFIG_VERSIONS))
    if isinstance(version, bool) or not isinstance(version, int):
        problems.add(("version",), f"expected an integer, got {_shown(version)} (this assay reads version {readable})")
        return False
    if version not in CONFIG_VERSIONS:
        problems.add(("version",), f"assay {_core.__version__} reads configuration version {readable}, got {version}")
        return False
    return True


def _softer(warning: float, threshold: float, op: str) -> bool:
    return warning <= threshold if op in (">", ">=") else warning >= threshold


def _check_rules(data: Mapping[str, Any], problems: _Problems) -> None:
    """What the schema cannot say: relations between keys."""
    for which in ("reference", "current"):
        source = data["data"][which]
        if source["path"] is not None and source["format"] is None:
            suffix = Path(source["path"]).suffix.lower()
            if suffix not in _DATA_FORMATS:
                problems.add(
                    ("data", which, "path"),
                    f"cannot tell the format of {_shown(source['path'])} from its extension; set data.{which}.format",
                )
    columns = data["columns"]
    roles: dict[str, str] = {}
    scores = columns["prediction_score"]
    named = [("target", columns["target"]), ("prediction", columns["prediction"])]
    named += [("prediction_score", s) for s in ([scores] if isinstance(scores, str) else scores or [])]
    named += [("sensitive_features", s) for s in columns["sensitive_features"]]
    for role, name in named:
        if name is None:
            continue
        if name in roles and roles[name] != role:
            problems.add(("columns", role), f"column {_shown(name)} is already the {roles[name]}")
        roles.setdefault(name, role)
        if name in columns["exclude"]:
            problems.add(("columns", "exclude"), f"column {_shown(name)} is excluded but also the {role}")
    for section in SECTIONS:
        for check in CHECKS[section]:
            settings = data[section]["checks"][check.name]
            where = (section, "checks", check.name)
            if check.configurable and settings["warning_threshold"] is not None:
                if not _softer(settings["warning_threshold"], settings["threshold"], check.op):
                    problems.add(
                        where + ("warning_threshold",),
                        f"{settings['warning_threshold']:g} would warn after threshold {settings['threshold']:g} "
                        f"fails (the check fails when the value {check.op} threshold); it must lie on the passing side",
                    )
            for subject, override in settings.get("overrides", {}).items():
                if subject in settings.get("exclude", []):
                    problems.add(where + ("overrides", subject), "this subject is also excluded")
                if check.configurable and override.get("warning_threshold") is not None:
                    threshold = override.get("threshold", settings["threshold"])
                    if not _softer(override["warning_threshold"], threshold, check.op):
                        problems.add(
                            where + ("overrides", subject, "warning_threshold"),
                            f"{override['warning_threshold']:g} would warn after threshold {threshold:g} fails",
                        )
    drift = data["drift"]
    threshold = drift["threshold"]
    if threshold is not None and threshold > 1:
        for kind in ("numeric", "categorical"):
            method = drift["method"][kind]
            if method == "auto" or _core.drift.test_info(_core.drift.Test[method])[0]:
                problems.add(
                    ("drift", "threshold"),
                    f"{threshold:g} is compared with p-values by the {kind} method {method!r}; give a number in [0, 1] "
                    "(or distance methods)",
                )
                break
    names: dict[str, tuple[Any, ...]] = {}
    for section in SECTIONS:
        for check in CHECKS[section]:
            for name in _check_gate_names(section, check, data[section]["checks"][check.name]):
                names[name] = (section, "checks", check.name)
        for i, gate in enumerate(data[section]["gates"]):
            if "name" not in gate:  # named by its place, which an explicit name may not take
                names[_format_path((section, "gates", i))] = (section, "gates", i)
        for i, gate in enumerate(data[section]["gates"]):
            at = (section, "gates", i)
            if "name" in gate:
                if gate["name"] in names:
                    problems.add(
                        at + ("name",),
                        f"{_shown(gate['name'])} is already the name of {_format_path(names[gate['name']])}",
                    )
                names[gate["name"]] = at
            warning, threshold, op = gate.get("warning_threshold"), gate.get("threshold"), gate["op"]
            if warning is not None and threshold is not None and not _softer(warning, threshold, op):
                problems.add(
                    at + ("warning_threshold",),
                    f"{warning:g} would warn after threshold {threshold:g} fails; it must lie on the passing side",
                )
            if gate.get("share") not in (None, False) and "subject" in gate:
                problems.add(at + ("subject",), "a share gate tests every subject; it takes no subject")


# --- the typed configuration ------------------------------------------------------------------


def _frozen(value: Any) -> Any:
    """Read-only copies: mappings as MappingProxyType, lists as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


@dataclass(frozen=True)
class DataSource:
    """Where a dataset comes from.

    Parameters
    ----------
    path : str or None
        The file, resolved against the configuration file's folder when read from a file.
    format : {"csv", "parquet", "json"} or None
        From the extension when the configuration does not say.
    sample_size : int or None
        Rows drawn at random with the configuration's seed; None: every row.
    """

    path: str | None
    format: str | None
    sample_size: int | None


@dataclass(frozen=True)
class DataConfig:
    """The ``data`` section: the reference and current :class:`DataSource`."""

    reference: DataSource
    current: DataSource


@dataclass(frozen=True)
class ModelConfig:
    """The ``model`` section.

    Parameters
    ----------
    evaluation : {"auto", "model"}
        ``auto``: XGBoost classifiers and regressors of a known objective are evaluated in
        assay's core; ``model``: always by the model's own ``predict_proba`` / ``predict``.
    """

    evaluation: str


@dataclass(frozen=True)
class ColumnsConfig:
    """The ``columns`` section: which column plays which role.

    Parameters
    ----------
    target, prediction : str or None
    prediction_score : tuple of str
        The positive class's probability, or one column per class; empty when none.
    pos_label : str, int, float, bool or None
    sensitive_features : tuple of str
    exclude : tuple of str
        Columns left out of every section.
    """

    target: str | None
    prediction: str | None
    prediction_score: tuple[str, ...]
    pos_label: Any
    sensitive_features: tuple[str, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class CheckConfig:
    """The settings of one check (see the schema's description of each).

    Parameters
    ----------
    name : str
    enabled : bool
    severity : {"error", "warning", "info"}
    threshold : float or None
        The gate's threshold; None when the check's threshold is fixed or it compares datasets.
    warning_threshold : float or None
    decision : {"bound", "point"} or None
        For checks on values with intervals.
    overrides : mapping of str to mapping
        Per-subject settings (threshold, warning_threshold, severity and engine settings such
        as drift's method).
    exclude : tuple of str
        Subjects not tested.
    options : mapping of str to Any
        The check's engine settings (``iqr_k``, ``bins``, ``metrics``, ...).
    """

    name: str
    enabled: bool
    severity: str
    threshold: float | None = None
    warning_threshold: float | None = None
    decision: str | None = None
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    exclude: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def _check_config(definition: CheckDef, settings: Mapping[str, Any]) -> CheckConfig:
    common = {"enabled", "severity", "threshold", "warning_threshold", "decision", "overrides", "exclude"}
    return CheckConfig(
        name=definition.name,
        enabled=settings["enabled"],
        severity=settings["severity"],
        threshold=settings.get("threshold"),
        warning_threshold=settings.get("warning_threshold"),
        decision=settings.get("decision"),
        overrides=_frozen(settings.get("overrides", {})),
        exclude=tuple(settings.get("exclude", ())),
        options=_frozen({k: v for k, v in settings.items() if k not in common}),
    )


@dataclass(frozen=True)
class QualityConfig:
    """The ``quality`` section.

    Parameters
    ----------
    enabled : bool
    checks : mapping of str to CheckConfig
        By quality check name (``missing``, ``target_leakage``, ...).
    rules : mapping of str to mapping
        Column rules for :func:`assay.quality.check`.
    confidence_level : float
        The level of the target-leakage score's one-sided bounds (quality's
        ``leakage_confidence``).
    gates : tuple of Gate
        The section's ``gates:`` list.
    """

    enabled: bool
    checks: Mapping[str, CheckConfig]
    rules: Mapping[str, Mapping[str, Any]]
    confidence_level: float
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class DriftConfig:
    """The ``drift`` section.

    Parameters
    ----------
    enabled : bool
    method : mapping of str to str
        The test for ``"numeric"`` and ``"categorical"`` columns (a key of
        :data:`assay.drift.TESTS`, or ``"auto"``).
    threshold : float or None
        Every test's threshold; None: each test's default.
    correction : str or None
        Multiple-testing correction (``"bonferroni"``, ``"holm"``, ``"fdr_bh"``).
    checks : mapping of str to CheckConfig
        ``column_drift`` (whose overrides may set a column's ``method`` and ``threshold``),
        ``drifted_share``, ``target_drift``, ``prediction_drift``.
    gates : tuple of Gate
    """

    enabled: bool
    method: Mapping[str, str]
    threshold: float | None
    correction: str | None
    checks: Mapping[str, CheckConfig]
    gates: tuple[Gate, ...]

    def tests(self) -> dict[str, Any]:
        """The per-column tests that :func:`assay.drift.report` takes as ``tests``, from the
        ``column_drift`` overrides (other columns use :attr:`method` by type).

        Returns
        -------
        dict
            Column name to test key.
        """
        overrides = self.checks["column_drift"].overrides
        return {column: o["method"] for column, o in overrides.items() if "method" in o}

    def thresholds(self) -> dict[str, float]:
        """The per-column thresholds of the ``column_drift`` overrides (``assay.drift.report``'s
        ``thresholds`` takes them by column name).

        Returns
        -------
        dict
        """
        overrides = self.checks["column_drift"].overrides
        return {column: o["threshold"] for column, o in overrides.items() if "threshold" in o}


@dataclass(frozen=True)
class PerformanceConfig:
    """The ``performance`` section.

    Parameters
    ----------
    enabled : bool
    task : {"auto", "classification", "regression"}
    metrics : tuple of str or None
        None: every metric of the task (``assay._audit.PERFORMANCE_TASK_METRICS``).
    by_group : bool
    calibration_bins : int
    n_boot : int
    confidence_level : float
    checks : mapping of str to CheckConfig
        ``degradation``.
    gates : tuple of Gate
    """

    enabled: bool
    task: str
    metrics: tuple[str, ...] | None
    by_group: bool
    calibration_bins: int
    n_boot: int
    confidence_level: float
    checks: Mapping[str, CheckConfig]
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class FairnessConfig:
    """The ``fairness`` section.

    Parameters
    ----------
    enabled : bool
    sensitive_features : tuple of str
        Resolved: ``columns.sensitive_features`` unless the section names its own.
    intersection : bool
    metrics : tuple of str
        Per-group metrics, by :mod:`assay.fairness` function name.
    min_support : int
    convention : {"strict", "fairlearn"}
    n_boot : int
    confidence_level : float
    checks : mapping of str to CheckConfig
        ``four_fifths`` and the disparities (``demographic_parity_difference``, ...).
    gates : tuple of Gate
    """

    enabled: bool
    sensitive_features: tuple[str, ...]
    intersection: bool
    metrics: tuple[str, ...]
    min_support: int
    convention: str
    n_boot: int
    confidence_level: float
    checks: Mapping[str, CheckConfig]
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class ExplainConfig:
    """The ``explain`` section.

    Parameters
    ----------
    enabled : bool
    explainer : {"auto", "tree", "linear", "kernel", "permutation", "exact"}
    sample_size : int
        Rows explained by the tree and linear explainers.
    agnostic_sample_size : int
        Rows explained by the model-agnostic explainers.
    background_size : int
    top_k : int
    n_boot : int
    confidence_level : float
    checks : mapping of str to CheckConfig
        Empty (the section has no checks yet).
    gates : tuple of Gate
    """

    enabled: bool
    explainer: str
    sample_size: int
    agnostic_sample_size: int
    background_size: int
    top_k: int
    n_boot: int
    confidence_level: float
    checks: Mapping[str, CheckConfig]
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class SlicesConfig:
    """The ``slices`` section.

    Parameters
    ----------
    enabled : bool
    max_level, k, n_bins : int
    min_support : float
        A fraction of the rows below 1, else a row count.
    alpha, significance_level, confidence_level : float
    checks : mapping of str to CheckConfig
        ``significant_slice``.
    gates : tuple of Gate
    """

    enabled: bool
    max_level: int
    min_support: float
    alpha: float
    k: int
    n_bins: int
    significance_level: float
    confidence_level: float
    checks: Mapping[str, CheckConfig]
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class ReviewConfig:
    """The ``review`` section.

    Parameters
    ----------
    enabled : bool
    alpha : float
    score : {"lac", "aps", "aps_randomized"}
    budget : float or None
    tolerance : float or None
    checks : mapping of str to CheckConfig
        ``coverage`` and ``review_load``.
    gates : tuple of Gate
    """

    enabled: bool
    alpha: float
    score: str
    budget: float | None
    tolerance: float | None
    checks: Mapping[str, CheckConfig]
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class MonitorConfig:
    """The ``monitor`` section.

    Parameters
    ----------
    enabled : bool
    metrics : tuple of str
    n_chunks : int
    sigma : float
    checks : mapping of str to CheckConfig
        ``estimated_performance``.
    gates : tuple of Gate
    """

    enabled: bool
    metrics: tuple[str, ...]
    n_chunks: int
    sigma: float
    checks: Mapping[str, CheckConfig]
    gates: tuple[Gate, ...]


_SECTION_CLASSES = {
    "quality": QualityConfig,
    "drift": DriftConfig,
    "performance": PerformanceConfig,
    "fairness": FairnessConfig,
    "explain": ExplainConfig,
    "slices": SlicesConfig,
    "review": ReviewConfig,
    "monitor": MonitorConfig,
}


@dataclass(frozen=True)
class AuditConfig:
    """A validated audit configuration with every default filled in; read-only.

    Make one with :func:`load_config`. Sections inherit the top-level ``n_boot`` and
    ``confidence_level`` (and fairness the ``columns.sensitive_features``) unless they set
    their own; the attributes hold the resolved values.

    Parameters
    ----------
    version, seed, n_boot : int
    confidence_level : float
    data : DataConfig
    model : ModelConfig
    columns : ColumnsConfig
    quality : QualityConfig
    drift : DriftConfig
    performance : PerformanceConfig
    fairness : FairnessConfig
    explain : ExplainConfig
    slices : SlicesConfig
    review : ReviewConfig
    monitor : MonitorConfig
    source : str or None
        The file it was read from.

    Examples
    --------
    >>> config = load_config({"fairness": {"checks": {"four_fifths": {"threshold": 0.9}}}})
    >>> config.fairness.checks["four_fifths"].threshold, config.fairness.n_boot
    (0.9, 1000)
    >>> [g.name for g in config.gates() if g.section == "fairness" and g.enabled][:2]
    ['fairness.four_fifths', 'fairness.demographic_parity_difference']
    """

    version: int
    seed: int
    n_boot: int
    confidence_level: float
    data: DataConfig
    model: ModelConfig
    columns: ColumnsConfig
    quality: QualityConfig
    drift: DriftConfig
    performance: PerformanceConfig
    fairness: FairnessConfig
    explain: ExplainConfig
    slices: SlicesConfig
    review: ReviewConfig
    monitor: MonitorConfig
    source: str | None = field(default=None, compare=False)
    _resolved: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False, compare=False)

    def section(self, name: str) -> Any:
        """A section's configuration by name.

        Parameters
        ----------
        name : {"quality", "drift", "performance", "fairness", "explain", "slices", "review", "monitor"}

        Returns
        -------
        QualityConfig, DriftConfig, PerformanceConfig, FairnessConfig, ExplainConfig, SlicesConfig,
        ReviewConfig or MonitorConfig
        """
        if name not in SECTIONS:
            raise InvalidInputError(f"name: expected one of {_choices(SECTIONS)}, got {_shown(name)}")
        return getattr(self, name)

    def gates(self) -> tuple[Gate, ...]:
        """Every gate of the configuration: each check's, then each section's ``gates:`` list.

        Gates of a disabled check or section are included with ``enabled=False`` (their
        results say "skipped: disabled in the config").

        Returns
        -------
        tuple of Gate
            Names are unique: ``"<section>.<check>"`` for checks (``"performance.degradation.<metric>"``
            for the degradation check); for listed gates the given name, or their place in the
            configuration (``"fairness.gates[0]"``).
        """
        gates: list[Gate] = []
        for section in SECTIONS:
            settings = self.section(section)
            for definition in CHECKS[section]:
                gates.extend(_check_gates(section, definition, settings.checks, settings.enabled))
            gates.extend(g if settings.enabled else _disabled(g) for g in settings.gates)
        return tuple(gates)

    def to_dict(self) -> dict[str, Any]:
        """The configuration as a plain dict, defaults and inherited values resolved (JSON-safe);
        :func:`load_config` reads it back to an equal configuration.

        Returns
        -------
        dict
        """
        return _thawed(self._resolved)

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text.

        Parameters
        ----------
        **kwargs
            Passed to :func:`json.dumps` (``indent=2``, say).

        Returns
        -------
        str
        """
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)


def _disabled(gate: Gate) -> Gate:
    fields = {name: getattr(gate, name) for name in gate.__dataclass_fields__}
    fields["enabled"] = False
    return Gate(**fields)


def _decided_bound(definition: CheckDef, decision: str | None, op: str) -> str:
    if not definition.decision or decision != "bound":
        return "value"
    # The bound least favourable to failing: fail only when the whole interval is past the threshold.
    return "lower" if op in (">", ">=") else "upper"


def _check_gate_names(section: str, definition: CheckDef, settings: Mapping[str, Any]) -> list[str]:
    if definition.kind == "degradation":
        return [f"{section}.{definition.name}.{m}" for m in settings["metrics"]]
    return [f"{section}.{definition.name}"]


def _check_gates(
    section: str, definition: CheckDef, checks: Mapping[str, CheckConfig], section_enabled: bool
) -> list[Gate]:
    check = checks[definition.name]
    enabled = section_enabled and check.enabled
    if definition.kind == "degradation":
        gates = []
        for metric in check.options["metrics"]:
            higher_better = _schema.HIGHER_IS_BETTER[metric]
            op = "<" if higher_better else ">"
            bound = _decided_bound(definition, check.decision, op)
            other = "value" if bound == "value" else ("lower" if bound == "upper" else "upper")
            gates.append(
                Gate(
                    name=f"{section}.{definition.name}.{metric}",
                    section=section,
                    metric=metric,
                    op=op,
                    dataset="current",
                    bound=bound,
                    compare=Comparison(dataset="reference", bound=other),
                    severity=check.severity,
                    enabled=enabled,
                )
            )
        return gates
    threshold = check.threshold if definition.configurable else definition.threshold
    overrides = {}
    for subject, override in check.overrides.items():
        gate_keys = {"severity": override.get("severity")}
        if definition.configurable:
            gate_keys.update(threshold=override.get("threshold"), warning_threshold=override.get("warning_threshold"))
        if any(v is not None for v in gate_keys.values()):
            overrides[subject] = GateOverride(**gate_keys)
    exclude = check.exclude
    share = None
    if definition.kind == "share":
        share = ShareRule()
        if section == "drift":  # the columns column_drift does not test are not in the share either
            exclude += tuple(c for c in checks["column_drift"].exclude if c not in exclude)
    return [
        Gate(
            name=f"{section}.{definition.name}",
            section=section,
            metric=definition.measured,
            op=definition.op,
            threshold=threshold,
            dataset=definition.dataset,
            bound=_decided_bound(definition, check.decision, definition.op),
            warning_threshold=check.warning_threshold,
            share=share,
            severity=check.severity,
            enabled=enabled,
            exclude=exclude,
            overrides=overrides,
        )
    ]


def _listed_gates(section: str, gates: list[Mapping[str, Any]]) -> tuple[Gate, ...]:
    out = []
    for i, spec in enumerate(gates):
        name = spec.get("name", _format_path((section, "gates", i)))
        compare = spec.get("compare")
        share = spec.get("share")
        out.append(
            Gate(
                name=name,
                section=section,
                metric=spec["metric"],
                op=spec["op"],
                threshold=spec.get("threshold"),
                subject=spec.get("subject"),
                dataset=spec.get("dataset"),
                bound=spec["bound"],
                warning_threshold=spec.get("warning_threshold"),
                compare=None if compare is None else Comparison(**compare),
                share=ShareRule(**share) if isinstance(share, Mapping) else (ShareRule() if share else None),
                severity=spec["severity"],
                undefined_fails=spec["undefined_fails"],
                enabled=spec["enabled"],
                exclude=tuple(spec["exclude"]),
            )
        )
    return tuple(out)


def _resolve(data: dict[str, Any], base: Path | None) -> None:
    """Inherited values and relative paths, in place."""
    for section in SECTIONS:
        for key in ("n_boot", "confidence_level"):
            if key in data[section] and data[section][key] is None:
                data[section][key] = data[key]
    if data["fairness"]["sensitive_features"] is None:
        data["fairness"]["sensitive_features"] = list(data["columns"]["sensitive_features"])
    for which in ("reference", "current"):
        source = data["data"][which]
        if source["path"] is not None:
            if base is not None and not os.path.isabs(source["path"]):
                source["path"] = os.path.normpath(os.path.join(base, source["path"]))
            if source["format"] is None:
                source["format"] = _DATA_FORMATS[Path(source["path"]).suffix.lower()]


def _build(data: dict[str, Any], source: str | None) -> AuditConfig:
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        settings = dict(data[section])
        checks = {d.name: _check_config(d, settings["checks"][d.name]) for d in CHECKS[section]}
        gates = _listed_gates(section, settings.pop("gates"))
        settings.pop("checks", None)
        fields = {k: (tuple(v) if isinstance(v, list) else _frozen(v)) for k, v in settings.items()}
        sections[section] = _SECTION_CLASSES[section](**fields, checks=MappingProxyType(checks), gates=gates)
    columns = dict(data["columns"])
    scores = columns["prediction_score"]
    columns["prediction_score"] = (scores,) if isinstance(scores, str) else tuple(scores or ())
    columns["sensitive_features"] = tuple(columns["sensitive_features"])
    columns["exclude"] = tuple(columns["exclude"])
    return AuditConfig(
        version=data["version"],
        seed=data["seed"],
        n_boot=data["n_boot"],
        confidence_level=float(data["confidence_level"]),
        data=DataConfig(DataSource(**data["data"]["reference"]), DataSource(**data["data"]["current"])),
        model=ModelConfig(**data["model"]),
        columns=ColumnsConfig(**columns),
        source=source,
        _resolved=_frozen(data),
        **sections,
    )


def _from_data(data: Any, source: str | None, lines: Mapping[tuple, int] | None, base: Path | None) -> AuditConfig:
    problems = _Problems(source, lines)
    if data is None:  # an empty file: every default
        data = {}
    if not isinstance(data, Mapping):
        problems.add((), f"expected a mapping of settings, got {_shown(data)}")
        problems.raise_if_any()
    data = _plain(data, (), problems)
    problems.raise_if_any()
    if not _check_version(data, problems):
        problems.raise_if_any()
    _validate(data, problems)
    problems.raise_if_any()
    _fill(data, _SCHEMA)
    _check_rules(data, problems)
    problems.raise_if_any()
    _resolve(data, base)
    return _build(data, source)


def load_config(source: Any = None) -> AuditConfig:
    """Reads, validates and completes an audit configuration.

    Parameters
    ----------
    source : str, os.PathLike, mapping, AuditConfig or None
        A file path (``.yaml``, ``.yml`` or ``.json``; a ``str`` is a path when it is one line
        ending in one of these); YAML or JSON text (any other ``str``); a dict; an
        :class:`AuditConfig` (returned as it is); None for the defaults. Data paths in a file
        are relative to the file's folder.

    Returns
    -------
    AuditConfig

    Raises
    ------
    InvalidInputError
        A missing, unreadable or unparsable file (naming the file and line), an unknown
        version, or an invalid key, type or value: each problem on its own line, starting
        with its key path (``fairness.gates[2].threshold: expected a number, got "x"``),
        with the closest valid key for an unknown one and the line in a YAML file.
    InvalidTypeError
        When ``source`` is of another type.
    MissingDependencyError
        When jsonschema (or PyYAML, for YAML) is not installed.

    Examples
    --------
    >>> config = load_config("quality:\\n  checks:\\n    target_leakage: {exclude: [tenure]}\\n")
    >>> config.quality.checks["target_leakage"].exclude
    ('tenure',)
    >>> load_config({"drift": {"checks": {"drifted_shar": {}}}})
    Traceback (most recent call last):
    ...
    assay.errors.InvalidInputError: drift.checks.drifted_shar: unknown key (did you mean "drifted_share"?); ...
    """
    if source is None:
        return _from_data({}, None, None, None)
    if isinstance(source, AuditConfig):
        return source
    if isinstance(source, Mapping):
        return _from_data(source, None, None, None)
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and source.strip().lower().endswith((".yaml", ".yml", ".json"))
    ):
        path = Path(source)
        data, lines, name = _read_file(path)
        return _from_data(data, name, lines, path.parent)
    if isinstance(source, str):
        if _looks_like_json(source):
            return _from_data(_parse_json(source, "config text"), None, None, None)
        data, lines = _parse_yaml(source, "config text")
        return _from_data(data, "config text", lines, None)
    raise InvalidTypeError(
        f"source: expected a file path, YAML or JSON text, a dict or None, got {type(source).__name__}"
    )
