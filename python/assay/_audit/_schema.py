"""The JSON Schema (draft 2020-12) of the audit configuration, version 1.

The schema is the single source of truth for the structure, types, allowed values and
defaults of a configuration: :mod:`assay._audit._config` validates against it and fills
defaults from it, and ``assay config schema`` prints it. It is built here from tables (the
checks of each section, the metric vocabulary of each section's measurements) so that a
check is declared once; every subschema is written out in full (no ``$ref``), which keeps the
printed schema readable by editors and the default filling a plain walk.

A later engine plugs in by adding its metric vocabulary to :data:`METRICS`, its checks to
:data:`CHECKS` and its section's own settings to :func:`_section_settings`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .. import _core
from ..drift import CORRECTIONS, TESTS
from ..monitor import METRICS as _CBPE_METRICS
from ..quality import DTYPE_NAMES, SEVERITIES
from ._gates import BOUNDS, DATASETS, OPERATORS, OVERALL, TABLE

__all__ = ["CHECKS", "CONFIG_VERSIONS", "METRICS", "MODEL_EVALUATIONS", "SECTIONS", "CheckDef", "build_schema"]

#: Configuration versions this assay reads.
CONFIG_VERSIONS = (1,)
#: How the audit evaluates a model (``model.evaluation``).
MODEL_EVALUATIONS = ("auto", "model")
#: The audit's sections, in the order they run and are reported.
SECTIONS = ("quality", "drift", "performance", "fairness", "explain", "slices", "review", "monitor")

# --- measurement vocabulary (what each section's Measurement records are called) ------------

#: assay.fairness's per-group metric functions, usable in fairness.metrics.
FAIRNESS_GROUP_METRICS = (
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "balanced_accuracy_score",
    "mean_prediction",
    "mean_error",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "r2_score",
    "roc_auc_score",
    "expected_calibration_error",
)
#: assay.fairness's disparity functions (one value per sensitive feature).
FAIRNESS_DISPARITIES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
)
#: Performance metrics per task (performance.metrics: null measures these).
PERFORMANCE_TASK_METRICS = {
    "classification": ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "brier_score", "ece"),
    "regression": ("mae", "rmse", "r2", "mean_error"),
}
#: Whether a larger value of a performance metric is better (the degradation check's direction).
HIGHER_IS_BETTER = {
    "accuracy": True,
    "balanced_accuracy": True,
    "precision": True,
    "recall": True,
    "f1": True,
    "roc_auc": True,
    "r2": True,
    "log_loss": False,
    "brier_score": False,
    "ece": False,
    "mae": False,
    "rmse": False,
}
PERFORMANCE_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "log_loss",
    "brier_score",
    "ece",
    "mae",
    "rmse",
    "r2",
    "mean_error",
)
_QUALITY_CHECK_NAMES = (
    "missing",
    "constant",
    "near_constant",
    "infinite_values",
    "outliers_iqr",
    "outliers_mad",
    "high_cardinality",
    "label_variants",
    "mixed_types",
    "duplicate_rows",
    "class_imbalance",
    "single_class",
    "conflicting_labels",
    "target_leakage",
    "train_test_overlap",
    "unseen_categories",
    "rules",
)
#: The metrics each section reports, i.e. what a gate's ``metric`` may name.
METRICS: dict[str, tuple[str, ...]] = {
    "quality": _QUALITY_CHECK_NAMES,
    "drift": ("drifted", "drift_score", "target_drifted", "prediction_drifted"),
    "performance": PERFORMANCE_METRICS,
    "fairness": FAIRNESS_GROUP_METRICS + FAIRNESS_DISPARITIES + ("selection_rate_ratio", "selection_rate_difference"),
    "explain": ("mean_abs_shap",),
    "slices": ("slice_error_ratio", "significant_error_ratio"),
    "review": ("coverage", "review_share"),
    "monitor": ("alert_chunks",),
}

# --- checks ------------------------------------------------------------------------------------

_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_RATIO = {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
_POSITIVE_INT = {"type": "integer", "minimum": 1}


@dataclass(frozen=True)
class CheckDef:
    """A check of a section: what it measures and the gate its settings make.

    ``kind`` is "point" (a gate on each subject's value), "share" (a gate on the share of
    flagged subjects of ``metric``) or "degradation" (current against reference, one gate per
    metric listed in the check's ``metrics``). ``threshold`` is the default of the configurable
    threshold, or the fixed one when ``configurable`` is False. ``per_subject`` checks take
    ``overrides`` and ``exclude``. ``decision`` checks test an interval bound by default.
    ``options`` are settings of the engine (schema with default); ``override_options`` are
    engine settings a per-subject override may also carry.
    """

    name: str
    summary: str
    measures: str
    subject: str
    op: str
    severity: str
    threshold: float | None = None
    threshold_schema: Any = None
    configurable: bool = True
    warning_threshold: float | None = None
    enabled: bool = True
    per_subject: bool = True
    decision: bool = False
    metric: str | None = None
    dataset: str | None = None
    kind: str = "point"
    options: tuple[tuple[str, dict[str, Any]], ...] = ()
    override_options: tuple[tuple[str, dict[str, Any]], ...] = ()

    @property
    def measured(self) -> str:
        """The metric of its measurements."""
        return self.metric or self.name


def _flag(name: str, summary: str, measures: str, subject: str, severity: str = "warning", **more: Any) -> CheckDef:
    """A check on a count or share that fails as soon as it is above a threshold (default 0)."""
    more.setdefault("op", ">")
    more.setdefault("threshold", 0.0)
    more.setdefault("threshold_schema", _SHARE)
    return CheckDef(name, summary, measures, subject, severity=severity, **more)


_LEAKAGE_OPTIONS = (
    ("bins", {**_POSITIVE_INT, "maximum": 2**20, "default": 20, "description": "quantile bins of a numeric "
     "feature (quality's leakage_bins)"}),
    ("min_support", {"type": "integer", "minimum": 0, "default": 10, "description": "bins with fewer rows are "
     "pooled and predicted by the overall majority (quality's leakage_min_support)"}),
)  # fmt: skip

QUALITY_CHECKS = (
    CheckDef(
        "missing",
        "Missing values in a column.",
        "the share of missing values",
        "column",
        ">=",
        "error",
        0.5,
        _SHARE,
        warning_threshold=0.05,
    ),
    CheckDef(
        "constant",
        "A column whose non-missing values are all the same.",
        "1 when the column is constant, else 0",
        "column",
        ">=",
        "warning",
        1.0,
        configurable=False,
    ),
    CheckDef(
        "near_constant",
        "A column dominated by one value.",
        "the share of non-missing values equal to the most frequent one",
        "column",
        ">=",
        "warning",
        0.95,
        _SHARE,
    ),
    _flag("infinite_values", "Infinite values in a numeric column.", "the share of infinite values", "column"),
    CheckDef(
        "outliers_iqr",
        "Values outside Tukey's fences [Q1 - iqr_k IQR, Q3 + iqr_k IQR].",
        "the share of finite values outside the fences",
        "numeric column",
        ">=",
        "warning",
        0.01,
        _SHARE,
        options=(
            (
                "iqr_k",
                {
                    "type": "number",
                    "minimum": 0,
                    "default": 1.5,
                    "description": "fence width in IQRs (quality's outlier_iqr_k)",
                },
            ),
        ),
    ),  # fmt: skip
    CheckDef(
        "outliers_mad",
        "Values whose robust z-score 0.6745 |x - median| / MAD exceeds mad_z (Iglewicz & Hoaglin).",
        "the share of finite values beyond the cut-off",
        "numeric column",
        ">=",
        "warning",
        0.01,
        _SHARE,
        options=(
            (
                "mad_z",
                {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "default": 3.5,
                    "description": "robust z-score cut-off (quality's outlier_mad_z)",
                },
            ),
        ),
        # Off by default: on a skewed column both outlier rules fire, and one gate per
        # column says it once (enable this one, and disable outliers_iqr, to gate by MAD).
        enabled=False,
    ),  # fmt: skip
    CheckDef(
        "high_cardinality",
        "A categorical column with very many categories, most rows distinct (an identifier?).",
        "the number of categories when at least `ratio` of the non-missing values are distinct, else 0",
        "categorical column",
        ">=",
        "warning",
        50,
        _POSITIVE_INT,
        options=(
            (
                "ratio",
                {
                    **_SHARE,
                    "default": 0.5,
                    "description": "least share of distinct values among the "
                    "non-missing ones (quality's high_cardinality_ratio)",
                },
            ),
        ),
    ),  # fmt: skip
    CheckDef(
        "label_variants",
        "Category labels that differ only in letter case or whitespace ('Berlin', ' berlin').",
        "the number of groups of labels that differ only in case or whitespace",
        "categorical column",
        ">=",
        "warning",
        1.0,
        configurable=False,
    ),
    CheckDef(
        "mixed_types",
        "An object column holding values of several Python types.",
        "the number of Python types",
        "column",
        ">",
        "warning",
        1.0,
        configurable=False,
    ),
    _flag(
        "duplicate_rows",
        "Rows equal to an earlier row in every column.",
        "the share of rows that repeat an earlier row",
        "table",
        per_subject=False,
    ),
    CheckDef(
        "class_imbalance",
        "A rare class in a classification target.",
        "the share of the rarest class",
        "target",
        "<",
        "warning",
        0.1,
        _SHARE,
        per_subject=False,
    ),
    CheckDef(
        "single_class",
        "A classification target with one class only.",
        "the number of classes",
        "target",
        "<",
        "error",
        2.0,
        configurable=False,
        per_subject=False,
    ),
    _flag(
        "conflicting_labels",
        "Rows with identical features but different targets.",
        "the share of rows whose features repeat with another target",
        "target",
        per_subject=False,
    ),
    CheckDef(
        "target_leakage",
        "A feature that alone predicts the target: a predictive-power score (classification: "
        "majority-class accuracy per bin, rescaled so that 0 is the majority baseline and 1 is "
        "perfect; regression: the correlation ratio eta^2). With `decision: bound` a feature is "
        "reported only when the lower bound of its score's interval reaches the threshold, so "
        "that strong but honest features of small samples are not flagged; exclude a feature "
        "that is known to be strong and legitimate.",
        "the predictive-power score of the feature",
        "feature column",
        ">=",
        "error",
        0.8,
        _SHARE,
        decision=True,
        options=_LEAKAGE_OPTIONS,
    ),
    _flag(
        "train_test_overlap",
        "Current rows also present in the reference (compared on the shared columns except the target).",
        "the share of current rows found in the reference",
        "table",
        per_subject=False,
        dataset="current",
    ),
    _flag(
        "unseen_categories",
        "Categories absent from the reference column (identifier-like columns are skipped).",
        "the share of current rows holding an unseen category",
        "categorical column",
        dataset="current",
    ),
    CheckDef(
        "rules",
        "The declarative column rules of quality.rules (dtype, nullable, min, max, allowed, unique, max_missing).",
        "the number of rules the column breaks",
        "column with a rule",
        ">",
        "error",
        0.0,
        configurable=False,
    ),
)


def _numeric_tests() -> list[str]:
    return [t for t in TESTS if _core.drift.test_info(_core.drift.Test[t])[1]]


def _categorical_tests() -> list[str]:
    return [t for t in TESTS if _core.drift.test_info(_core.drift.Test[t])[2]]


DRIFT_CHECKS = (
    CheckDef(
        "column_drift",
        "Drift of a feature column between the reference and the current data, by the column's test "
        "(drift.method) and its threshold (p-value tests flag p < threshold, distances flag distance >= "
        "threshold, as assay.drift.report).",
        "1 when the column drifted, else 0 (a column whose test is undefined counts 0, with a note)",
        "feature column",
        ">=",
        "warning",
        1.0,
        configurable=False,
        metric="drifted",
        override_options=(
            ("method", {"enum": ["auto", *TESTS], "description": "this column's test"}),
            ("threshold", {"type": "number", "minimum": 0, "description": "this column's test threshold"}),
        ),
    ),
    CheckDef(
        "drifted_share",
        "Dataset drift: the share of drifted feature columns (columns excluded from column_drift are "
        "left out). The default, 0.5 with >=, is assay.drift.report's drift_share (Evidently's).",
        "the share of them whose `drifted` is 1",
        "feature column",
        ">=",
        "error",
        0.5,
        _SHARE,
        per_subject=False,
        metric="drifted",
        kind="share",
    ),
    CheckDef(
        "target_drift",
        "Drift of the target column.",
        "1 when the target drifted, else 0",
        "target",
        ">=",
        "warning",
        1.0,
        configurable=False,
        per_subject=False,
        metric="target_drifted",
    ),
    CheckDef(
        "prediction_drift",
        "Drift of the prediction column.",
        "1 when the prediction drifted, else 0",
        "prediction",
        ">=",
        "warning",
        1.0,
        configurable=False,
        per_subject=False,
        metric="prediction_drifted",
    ),
)

_DEGRADATION_DEFAULT = ["accuracy", "f1", "roc_auc", "log_loss", "mae", "rmse", "r2"]
PERFORMANCE_CHECKS = (
    CheckDef(
        "degradation",
        "Performance lower on the current data than on the reference, per metric and subject (overall "
        "and each group). With `decision: bound` a metric fails only when the intervals do not overlap: "
        "for a metric where higher is better, when the current upper bound is under the reference lower "
        "bound (for log_loss, brier_score, ece, mae, rmse: when the current lower bound is over the "
        "reference upper bound); with `decision: point`, when the current value is worse.",
        "on both datasets",
        "overall and per group",
        "<",
        "error",
        configurable=False,
        per_subject=False,
        decision=True,
        kind="degradation",
        options=(
            (
                "metrics",
                {
                    "type": "array",
                    "items": {"enum": list(HIGHER_IS_BETTER)},
                    "uniqueItems": True,
                    "default": _DEGRADATION_DEFAULT,
                    "description": "the metrics compared (those of the other task are skipped)",
                },
            ),
        ),
    ),
)


def _disparity(name: str, enabled: bool, severity: str) -> CheckDef:
    ratio = name.endswith("_ratio")
    return CheckDef(
        name,
        f"assay.fairness.{name} between the groups of each sensitive feature (and of their intersection).",
        f"the {'ratio' if ratio else 'difference'} between the groups",
        "sensitive feature",
        "<" if ratio else ">",
        severity,
        0.8 if ratio else 0.1,
        _RATIO if ratio else _SHARE,
        enabled=enabled,
        decision=True,
    )


FAIRNESS_CHECKS = (
    CheckDef(
        "four_fifths",
        "The four-fifths rule (assay.fairness.four_fifths): each group's selection rate against the "
        "reference group's (the highest rate among groups of at least min_support rows), with Katz "
        "intervals. With `decision: bound` a group fails when the upper bound of its ratio is under the "
        "threshold (adverse impact with confidence), as the engine's verdict 'fails'.",
        "the group's selection-rate ratio to the reference group",
        "group",
        "<",
        "error",
        0.8,
        _RATIO,
        decision=True,
        metric="selection_rate_ratio",
    ),
    _disparity("demographic_parity_difference", True, "warning"),
    _disparity("demographic_parity_ratio", False, "warning"),
    _disparity("equalized_odds_difference", True, "warning"),
    _disparity("equalized_odds_ratio", False, "warning"),
    _disparity("equal_opportunity_difference", False, "warning"),
    _disparity("equal_opportunity_ratio", False, "warning"),
)

SLICES_CHECKS = (
    CheckDef(
        "significant_slice",
        "A slice of the current data (assay.slices.find_slices) whose mean error is significantly above the "
        "rest (Benjamini-Hochberg-adjusted p-value under significance_level) and large against the mean "
        "error of all rows.",
        "the slice's mean error over the mean error of all rows",
        "significant slice",
        ">",
        "warning",
        1.5,
        {"type": "number", "minimum": 0},
        per_subject=False,
        metric="significant_error_ratio",
        dataset="current",
    ),
)

#: The checks of each section, in order.
REVIEW_CHECKS = (
    CheckDef(
        "coverage",
        "Coverage of the conformal sets (regression: intervals) calibrated on the reference, measured on "
        "the current data, overall and per group of each sensitive feature; rows exchangeable with the "
        "reference give at least 1 - alpha, so a lower coverage means drift or a changed model.",
        "the share of current rows whose set (interval) holds the true label (value)",
        "group",
        "<",
        "error",
        0.85,
        _SHARE,
        metric="coverage",
        dataset="current",
    ),
    CheckDef(
        "review_load",
        "The share of current rows the review router sends to a person, overall and per group.",
        "the share of current rows sent to review",
        "group",
        ">",
        "warning",
        0.3,
        _SHARE,
        metric="review_share",
        dataset="current",
    ),
)

#: The checks of each section, in order.
MONITOR_CHECKS = (
    CheckDef(
        "estimated_performance",
        "A metric of the current data, estimated from the model's scores before the labels arrive "
        "(assay.monitor.CBPE), leaves the band of the reference's chunks in some chunk.",
        "the current chunks whose estimated metric leaves the reference band",
        "metric",
        ">",
        "warning",
        0.0,
        {"type": "number", "minimum": 0},
        metric="alert_chunks",
        dataset="current",
    ),
)

CHECKS: dict[str, tuple[CheckDef, ...]] = {
    "quality": QUALITY_CHECKS,
    "drift": DRIFT_CHECKS,
    "performance": PERFORMANCE_CHECKS,
    "fairness": FAIRNESS_CHECKS,
    "explain": (),
    "slices": SLICES_CHECKS,
    "review": REVIEW_CHECKS,
    "monitor": MONITOR_CHECKS,
}

# --- schema pieces ----------------------------------------------------------------------------

_SEVERITY_TEXT = (
    "error: a met condition fails the audit (verdict fail); warning and info: it is reported "
    "(verdict warn) without failing"
)
GATE_GRAMMAR = (
    "A gate fails when its condition holds. It selects the section's measurements of `metric` (only "
    "`subject` and `dataset` when given: a subject is a column, a group such as 'sex=F' (intersections "
    "joined by ' & '), a sensitive feature, 'overall' or '(table)'), and for each tests "
    "`<bound> <op> <threshold>`, where bound is the point value or the lower or upper bound of the "
    "measurement's confidence interval. Instead of a threshold, `compare` tests against another "
    "measurement (keys it leaves out are the tested measurement's: {dataset: reference} compares each "
    "current value with the reference value of the same metric and subject), and `share` tests the "
    "share of subjects flagged (by default a non-zero value; or {op, threshold} on each subject), one "
    "result per dataset. Verdicts: pass; fail (condition met, severity error); warn (condition met at "
    "severity warning or info, or only warning_threshold crossed); undefined (NaN value, missing bound, "
    "nothing to compare with, or a named subject not measured: never a silent pass, and it fails the "
    "audit when undefined_fails is true, by default when the severity is error); skipped (gate disabled, "
    "subject excluded, section not run, or no measurement of the metric at all)."
)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(schema)
    out["type"] = [out["type"], "null"]
    return out


def _gate_schema(section: str) -> dict[str, Any]:
    metrics = list(METRICS[section])
    metric_text = f"the measurement's metric; {section} reports: {', '.join(metrics)}"
    return {
        "type": "object",
        "description": GATE_GRAMMAR,
        "additionalProperties": False,
        "required": ["metric", "op"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "shown in results; unique (default: "
                     f"its place, '{section}.gates[<index>]')"},
            "metric": {"enum": metrics, "description": metric_text},
            "subject": {"type": "string", "minLength": 1, "description": "only this subject (column, group, "
                        f"sensitive feature, '{OVERALL}' or '{TABLE}'); a named subject not measured is undefined"},
            "dataset": {"enum": list(DATASETS), "description": "only this dataset"},
            "bound": {"enum": list(BOUNDS), "default": "value", "description": "what is tested: the point value "
                      "or a bound of the confidence interval"},
            "op": {"enum": list(OPERATORS), "description": "the failure operator: fail when <bound> <op> "
                   "<threshold>"},
            "threshold": {"type": "number", "description": "what the bound is compared with (not with compare)"},
            "warning_threshold": {"type": "number", "description": "a softer threshold on the passing side of "
                                  "threshold: crossing only it gives the verdict warn"},
            "compare": {
                "type": "object",
                "description": "compare with another measurement instead of a threshold",
                "additionalProperties": False,
                "properties": {
                    "metric": {"enum": metrics, "description": "the other measurement's metric (default: the "
                               "same)"},
                    "subject": {"type": "string", "minLength": 1, "description": "the other subject (default: "
                                "the same)"},
                    "dataset": {"enum": list(DATASETS), "description": "the other dataset (default: the same)"},
                    "bound": {"enum": list(BOUNDS), "default": "value", "description": "what is taken of the "
                              "other measurement"},
                    "offset": {"type": "number", "default": 0, "description": "added to the other side "
                               "(-0.02: fail when more than 0.02 under it)"},
                },
                "allOf": [
                    {
                        "anyOf": [{"required": ["metric"]}, {"required": ["subject"]}, {"required": ["dataset"]}],
                        "errorMessage": "name the other measurement's metric, subject or dataset",
                    }
                ],
            },
            "share": {
                "type": ["boolean", "object"],
                "description": "test the share of flagged subjects instead of each subject: true (flagged when "
                "the value is non-zero) or {bound, op, threshold} (flagged when <bound> <op> <threshold>); "
                "subjects with an undefined value are left out",
                "additionalProperties": False,
                "properties": {
                    "bound": {"enum": list(BOUNDS), "default": "value"},
                    "op": {"enum": list(OPERATORS)},
                    "threshold": {"type": "number"},
                },
                "allOf": [
                    {
                        "dependentRequired": {"op": ["threshold"], "threshold": ["op"]},
                        "errorMessage": "give op and threshold together (or neither: flagged when non-zero)",
                    }
                ],
            },
            "exclude": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "default": [],
                        "description": "subjects not tested (reported as skipped; left out of a share)"},
            "severity": {"enum": list(SEVERITIES), "default": "error", "description": _SEVERITY_TEXT},
            "undefined_fails": {"type": ["boolean", "null"], "default": None, "description": "whether an "
                                "undefined value fails the audit (null: when the severity is error)"},
            "enabled": {"type": "boolean", "default": True},
        },
        "dependentSchemas": {
            "compare": {
                "not": {"anyOf": [{"required": [k]} for k in ("threshold", "warning_threshold", "share")]},
                "errorMessage": "a gate with compare takes no threshold, warning_threshold or share",
            }
        },
        "if": {"required": ["compare"]},
        "else": {"required": ["threshold"], "errorMessage": "a gate needs a threshold (or compare)"},
    }  # fmt: skip


def _check_schema(check: CheckDef) -> dict[str, Any]:
    if check.kind == "degradation":
        measured = f"Measurements: each metric of `metrics`, {check.measures}, {check.subject}."
    elif check.kind == "share":
        measured = (
            f"Measurements: `{check.measured}` of each {check.subject}. "
            f"Fails when {check.measures} {check.op} threshold."
        )
    else:
        fixed = "" if check.configurable else f" (fixed at {check.threshold:g})"
        measured = (
            f"Measurement `{check.measured}`: {check.measures}, one per {check.subject}. "
            f"Fails when the value {check.op} threshold{fixed}."
        )
    description = f"{check.summary} {measured}"
    properties: dict[str, Any] = {
        "enabled": {"type": "boolean", "default": check.enabled},
        "severity": {"enum": list(SEVERITIES), "default": check.severity, "description": _SEVERITY_TEXT},
    }
    if check.configurable:
        properties["threshold"] = {**check.threshold_schema, "default": check.threshold}
        properties["warning_threshold"] = {
            **_nullable(check.threshold_schema),
            "default": check.warning_threshold,
            "description": "a softer threshold on the passing side: crossing only it gives the verdict warn",
        }
    if check.decision:
        properties["decision"] = {
            "enum": ["bound", "point"],
            "default": "bound",
            "description": "bound: test the bound of the confidence interval least favourable to failing "
            "(fail only when the whole interval is past the threshold); point: test the point estimate",
        }
    properties.update(copy.deepcopy(dict(check.options)))
    if check.per_subject:
        override: dict[str, Any] = {"severity": {"enum": list(SEVERITIES)}}
        if check.configurable:
            override["threshold"] = copy.deepcopy(check.threshold_schema)
            override["warning_threshold"] = copy.deepcopy(check.threshold_schema)
        override.update(copy.deepcopy(dict(check.override_options)))
        properties["overrides"] = {
            "type": "object",
            "default": {},
            "description": f"per {check.subject}: its own {', '.join(override)}",
            "additionalProperties": {"type": "object", "additionalProperties": False, "properties": override},
        }
        properties["exclude"] = {
            "type": "array",
            "items": {"type": "string"},
            "uniqueItems": True,
            "default": [],
            "description": f"each {check.subject} named here is not tested (reported as skipped)",
        }
    return {
        "type": "object",
        "description": description,
        "default": {},
        "additionalProperties": False,
        "properties": properties,
    }


def _inherited(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**_nullable(schema), "default": None, "description": f"null: the top-level {name}"}


_N_BOOT = {"type": "integer", "minimum": 0}
_LEVEL = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}


def _section_settings(section: str) -> dict[str, Any]:
    """The settings of a section's engine, besides enabled, checks and gates."""
    intervals = {"n_boot": _inherited("n_boot", _N_BOOT), "confidence_level": _inherited("confidence_level", _LEVEL)}
    if section == "quality":
        rule = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "dtype": {"enum": list(DTYPE_NAMES)},
                "nullable": {"type": "boolean"},
                "min": {"type": "number"},
                "max": {"type": "number"},
                "allowed": {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
                "unique": {"type": "boolean"},
                "max_missing": _SHARE,
            },
        }
        # The leakage score's bounds are closed-form (quality's leakage_confidence): no replicates.
        return {
            "confidence_level": intervals["confidence_level"],
            "rules": {
                "type": "object",
                "default": {},
                "description": "column name -> rule, as assay.quality.check's rules",
                "additionalProperties": rule,
            },
        }
    if section == "drift":
        return {
            "method": {
                "type": "object",
                "default": {},
                "description": "the test per column type; 'auto' picks as Evidently's defaults (assay.drift.report)",
                "additionalProperties": False,
                "properties": {
                    "numeric": {"enum": ["auto", *_numeric_tests()], "default": "auto"},
                    "categorical": {"enum": ["auto", *_categorical_tests()], "default": "auto"},
                },
            },
            "threshold": {
                "type": ["number", "null"],
                "minimum": 0,
                "default": None,
                "description": "every test's threshold; null: each test's default (0.05 or 0.1 for p-values, "
                "0.1 for distances)",
            },
            "correction": {
                "enum": [None, *CORRECTIONS],
                "default": None,
                "description": "multiple-testing correction of the p-values (assay.drift.report's correction)",
            },
        }
    if section == "performance":
        return {
            "task": {"enum": ["auto", "classification", "regression"], "default": "auto"},
            "metrics": {
                "type": ["array", "null"],
                "items": {"enum": list(PERFORMANCE_METRICS)},
                "uniqueItems": True,
                "minItems": 1,
                "default": None,
                "description": "null: every metric of the task ("
                + "; ".join(f"{task}: {', '.join(m)}" for task, m in PERFORMANCE_TASK_METRICS.items())
                + ")",
            },
            "by_group": {"type": "boolean", "default": True, "description": "also per group of each sensitive "
                         "feature"},
            "calibration_bins": {**_POSITIVE_INT, "maximum": 10_000, "default": 10, "description": "bins of the "
                                 "reliability curve and the ECE"},
            **intervals,
        }  # fmt: skip
    if section == "fairness":
        return {
            "sensitive_features": {
                "type": ["array", "null"],
                "items": {"type": "string"},
                "uniqueItems": True,
                "default": None,
                "description": "null: columns.sensitive_features",
            },
            "intersection": {"type": "boolean", "default": True, "description": "also the intersection of the "
                             "sensitive features"},
            "metrics": {
                "type": "array",
                "items": {"enum": list(FAIRNESS_GROUP_METRICS)},
                "uniqueItems": True,
                "minItems": 1,
                "default": ["selection_rate", "accuracy_score", "true_positive_rate", "false_positive_rate"],
                "description": "per-group metrics of the MetricFrame (assay.fairness's names)",
            },
            "min_support": {"type": "integer", "minimum": 0, "default": 30, "description": "groups with fewer "
                            "rows are flagged small (MetricFrame's and four_fifths' min_support)"},
            "convention": {"enum": ["strict", "fairlearn"], "default": "strict", "description": "undefined "
                           "values: NaN with a reason (strict) or fairlearn's numbers"},
            **intervals,
        }  # fmt: skip
    if section == "slices":
        return {
            "max_level": {**_POSITIVE_INT, "maximum": 10, "default": 2, "description": "predicates per slice at most"},
            "min_support": {"type": "number", "exclusiveMinimum": 0, "default": 0.01, "description": "rows a "
                            "slice must hold: a fraction of the rows below 1, else a count"},
            "alpha": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.95, "description": "the "
                      "weight of the error ratio against the size in SliceLine's score"},
            "k": {**_POSITIVE_INT, "maximum": 1000, "default": 10, "description": "slices reported"},
            "n_bins": {**_POSITIVE_INT, "minimum": 2, "maximum": 1000, "default": 10, "description": "quantile "
                       "bins of a numeric feature"},
            "significance_level": {**_LEVEL, "default": 0.05, "description": "a slice is significant when its "
                                   "Benjamini-Hochberg-adjusted p-value is under this level"},
            "confidence_level": intervals["confidence_level"],
        }  # fmt: skip
    if section == "monitor":
        return {
            "metrics": {"type": "array", "items": {"enum": list(_CBPE_METRICS)}, "uniqueItems": True, "minItems": 1,
                        "default": list(_CBPE_METRICS), "description": "the metrics estimated"},
            "n_chunks": {**_POSITIVE_INT, "maximum": 10_000, "default": 10, "description": "chunks of each "
                         "dataset (the reference's give the band)"},
            "sigma": {"type": "number", "exclusiveMinimum": 0, "default": 3.0, "description": "half-width of the "
                      "band in standard deviations of the reference chunks' estimates"},
        }  # fmt: skip
    if section == "review":
        return {
            "alpha": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "default": 0.1,
                      "description": "miscoverage level of the conformal sets / intervals"},
            "score": {"enum": ["lac", "aps", "aps_randomized"], "default": "lac", "description": "the "
                      "classification score (assay.review.ConformalClassifier)"},
            "budget": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "default": None,
                       "description": "largest share of rows sent to review (null: every ambiguous row)"},
            "tolerance": {"type": ["number", "null"], "minimum": 0, "default": None, "description": "regression: "
                          "the widest interval decided automatically (null: only infinite ones go to review)"},
        }  # fmt: skip
    return {
        "explainer": {
            "enum": ["auto", "tree", "linear", "kernel", "permutation", "exact"],
            "default": "auto",
            "description": "auto: TreeExplainer for tree ensembles, LinearExplainer for linear models, else "
            "PermutationExplainer",
        },
        "sample_size": {**_POSITIVE_INT, "default": 10_000, "description": "rows explained by the tree and "
                        "linear explainers"},
        "agnostic_sample_size": {**_POSITIVE_INT, "default": 500, "description": "rows explained by the "
                                 "model-agnostic explainers"},
        "background_size": {**_POSITIVE_INT, "default": 100, "description": "background rows of the "
                            "model-agnostic explainers"},
        "top_k": {**_POSITIVE_INT, "default": 10, "description": "top features shown, with their dependence"},
        **intervals,
    }  # fmt: skip


_SECTION_TEXT = {
    "quality": "Data quality of both datasets (assay.quality.check), train/test overlap and unseen categories.",
    "drift": "Drift of the features, the prediction and the target (assay.drift.report).",
    "performance": "Model performance overall and per group, with bootstrap intervals, on both datasets.",
    "fairness": "Group metrics (assay.fairness.MetricFrame), disparities and the four-fifths rule, with intervals.",
    "explain": "Global importance (mean |SHAP| with intervals), top features and their dependence.",
    "slices": "The worst slices of the current data (assay.slices.find_slices, exact SliceLine).",
    "review": "Conformal sets calibrated on the reference: coverage and review load on the current data, per "
    "group (assay.review.ReviewRouter).",
    "monitor": "Performance of the current data estimated from the model's scores before the labels arrive "
    "(assay.monitor.CBPE), per chunk, against the reference band.",
}


def _section_schema(section: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"enabled": {"type": "boolean", "default": True}}
    properties.update(_section_settings(section))
    if CHECKS[section]:
        properties["checks"] = {
            "type": "object",
            "description": "the section's checks; each makes a gate from its settings",
            "default": {},
            "additionalProperties": False,
            "properties": {check.name: _check_schema(check) for check in CHECKS[section]},
        }
    properties["gates"] = {
        "type": "array",
        "default": [],
        "description": "more gates on this section's measurements",
        "items": _gate_schema(section),
    }
    return {
        "type": "object",
        "description": _SECTION_TEXT[section],
        "default": {},
        "additionalProperties": False,
        "properties": properties,
    }


def _data_source(which: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"the {which} data",
        "default": {},
        "additionalProperties": False,
        "properties": {
            "path": {"type": ["string", "null"], "minLength": 1, "default": None, "description": "a .csv, .parquet "
                     "or .json file; relative to the configuration file's folder"},
            "format": {"enum": [None, "csv", "parquet", "json"], "default": None, "description": "null: from the "
                       "file's extension"},
            "sample_size": {"type": ["integer", "null"], "minimum": 1, "default": None, "description": "rows drawn "
                            "at random (with the seed) from the data; null: every row"},
        },
    }  # fmt: skip


def build_schema() -> dict[str, Any]:
    """The JSON Schema of configuration version 1 (a new dict on each call).

    Returns
    -------
    dict
    """
    column = {"type": ["string", "null"], "minLength": 1, "default": None}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:assay:audit-config:1",
        "title": "assay audit configuration",
        "description": "What `assay audit` checks and when it fails: data locations and columns, the settings "
        "and checks of each section, and gates. Every key is optional; absent keys take the defaults shown "
        "(`assay config init` writes them all). " + GATE_GRAMMAR,
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "version": {"type": "integer", "enum": list(CONFIG_VERSIONS), "default": CONFIG_VERSIONS[-1],
                        "description": "the configuration format's version"},
            "seed": {"type": "integer", "minimum": 0, "maximum": 2**64 - 1, "default": 0, "description": "seed of "
                     "every random draw (samples, bootstrap, explainers)"},
            "n_boot": {**_N_BOOT, "default": 1000, "description": "bootstrap replicates of the intervals (0: no "
                       "intervals, so gates on bounds are undefined)"},
            "confidence_level": {**_LEVEL, "default": 0.95, "description": "the level of every interval"},
            "data": {
                "type": "object",
                "description": "where the data come from (the Python API takes tables instead)",
                "default": {},
                "additionalProperties": False,
                "properties": {"reference": _data_source("reference (training)"), "current": _data_source("current")},
            },
            "model": {
                "type": "object",
                "description": "how the audit evaluates the model given to it",
                "default": {},
                "additionalProperties": False,
                "properties": {
                    "evaluation": {"enum": list(MODEL_EVALUATIONS), "default": "auto", "description": "auto: "
                                   "XGBoost classifiers and regressors of a known objective are evaluated in "
                                   "assay's core (the trees summed in float64; probabilities agree with the "
                                   "model's own to about 1e-7, several times faster); model: always call the "
                                   "model's predict_proba / predict (its own numbers, bit for bit)"},
                },
            },
            "columns": {
                "type": "object",
                "description": "the roles of columns",
                "default": {},
                "additionalProperties": False,
                "properties": {
                    "target": {**column, "description": "the true label or value"},
                    "prediction": {**column, "description": "the model's predicted label or value"},
                    "prediction_score": {
                        "type": ["string", "array", "null"],
                        "minLength": 1,
                        "items": {"type": "string", "minLength": 1},
                        "minItems": 1,
                        "uniqueItems": True,
                        "default": None,
                        "description": "the predicted probability of the positive class, or one column per class",
                    },
                    "pos_label": {"type": ["string", "number", "boolean", "null"], "default": None,
                                  "description": "the positive class; null: 1, or the larger of two labels"},
                    "sensitive_features": {"type": "array", "items": {"type": "string", "minLength": 1},
                                           "uniqueItems": True, "default": [], "description": "columns whose "
                                           "groups fairness and performance compare"},
                    "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
                                "default": [], "description": "columns left out of every section (identifiers, "
                                "timestamps)"},
                },
            },
            **{section: _section_schema(section) for section in SECTIONS},
        },
    }  # fmt: skip
