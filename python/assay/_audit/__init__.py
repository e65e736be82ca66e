"""The audit: one run of every engine on a reference and a current dataset, its configuration
and its gates (public as ``assay.audit``, ``assay.Audit``, ``assay.load_audit_config``, ...).

One configuration file (YAML or JSON, versioned JSON Schema) says what an audit checks and when
it fails; :func:`audit` runs the sections (``sections/``: quality, drift, performance,
fairness, explain), each reporting :class:`Measurement` records named with :data:`METRICS`;
the configuration's checks and ``gates:`` lists become :class:`Gate` objects
(:meth:`AuditConfig.gates`) and :func:`evaluate_gates` gives :class:`GateResult` verdicts::

    config = load_config("audit.yaml")              # or a dict, YAML/JSON text, None
    result = audit(reference, current, model=model, config=config)
    result.passed                                   # False when a gate failed: exit status 1

``assay config schema`` prints the schema, ``assay config init`` writes
:func:`config_template`, ``assay audit`` runs an audit. See docs/audit.md and
docs/audit_config.md.
"""

from __future__ import annotations

from ._config import (
    AuditConfig,
    CheckConfig,
    ColumnsConfig,
    DataConfig,
    DataSource,
    DriftConfig,
    ExplainConfig,
    FairnessConfig,
    ModelConfig,
    PerformanceConfig,
    QualityConfig,
    ReviewConfig,
    config_schema,
    config_template,
    default_config,
    load_config,
)
from ._gates import (
    BOUNDS,
    DATASETS,
    OPERATORS,
    OVERALL,
    SEVERITIES,
    TABLE,
    VERDICTS,
    Comparison,
    Gate,
    GateOverride,
    GateResult,
    Measurement,
    ShareRule,
    evaluate_gates,
    passed,
)
from ._result import Audit, card_schema
from ._runner import audit
from ._schema import CONFIG_VERSIONS, HIGHER_IS_BETTER, METRICS, PERFORMANCE_TASK_METRICS, SECTIONS

__all__ = [
    "BOUNDS",
    "CONFIG_VERSIONS",
    "DATASETS",
    "HIGHER_IS_BETTER",
    "METRICS",
    "OPERATORS",
    "OVERALL",
    "PERFORMANCE_TASK_METRICS",
    "SECTIONS",
    "SEVERITIES",
    "TABLE",
    "VERDICTS",
    "Audit",
    "AuditConfig",
    "CheckConfig",
    "ColumnsConfig",
    "ModelConfig",
    "Comparison",
    "DataConfig",
    "DataSource",
    "DriftConfig",
    "ExplainConfig",
    "ReviewConfig",
    "FairnessConfig",
    "Gate",
    "GateOverride",
    "GateResult",
    "Measurement",
    "PerformanceConfig",
    "QualityConfig",
    "ShareRule",
    "audit",
    "card_schema",
    "config_schema",
    "config_template",
    "default_config",
    "evaluate_gates",
    "load_config",
    "passed",
]
