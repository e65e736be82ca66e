"""Gates: pass/fail decisions on measured values, whatever section measured them.

A section of an audit (quality, drift, performance, fairness, explanations, or a later
engine) reports what it measured as :class:`Measurement` records: a metric of a subject
(a column, a group, ``"overall"``) on a dataset, with an optional interval. A :class:`Gate`
selects measurements and states when they fail: a point value or an interval bound against a
threshold, one measurement against another (current against reference), or the share of
subjects flagged. :func:`evaluate_gates` gives one :class:`GateResult` per gate and
measurement (per dataset for a share), and :func:`passed` tells whether a pipeline may go on.

A value that is NaN or missing is never a silent pass: its verdict is ``"undefined"``, and the
gate's ``undefined_fails`` (default: when the severity is ``"error"``) decides whether that
blocks.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable

from .._util import json_safe
from ..errors import CorruptedStateError, InvalidInputError, InvalidTypeError

__all__ = [
    "BOUNDS",
    "DATASETS",
    "OPERATORS",
    "OVERALL",
    "SEVERITIES",
    "TABLE",
    "VERDICTS",
    "Comparison",
    "Gate",
    "GateOverride",
    "GateResult",
    "Measurement",
    "ShareRule",
    "evaluate_gates",
    "passed",
]

#: How much a gate's failure matters: "error" blocks (verdict "fail"), "warning" and "info"
#: are reported (verdict "warn").
SEVERITIES = ("error", "warning", "info")
#: Failure operators: a gate fails when ``<tested value> <op> <threshold>``.
OPERATORS = ("<", "<=", ">", ">=")
#: What a gate tests of a measurement: the point value or a bound of its interval.
BOUNDS = ("value", "lower", "upper")
#: The two datasets of an audit; ``None`` on a measurement means it concerns both (drift).
DATASETS = ("reference", "current")
#: Verdicts of a gate result.
VERDICTS = ("pass", "fail", "warn", "undefined", "skipped")
#: Subject of a measurement of a whole dataset or model (performance overall, say).
OVERALL = "overall"
#: Subject of a measurement of the whole table (duplicate rows, train/test overlap).
TABLE = "(table)"

_HOLDS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _choice(value: Any, allowed: Sequence[Any], name: str, where: str = "") -> None:
    if not isinstance(value, str) or value not in allowed:
        shown = ", ".join(f'"{a}"' for a in allowed)
        raise InvalidInputError(f"{name}: expected one of {shown}, got {value!r}{where}")


def _text(value: Any, name: str, where: str = "", *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value:
        raise InvalidTypeError(f"{name}: expected a non-empty string, got {value!r}{where}")


def _real(value: Any, name: str, where: str = "", *, finite: bool = True) -> float:
    """A float from an int or float (numpy scalars too, not bool); None gives NaN when not finite."""
    if value is None and not finite:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name}: expected a number, got {value!r}{where}")
    number = float(value)
    if finite and not math.isfinite(number):
        raise InvalidInputError(f"{name}: expected a finite number, got {value!r}{where}")
    return number


def _number(x: float | None) -> str:
    """A number as conditions and reasons show it (None as NaN)."""
    return "NaN" if x is None or math.isnan(x) else f"{x:.4g}"


def _quantity(metric: str, bound: str, confidence_level: float | None, dataset: str | None = None) -> str:
    """'lower 95% bound of roc_auc (current)' / 'roc_auc'."""
    named = metric if dataset is None else f"{metric} ({dataset})"
    if bound == "value":
        return named
    level = "" if confidence_level is None else f"{100 * confidence_level:.4g}% "
    return f"{bound} {level}bound of {named}"


@dataclass(frozen=True)
class Measurement:
    """One measured value of an audit section.

    Parameters
    ----------
    section : str
        The section that measured it ("quality", "drift", "performance", "fairness",
        "explain", ...).
    metric : str
        What was measured, in the section's vocabulary (``assay._audit.METRICS``).
    subject : str
        What it was measured on: a column name, a group (``"sex=F"``, intersections joined
        with ``" & "``), a sensitive feature, :data:`OVERALL` or :data:`TABLE`.
    value : float
        The point value; NaN (or None) when undefined.
    lower, upper : float
        The interval's bounds at ``confidence_level``; NaN when there is no interval.
    dataset : {"reference", "current"} or None
        The dataset measured; None when the measurement concerns both (drift).
    confidence_level : float or None
        The level of the interval (0.95 for a 95% interval).
    note : str
        Why a value is undefined, which test produced it, or any remark worth showing.

    Examples
    --------
    >>> m = Measurement("fairness", "demographic_parity_ratio", "sex", 0.84, 0.76, 0.93, "current", 0.95)
    >>> m.bound("lower")
    0.76
    """

    section: str
    metric: str
    subject: str = OVERALL
    value: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    dataset: str | None = None
    confidence_level: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("section", "metric", "subject"):
            _text(getattr(self, name), f"Measurement.{name}")
        for name in ("value", "lower", "upper"):
            object.__setattr__(self, name, _real(getattr(self, name), f"Measurement.{name}", finite=False))
        if self.dataset is not None:
            _choice(self.dataset, DATASETS, "Measurement.dataset")
        if self.confidence_level is not None:
            level = _real(self.confidence_level, "Measurement.confidence_level")
            if not 0 < level < 1:
                raise InvalidInputError(f"Measurement.confidence_level: expected a number in (0, 1), got {level!r}")
            object.__setattr__(self, "confidence_level", level)
        if not isinstance(self.note, str):
            raise InvalidTypeError(f"Measurement.note: expected a string, got {self.note!r}")

    def bound(self, which: str) -> float:
        """The point value (``"value"``) or a bound (``"lower"``, ``"upper"``) of the interval.

        Parameters
        ----------
        which : {"value", "lower", "upper"}

        Returns
        -------
        float
            NaN when undefined.
        """
        _choice(which, BOUNDS, "which")
        return float(getattr(self, which))

    @property
    def key(self) -> tuple[str, str, str, str | None]:
        """(section, metric, subject, dataset): what the measurement is of."""
        return (self.section, self.metric, self.subject, self.dataset)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (NaN as None) that :meth:`from_dict` reads back.

        Returns
        -------
        dict
        """
        return json_safe(
            {
                "section": self.section,
                "metric": self.metric,
                "subject": self.subject,
                "dataset": self.dataset,
                "value": self.value,
                "lower": self.lower,
                "upper": self.upper,
                "confidence_level": self.confidence_level,
                "note": self.note,
            }
        )

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Measurement:
        """The measurement :meth:`to_dict` wrote.

        Parameters
        ----------
        state : mapping

        Returns
        -------
        Measurement

        Raises
        ------
        CorruptedStateError
            When ``state`` is not such a dict.
        """
        return _restore(cls, state, "measurement")


@dataclass(frozen=True)
class Comparison:
    """The other side of a comparison gate.

    Keys left None are the gate's own (its metric, the measurement's subject and dataset),
    so ``Comparison(dataset="reference", bound="lower")`` compares each current measurement
    with the reference measurement of the same metric and subject.

    Parameters
    ----------
    metric, subject : str or None
        The other measurement's metric and subject (None: the same as the tested one's).
    dataset : {"reference", "current"} or None
        The other measurement's dataset (None: the same).
    bound : {"value", "lower", "upper"}
        What is taken of the other measurement.
    offset : float
        Added to the other side: ``offset=-0.02`` with ``op="<"`` fails when the tested value
        is more than 0.02 under the other.
    """

    metric: str | None = None
    subject: str | None = None
    dataset: str | None = None
    bound: str = "value"
    offset: float = 0.0

    def __post_init__(self) -> None:
        _text(self.metric, "compare.metric", optional=True)
        _text(self.subject, "compare.subject", optional=True)
        if self.dataset is not None:
            _choice(self.dataset, DATASETS, "compare.dataset")
        _choice(self.bound, BOUNDS, "compare.bound")
        object.__setattr__(self, "offset", _real(self.offset, "compare.offset"))
        if self.metric is None and self.subject is None and self.dataset is None:
            raise InvalidInputError(
                "compare: name the other measurement's metric, subject or dataset (else it is the same measurement)"
            )


@dataclass(frozen=True)
class ShareRule:
    """When a subject counts as flagged in a share gate.

    Parameters
    ----------
    bound : {"value", "lower", "upper"}
        What is tested of each subject's measurement.
    op : {"<", "<=", ">", ">="} or None
        With ``threshold``: a subject is flagged when ``<bound> <op> <threshold>``. None: a
        subject is flagged when its value is non-zero (a 0/1 flag such as drift's ``drifted``).
    threshold : float or None
    """

    bound: str = "value"
    op: str | None = None
    threshold: float | None = None

    def __post_init__(self) -> None:
        _choice(self.bound, BOUNDS, "share.bound")
        if (self.op is None) != (self.threshold is None):
            raise InvalidInputError("share: give op and threshold together, or neither (flagged when non-zero)")
        if self.op is not None:
            _choice(self.op, OPERATORS, "share.op")
            object.__setattr__(self, "threshold", _real(self.threshold, "share.threshold"))

    def flags(self, value: float) -> bool:
        """Whether a (defined) value is flagged.

        Parameters
        ----------
        value : float

        Returns
        -------
        bool
        """
        if self.op is None or self.threshold is None:
            return value != 0
        return _HOLDS[self.op](value, self.threshold)

    def describe(self, metric: str, confidence_level: float | None) -> str:
        """The flag condition in words, e.g. ``drifted != 0``.

        Parameters
        ----------
        metric : str
        confidence_level : float or None

        Returns
        -------
        str
        """
        quantity = _quantity(metric, self.bound, confidence_level)
        if self.op is None or self.threshold is None:
            return f"{quantity} != 0"
        return f"{quantity} {self.op} {_number(self.threshold)}"


@dataclass(frozen=True)
class GateOverride:
    """A per-subject change of a point gate (a column with its own threshold or severity).

    Parameters
    ----------
    threshold, warning_threshold : float or None
        None keeps the gate's.
    severity : {"error", "warning", "info"} or None
        None keeps the gate's.
    """

    threshold: float | None = None
    warning_threshold: float | None = None
    severity: str | None = None

    def __post_init__(self) -> None:
        for name in ("threshold", "warning_threshold"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _real(getattr(self, name), f"overrides.{name}"))
        if self.severity is not None:
            _choice(self.severity, SEVERITIES, "overrides.severity")


@dataclass(frozen=True)
class Gate:
    """A pass/fail rule on measurements.

    A gate selects the measurements of ``section`` and ``metric`` (and of ``subject`` and
    ``dataset`` when given) and, for each, tests the failure condition
    ``<bound of the measurement> <op> <threshold>``. Instead of a threshold it may compare
    with another measurement (``compare``), or test the share of subjects flagged
    (``share``, one result per dataset).

    Parameters
    ----------
    name : str
        Shown in results; unique within a configuration.
    section, metric : str
        Which measurements are tested.
    op : {"<", "<=", ">", ">="}
        The failure operator.
    threshold : float, optional
        Required unless ``compare`` is given (and then not allowed).
    subject : str, optional
        Only this subject. A named subject that was not measured is ``"undefined"``; a gate
        without one whose metric was not measured at all is ``"skipped"``.
    dataset : {"reference", "current"}, optional
        Only this dataset.
    bound : {"value", "lower", "upper"}
        What is tested: the point value or a bound of the measurement's interval.
    warning_threshold : float, optional
        A softer threshold: when the condition holds with it but not with ``threshold``, the
        verdict is ``"warn"``. It must lie on the passing side of ``threshold``.
    compare : Comparison, optional
        Compare with another measurement instead of a threshold.
    share : ShareRule, optional
        Test the share of flagged subjects (NaN ones left out) instead of each subject.
    severity : {"error", "warning", "info"}
        "error": a met condition fails (verdict "fail"); otherwise it warns (verdict "warn").
    undefined_fails : bool, optional
        Whether an undefined value blocks; None: when the severity is "error".
    enabled : bool
        A disabled gate gives one "skipped" result.
    exclude : sequence of str
        Subjects not tested (each gives a "skipped" result; left out of shares).
    overrides : mapping of str to GateOverride (or dict)
        Per-subject threshold, warning threshold or severity (point gates only).

    Raises
    ------
    InvalidInputError, InvalidTypeError
        When a field is invalid; the message names the field and the gate.

    Examples
    --------
    >>> gate = Gate("dp", "fairness", "demographic_parity_ratio", "<", 0.8, bound="lower")
    >>> m = Measurement("fairness", "demographic_parity_ratio", "sex", 0.84, 0.76, 0.93, "current", 0.95)
    >>> result = evaluate_gates([gate], [m])[0]
    >>> result.verdict, result.condition
    ('fail', 'lower 95% bound of demographic_parity_ratio < 0.8')
    """

    name: str
    section: str
    metric: str
    op: str
    threshold: float | None = None
    subject: str | None = None
    dataset: str | None = None
    bound: str = "value"
    warning_threshold: float | None = None
    compare: Comparison | None = None
    share: ShareRule | None = None
    severity: str = "error"
    undefined_fails: bool | None = None
    enabled: bool = True
    exclude: tuple[str, ...] = ()
    overrides: Mapping[str, GateOverride] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        _text(self.name, "name")
        where = f" (gate {self.name!r})"
        _text(self.section, "section", where)
        _text(self.metric, "metric", where)
        _choice(self.op, OPERATORS, "op", where)
        _choice(self.bound, BOUNDS, "bound", where)
        _choice(self.severity, SEVERITIES, "severity", where)
        _text(self.subject, "subject", where, optional=True)
        if self.dataset is not None:
            _choice(self.dataset, DATASETS, "dataset", where)
        for name in ("enabled",) + (("undefined_fails",) if self.undefined_fails is not None else ()):
            if not isinstance(getattr(self, name), bool):
                raise InvalidTypeError(f"{name}: expected true or false, got {getattr(self, name)!r}{where}")
        if self.compare is not None and not isinstance(self.compare, Comparison):
            raise InvalidTypeError(f"compare: expected a Comparison, got {type(self.compare).__name__}{where}")
        if self.share is not None and not isinstance(self.share, ShareRule):
            raise InvalidTypeError(f"share: expected a ShareRule, got {type(self.share).__name__}{where}")
        if self.compare is not None:
            if self.threshold is not None or self.warning_threshold is not None or self.share is not None:
                raise InvalidInputError(f"compare: a comparison takes no threshold, warning_threshold or share{where}")
        elif self.threshold is None:
            raise InvalidInputError(f"threshold: missing; a gate needs a threshold or compare{where}")
        else:
            object.__setattr__(self, "threshold", _real(self.threshold, "threshold", where))
        if self.share is not None and self.subject is not None:
            raise InvalidInputError(f"subject: a share gate tests every subject, it takes no subject{where}")
        if self.warning_threshold is not None:
            warning = _real(self.warning_threshold, "warning_threshold", where)
            object.__setattr__(self, "warning_threshold", warning)
            if not _softer(warning, self.threshold, self.op):
                raise InvalidInputError(
                    f"warning_threshold: {_number(warning)} would fail before threshold {_number(self.threshold)} "
                    f"with op {self.op!r}; it must lie on the passing side{where}"
                )
        if isinstance(self.exclude, str) or not all(isinstance(s, str) for s in self.exclude):
            raise InvalidTypeError(f"exclude: expected a list of subject names, got {self.exclude!r}{where}")
        object.__setattr__(self, "exclude", tuple(self.exclude))
        if not isinstance(self.overrides, Mapping):
            raise InvalidTypeError(f"overrides: expected a mapping of subject to override{where}")
        if self.overrides and (self.compare is not None or self.share is not None):
            raise InvalidInputError(f"overrides: only threshold gates take per-subject overrides{where}")
        overrides = {}
        for subject, override in self.overrides.items():
            _text(subject, "overrides", where)
            if isinstance(override, Mapping):
                override = GateOverride(**override)
            elif not isinstance(override, GateOverride):
                raise InvalidTypeError(f"overrides[{subject!r}]: expected a GateOverride or a dict{where}")
            overrides[subject] = override
        object.__setattr__(self, "overrides", MappingProxyType(overrides))

    @property
    def fails_when_undefined(self) -> bool:
        """Whether an undefined result blocks: ``undefined_fails``, or else severity "error"."""
        return self.severity == "error" if self.undefined_fails is None else self.undefined_fails


def _softer(warning: float, threshold: float | None, op: str) -> bool:
    """A warning threshold must be crossed before the failure threshold, not after."""
    if threshold is None:
        return True
    return warning <= threshold if op in (">", ">=") else warning >= threshold


@dataclass(frozen=True)
class GateResult:
    """The verdict of a gate on one measurement (or on one dataset's share of subjects).

    Parameters
    ----------
    name, section, metric : str
        The gate's.
    verdict : {"pass", "fail", "warn", "undefined", "skipped"}
        "fail": the condition holds at severity "error"; "warn": it holds at severity
        "warning" or "info", or only the warning threshold is crossed; "undefined": the value,
        a bound or the compared measurement is NaN or missing; "skipped": the gate is
        disabled, the subject excluded, the section skipped or nothing was measured.
    severity : {"error", "warning", "info"}
        The gate's, or the subject's override.
    condition : str
        The failure condition in words, e.g. ``lower 95% bound of demographic_parity_ratio < 0.8``.
    reason : str
        Why this verdict: the value found, or why there is none.
    subject, dataset : str or None
        The measurement's (None for a share, or when nothing was measured).
    value : float
        The tested value (the bound chosen, or the share); NaN when there is none.
    interval : tuple of float or None
        The measurement's (lower, upper) interval, when it has one.
    threshold : float
        What the value was compared with (for a comparison: the other side, offset included).
    undefined_fails : bool
        Whether an undefined verdict blocks.
    """

    name: str
    section: str
    metric: str
    verdict: str
    severity: str
    condition: str
    reason: str
    subject: str | None = None
    dataset: str | None = None
    value: float = math.nan
    interval: tuple[float, float] | None = None
    threshold: float = math.nan
    undefined_fails: bool = False

    def __post_init__(self) -> None:
        _choice(self.verdict, VERDICTS, "verdict")
        _choice(self.severity, SEVERITIES, "severity")
        object.__setattr__(self, "value", _real(self.value, "value", finite=False))
        object.__setattr__(self, "threshold", _real(self.threshold, "threshold", finite=False))
        if self.interval is not None:
            lower, upper = self.interval
            object.__setattr__(
                self, "interval", (_real(lower, "interval", finite=False), _real(upper, "interval", finite=False))
            )

    @property
    def failed(self) -> bool:
        """Whether this result makes the audit fail: verdict "fail", or "undefined" where
        undefined fails."""
        return self.verdict == "fail" or (self.verdict == "undefined" and self.undefined_fails)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (NaN as None) that :meth:`from_dict` reads back.

        Returns
        -------
        dict
        """
        return json_safe(
            {
                "name": self.name,
                "section": self.section,
                "metric": self.metric,
                "subject": self.subject,
                "dataset": self.dataset,
                "verdict": self.verdict,
                "severity": self.severity,
                "condition": self.condition,
                "reason": self.reason,
                "value": self.value,
                "interval": None if self.interval is None else list(self.interval),
                "threshold": self.threshold,
                "undefined_fails": self.undefined_fails,
                "failed": self.failed,
            }
        )

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> GateResult:
        """The result :meth:`to_dict` wrote.

        Parameters
        ----------
        state : mapping

        Returns
        -------
        GateResult

        Raises
        ------
        CorruptedStateError
            When ``state`` is not such a dict.
        """
        if isinstance(state, Mapping) and isinstance(state.get("interval"), list):
            state = {**state, "interval": tuple(state["interval"])}
        if isinstance(state, Mapping):
            state = {k: v for k, v in state.items() if k != "failed"}  # derived
        return _restore(cls, state, "gate result")


def _restore(cls: Any, state: Any, what: str) -> Any:
    if not isinstance(state, Mapping):
        raise CorruptedStateError(f"{what}: expected a dict, got {type(state).__name__}")
    state = {
        k: (math.nan if v is None and k in ("value", "lower", "upper", "threshold") else v) for k, v in state.items()
    }
    try:
        return cls(**state)
    except TypeError as error:  # unknown or missing fields
        raise CorruptedStateError(f"{what}: {error}") from None
    except (InvalidInputError, InvalidTypeError) as error:
        raise CorruptedStateError(f"{what}: {error}") from None


# --- evaluation -------------------------------------------------------------------------------


def evaluate_gates(
    gates: Iterable[Gate],
    measurements: Iterable[Measurement],
    *,
    skipped: Mapping[str, str] | None = None,
) -> list[GateResult]:
    """Applies gates to measurements.

    Parameters
    ----------
    gates : iterable of Gate
        Typically ``AuditConfig.gates()``.
    measurements : iterable of Measurement
        Everything the sections measured.
    skipped : mapping of str to str, optional
        Sections that did not run, with the reason ("no target column"); their gates are
        "skipped" with that reason.

    Returns
    -------
    list of GateResult
        In the order of the gates, then of the measurements: one result per selected
        measurement (per dataset for a share gate), or one result saying why there is none.

    Raises
    ------
    InvalidTypeError
        When an item is not a Gate or a Measurement.

    Examples
    --------
    >>> ref = Measurement("performance", "roc_auc", value=0.91, lower=0.89, upper=0.93, dataset="reference")
    >>> cur = Measurement("performance", "roc_auc", value=0.84, lower=0.81, upper=0.87, dataset="current")
    >>> drop = Gate("auc_drop", "performance", "roc_auc", "<", dataset="current", bound="upper",
    ...             compare=Comparison(dataset="reference", bound="lower"))
    >>> [(r.verdict, r.condition) for r in evaluate_gates([drop], [ref, cur])]
    [('fail', 'upper bound of roc_auc (current) < lower bound of roc_auc (reference)')]
    """
    index: dict[tuple[str, str], list[Measurement]] = {}
    for measurement in measurements:
        if not isinstance(measurement, Measurement):
            raise InvalidTypeError(f"measurements: expected Measurement records, got {type(measurement).__name__}")
        index.setdefault((measurement.section, measurement.metric), []).append(measurement)
    skipped_sections = dict(skipped or {})
    results: list[GateResult] = []
    for gate in gates:
        if not isinstance(gate, Gate):
            raise InvalidTypeError(f"gates: expected Gate objects, got {type(gate).__name__}")
        results.extend(_evaluate(gate, index, skipped_sections))
    return results


def passed(results: Iterable[GateResult]) -> bool:
    """Whether a pipeline may go on: no result failed.

    A result fails when its verdict is "fail" (its condition holds at severity "error") or
    "undefined" where the gate says undefined fails. Warnings, skipped gates and an empty
    list pass.

    Parameters
    ----------
    results : iterable of GateResult

    Returns
    -------
    bool
    """
    return not any(result.failed for result in results)


def _condition(gate: Gate, level: float | None) -> str:
    if gate.share is not None:
        return f"share of subjects with {gate.share.describe(gate.metric, level)} {gate.op} {_number(gate.threshold)}"
    if gate.compare is not None:
        other = gate.compare
        right = _quantity(other.metric or gate.metric, other.bound, level, other.dataset or gate.dataset)
        if other.offset:
            right += f" {'+' if other.offset > 0 else '-'} {_number(abs(other.offset))}"
        return f"{_quantity(gate.metric, gate.bound, level, gate.dataset)} {gate.op} {right}"
    return f"{_quantity(gate.metric, gate.bound, level)} {gate.op} {_number(gate.threshold)}"


def _result(gate: Gate, verdict: str, reason: str, **fields: Any) -> GateResult:
    severity = fields.pop("severity", gate.severity)
    level = fields.pop("level", None)
    return GateResult(
        name=gate.name,
        section=gate.section,
        metric=gate.metric,
        verdict=verdict,
        severity=severity,
        condition=fields.pop("condition", None) or _condition(gate, level),
        reason=reason,
        undefined_fails=gate.fails_when_undefined,
        **fields,
    )


def _evaluate(gate: Gate, index: Mapping[tuple[str, str], list[Measurement]], skipped: Mapping[str, str]):
    if not gate.enabled:
        return [_result(gate, "skipped", "disabled in the config", dataset=gate.dataset, subject=gate.subject)]
    if gate.section in skipped:
        reason = f"section {gate.section} skipped: {skipped[gate.section]}"
        return [_result(gate, "skipped", reason, dataset=gate.dataset, subject=gate.subject)]
    selected = [
        m
        for m in index.get((gate.section, gate.metric), [])
        if (gate.subject is None or m.subject == gate.subject) and (gate.dataset is None or m.dataset == gate.dataset)
    ]
    if gate.share is not None:
        return _share_results(gate, selected)
    if not selected:
        what = f"no {gate.metric} measurement" + ("" if gate.dataset is None else f" of the {gate.dataset} data")
        if gate.subject is not None:  # a named subject must exist: a typo is not a pass
            return [_result(gate, "undefined", f"{what} for subject {gate.subject!r}", subject=gate.subject)]
        return [_result(gate, "skipped", f"nothing measured: {what} in section {gate.section}", dataset=gate.dataset)]
    results = []
    for measurement in selected:
        if measurement.subject in gate.exclude:
            results.append(
                _result(
                    gate,
                    "skipped",
                    "excluded in the config",
                    subject=measurement.subject,
                    dataset=measurement.dataset,
                    level=measurement.confidence_level,
                )
            )
        elif gate.compare is not None:
            result = _compared(gate, measurement, index)
            if result is not None:
                results.append(result)
        else:
            results.append(_tested(gate, measurement))
    return results


def _interval(measurement: Measurement) -> tuple[float, float] | None:
    if math.isnan(measurement.lower) and math.isnan(measurement.upper):
        return None
    return (measurement.lower, measurement.upper)


def _undefined_reason(quantity: str, measurement: Measurement) -> str:
    note = f": {measurement.note}" if measurement.note else ""
    if math.isnan(measurement.value) or not note:
        return f"{quantity} is undefined{note}"
    return f"{quantity} is undefined (no interval){note}"


def _tested(gate: Gate, measurement: Measurement) -> GateResult:
    override = gate.overrides.get(measurement.subject, GateOverride())
    threshold = override.threshold if override.threshold is not None else gate.threshold
    warning = override.warning_threshold if override.warning_threshold is not None else gate.warning_threshold
    severity = override.severity or gate.severity
    assert threshold is not None  # a point gate always has one (checked in Gate)
    level = measurement.confidence_level
    quantity = _quantity(gate.metric, gate.bound, level)
    value = measurement.bound(gate.bound)
    fields: dict[str, Any] = {
        "subject": measurement.subject,
        "dataset": measurement.dataset,
        "value": value,
        "interval": _interval(measurement),
        "threshold": threshold,
        "severity": severity,
        "condition": f"{quantity} {gate.op} {_number(threshold)}",
    }
    if math.isnan(value):
        return _result(gate, "undefined", _undefined_reason(quantity, measurement), **fields)
    found = f"{quantity} is {_number(value)}" + (f" ({measurement.note})" if measurement.note else "")
    if _HOLDS[gate.op](value, threshold):
        return _result(gate, "fail" if severity == "error" else "warn", found, **fields)
    if warning is not None and _HOLDS[gate.op](value, warning):
        return _result(gate, "warn", f"{found}, {gate.op} warning threshold {_number(warning)}", **fields)
    return _result(gate, "pass", found, **fields)


def _compared(
    gate: Gate, measurement: Measurement, index: Mapping[tuple[str, str], list[Measurement]]
) -> GateResult | None:
    other = gate.compare
    assert other is not None
    metric = other.metric or gate.metric
    subject = other.subject or measurement.subject
    dataset = other.dataset or measurement.dataset
    if (gate.section, metric, subject, dataset) == measurement.key:
        return None  # the measurement the others are compared with
    level = measurement.confidence_level
    left = _quantity(gate.metric, gate.bound, level, measurement.dataset)
    right = _quantity(metric, other.bound, level, dataset)
    shown_right = right + (f" {'+' if other.offset > 0 else '-'} {_number(abs(other.offset))}" if other.offset else "")
    value = measurement.bound(gate.bound)
    fields: dict[str, Any] = {
        "subject": measurement.subject,
        "dataset": measurement.dataset,
        "value": value,
        "interval": _interval(measurement),
        "condition": f"{left} {gate.op} {shown_right}",
    }
    matches = [m for m in index.get((gate.section, metric), []) if m.subject == subject and m.dataset == dataset]
    if len(matches) != 1:
        found = "no" if not matches else f"{len(matches)}"
        reason = f"{found} {metric} measurement(s) of subject {subject!r}" + (
            f" on the {dataset} data" if dataset else ""
        )
        return _result(gate, "undefined", f"{reason} to compare with", **fields)
    threshold = matches[0].bound(other.bound) + other.offset
    fields["threshold"] = threshold
    if math.isnan(value):
        return _result(gate, "undefined", _undefined_reason(left, measurement), **fields)
    if math.isnan(threshold):
        return _result(gate, "undefined", _undefined_reason(right, matches[0]), **fields)
    found = f"{left} is {_number(value)}, {shown_right} is {_number(threshold)}"
    if _HOLDS[gate.op](value, threshold):
        return _result(gate, "fail" if gate.severity == "error" else "warn", found, **fields)
    return _result(gate, "pass", found, **fields)


def _share_results(gate: Gate, selected: list[Measurement]) -> list[GateResult]:
    rule = gate.share
    assert rule is not None and gate.threshold is not None
    if not selected:
        what = f"no {gate.metric} measurement" + ("" if gate.dataset is None else f" of the {gate.dataset} data")
        return [_result(gate, "skipped", f"nothing measured: {what} in section {gate.section}", dataset=gate.dataset)]
    by_dataset: dict[str | None, list[Measurement]] = {}
    for measurement in selected:
        by_dataset.setdefault(measurement.dataset, []).append(measurement)
    results = []
    for dataset, measurements in by_dataset.items():
        level = measurements[0].confidence_level
        considered = [m for m in measurements if m.subject not in gate.exclude]
        values = [m.bound(rule.bound) for m in considered]
        defined = [v for v in values if not math.isnan(v)]
        left_out = len(values) - len(defined)
        fields: dict[str, Any] = {"dataset": dataset, "level": level, "threshold": gate.threshold}
        if not considered:
            results.append(_result(gate, "skipped", "every subject is excluded in the config", **fields))
            continue
        if not defined:
            reason = f"{rule.describe(gate.metric, level)} is undefined for all {len(values)} subjects"
            results.append(_result(gate, "undefined", reason, **fields))
            continue
        flagged = sum(rule.flags(v) for v in defined)
        share = flagged / len(defined)
        reason = f"{flagged} of {len(defined)} subjects flagged (share {_number(share)})"
        if left_out:
            reason += f"; {left_out} undefined left out"
        fields["value"] = share
        if _HOLDS[gate.op](share, gate.threshold):
            verdict = "fail" if gate.severity == "error" else "warn"
        elif gate.warning_threshold is not None and _HOLDS[gate.op](share, gate.warning_threshold):
            verdict, reason = "warn", f"{reason}, {gate.op} warning threshold {_number(gate.warning_threshold)}"
        else:
            verdict = "pass"
        results.append(_result(gate, verdict, reason, **fields))
    return results
