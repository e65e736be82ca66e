"""The audit's configuration and gates.

One configuration file (YAML or JSON, versioned JSON Schema) says what an audit checks and when
it fails; gates turn the sections' measurements into verdicts.

The pieces an audit runner calls::

    config = load_config("audit.yaml")              # or a dict, YAML/JSON text, None
    measurements = [...]                            # Measurement records of every section run
    results = evaluate_gates(config.gates(), measurements, skipped={"fairness": "no sensitive features"})
    passed(results)                                 # False when a gate failed: exit status 1

Sections report :class:`Measurement` records named with :data:`METRICS`; the configuration's
checks and ``gates:`` lists become :class:`Gate` objects (:meth:`AuditConfig.gates`);
:func:`evaluate_gates` gives :class:`GateResult` verdicts. ``assay config schema`` prints the
schema, ``assay config init`` writes :func:`config_template`. See docs/audit_config.md.
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
    PerformanceConfig,
    QualityConfig,
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
    "AuditConfig",
    "CheckConfig",
    "ColumnsConfig",
    "Comparison",
    "DataConfig",
    "DataSource",
    "DriftConfig",
    "ExplainConfig",
    "FairnessConfig",
    "Gate",
    "GateOverride",
    "GateResult",
    "Measurement",
    "PerformanceConfig",
    "QualityConfig",
    "ShareRule",
    "config_schema",
    "config_template",
    "default_config",
    "evaluate_gates",
    "load_config",
    "passed",
]
