"""Gate semantics: point values, interval bounds, comparisons, shares, NaN, severities."""

import math

import pytest
from assay._audit import (
    Comparison,
    Gate,
    GateResult,
    Measurement,
    ShareRule,
    evaluate_gates,
    load_config,
    passed,
)
from assay.errors import CorruptedStateError, InvalidInputError, InvalidTypeError

NAN = math.nan


def m(metric="x", subject="a", value=NAN, lower=NAN, upper=NAN, dataset="current", section="s", level=0.95, note=""):
    return Measurement(section, metric, subject, value, lower, upper, dataset, level, note)


def gate(op="<", threshold=0.5, **fields):
    fields.setdefault("name", "g")
    fields.setdefault("section", "s")
    fields.setdefault("metric", "x")
    return Gate(op=op, threshold=threshold, **fields)


def one(g, *measurements, **options):
    results = evaluate_gates([g], measurements, **options)
    assert len(results) == 1
    return results[0]


# --- point values and bounds ------------------------------------------------------------------


@pytest.mark.parametrize(
    "op, value, fails",
    [("<", 0.49, True), ("<", 0.5, False), ("<=", 0.5, True), ("<=", 0.51, False)]
    + [(">", 0.51, True), (">", 0.5, False), (">=", 0.5, True), (">=", 0.49, False)],
)
def test_point_value_against_threshold(op, value, fails):
    result = one(gate(op), m(value=value))
    assert result.verdict == ("fail" if fails else "pass")
    assert result.failed is fails and passed([result]) is not fails
    assert (result.value, result.threshold, result.subject, result.dataset) == (value, 0.5, "a", "current")
    assert result.condition == f"x {op} 0.5"


def test_interval_bounds_are_tested_and_named_with_their_level():
    dp = m("demographic_parity_ratio", "sex", value=0.84, lower=0.76, upper=0.93)
    lower = one(gate("<", 0.8, metric="demographic_parity_ratio", bound="lower"), dp)
    assert lower.verdict == "fail" and lower.value == 0.76 and lower.interval == (0.76, 0.93)
    assert lower.condition == "lower 95% bound of demographic_parity_ratio < 0.8"
    assert lower.reason == "lower 95% bound of demographic_parity_ratio is 0.76"
    upper = one(gate("<", 0.8, metric="demographic_parity_ratio", bound="upper"), dp)
    assert upper.verdict == "pass" and upper.value == 0.93
    point = one(gate("<", 0.8, metric="demographic_parity_ratio"), dp)
    assert point.verdict == "pass" and point.condition == "demographic_parity_ratio < 0.8"


def test_severities_decide_between_fail_and_warn():
    for severity, verdict in [("error", "fail"), ("warning", "warn"), ("info", "warn")]:
        result = one(gate(severity=severity), m(value=0.1))
        assert (result.verdict, result.severity, result.failed) == (verdict, severity, verdict == "fail")
    assert passed(evaluate_gates([gate(severity="warning"), gate(severity="info")], [m(value=0.1)]))
    assert passed([])


def test_warning_threshold_warns_before_the_threshold_fails():
    g = gate(">=", 0.5, warning_threshold=0.05)
    verdicts = [one(g, m(value=v)).verdict for v in (0.01, 0.05, 0.3, 0.5)]
    assert verdicts == ["pass", "warn", "warn", "fail"]
    assert one(g, m(value=0.3)).reason == "x is 0.3, >= warning threshold 0.05"
    with pytest.raises(InvalidInputError, match="^warning_threshold: 0.6 would fail before threshold 0.5"):
        gate(">=", 0.5, warning_threshold=0.6)


def test_per_subject_overrides_and_exclusions():
    g = gate(">", 0.2, overrides={"b": {"threshold": 0.9, "severity": "warning"}}, exclude=("c",))
    results = evaluate_gates([g], [m(subject="a", value=0.5), m(subject="b", value=0.5), m(subject="c", value=0.5)])
    assert [(r.subject, r.verdict) for r in results] == [("a", "fail"), ("b", "pass"), ("c", "skipped")]
    assert [r.threshold for r in results[:2]] == [0.2, 0.9]
    assert results[1].severity == "warning" and results[1].condition == "x > 0.9"
    assert results[2].reason == "excluded in the config" and not results[2].failed


def test_selection_by_subject_and_dataset():
    measurements = [m(subject=s, dataset=d, value=0.1) for s in ("a", "b") for d in ("reference", "current")]
    assert len(evaluate_gates([gate()], measurements)) == 4
    assert [(r.subject, r.dataset) for r in evaluate_gates([gate(subject="b", dataset="current")], measurements)] == [
        ("b", "current")
    ]
    other_section = m(section="other", value=0.1)
    assert one(gate(), other_section).verdict == "skipped"


# --- undefined is never a silent pass ---------------------------------------------------------


def test_nan_value_is_undefined_and_fails_at_severity_error_by_default():
    result = one(gate(), m(value=NAN, note="one class only"))
    assert result.verdict == "undefined" and result.failed and not passed([result])
    assert result.reason == "x is undefined: one class only"
    warning = one(gate(severity="warning"), m(value=NAN))
    assert warning.verdict == "undefined" and not warning.failed
    assert one(gate(undefined_fails=False), m(value=NAN)).failed is False
    assert one(gate(severity="info", undefined_fails=True), m(value=NAN)).failed is True


def test_a_missing_bound_is_undefined_even_with_a_value():
    result = one(gate(bound="lower"), m(value=0.9, note="n_boot is 0"))
    assert result.verdict == "undefined" and math.isnan(result.value) and result.interval is None
    assert result.reason == "lower 95% bound of x is undefined (no interval): n_boot is 0"


def test_a_named_subject_that_was_not_measured_is_undefined():
    result = one(gate(subject="tenur"), m(subject="tenure", value=0.1))
    assert result.verdict == "undefined" and result.failed
    assert result.reason == "no x measurement for subject 'tenur'"


def test_gates_with_nothing_to_test_are_skipped_with_a_reason():
    assert one(gate(), m(metric="y", value=0.1)).reason == "nothing measured: no x measurement in section s"
    disabled = one(gate(enabled=False), m(value=0.1))
    assert (disabled.verdict, disabled.reason) == ("skipped", "disabled in the config")
    skipped = one(gate(), m(value=0.1), skipped={"s": "no target column"})
    assert (skipped.verdict, skipped.reason) == ("skipped", "section s skipped: no target column")
    assert passed([disabled, skipped])


# --- comparisons ------------------------------------------------------------------------------


def auc(dataset, value, lower, upper, subject="overall"):
    return m("roc_auc", subject, value, lower, upper, dataset, section="performance")


def auc_gate(**fields):
    fields.setdefault("compare", Comparison(dataset="reference", bound="lower"))
    fields.setdefault("bound", "upper")
    return Gate("auc_drop", "performance", "roc_auc", "<", dataset="current", **fields)


def test_comparison_fails_when_current_upper_bound_is_under_reference_lower_bound():
    reference = auc("reference", 0.91, 0.89, 0.93)
    result = one(auc_gate(), reference, auc("current", 0.84, 0.81, 0.87))
    assert result.verdict == "fail"
    assert result.condition == "upper 95% bound of roc_auc (current) < lower 95% bound of roc_auc (reference)"
    assert (result.value, result.threshold, result.interval) == (0.87, 0.89, (0.81, 0.87))
    assert result.reason == (
        "upper 95% bound of roc_auc (current) is 0.87, lower 95% bound of roc_auc (reference) is 0.89"
    )
    overlapping = one(auc_gate(), reference, auc("current", 0.88, 0.85, 0.90))
    assert overlapping.verdict == "pass"


def test_comparison_with_an_offset_and_point_values():
    g = auc_gate(bound="value", compare=Comparison(dataset="reference", offset=-0.02))
    reference = auc("reference", 0.90, NAN, NAN)
    assert one(g, reference, auc("current", 0.875, NAN, NAN)).verdict == "fail"
    result = one(g, reference, auc("current", 0.885, NAN, NAN))
    assert result.verdict == "pass" and result.threshold == pytest.approx(0.88)
    assert result.condition == "roc_auc (current) < roc_auc (reference) - 0.02"


def test_comparison_pairs_subjects_and_skips_the_measurement_itself():
    g = Gate(
        "group_vs_overall",
        "performance",
        "roc_auc",
        "<",
        bound="upper",
        compare=Comparison(subject="overall", bound="lower"),
    )
    measurements = [
        auc("current", 0.9, 0.88, 0.92),
        auc("current", 0.7, 0.6, 0.8, subject="sex=F"),
        auc("current", 0.9, 0.85, 0.95, subject="sex=M"),
    ]
    results = evaluate_gates([g], measurements)
    assert [(r.subject, r.verdict) for r in results] == [("sex=F", "fail"), ("sex=M", "pass")]


def test_comparison_without_its_other_side_is_undefined():
    result = one(auc_gate(), auc("current", 0.84, 0.81, 0.87))
    assert result.verdict == "undefined" and result.failed
    assert result.reason == "no roc_auc measurement(s) of subject 'overall' on the reference data to compare with"
    nan_reference = one(auc_gate(), auc("reference", 0.9, NAN, NAN), auc("current", 0.84, 0.81, 0.87))
    assert nan_reference.verdict == "undefined"
    assert nan_reference.reason == "lower 95% bound of roc_auc (reference) is undefined"
    twice = [auc("reference", 0.9, 0.8, 0.95)] * 2 + [auc("current", 0.84, 0.81, 0.87)]
    assert "2 roc_auc measurement(s)" in one(auc_gate(), *twice).reason


# --- shares -----------------------------------------------------------------------------------


def drifted(column, flag, dataset=None):
    return Measurement("drift", "drifted", column, flag, dataset=dataset)


def share_gate(op=">", threshold=0.3, **fields):
    return Gate("drifted_share", "drift", "drifted", op, threshold, share=fields.pop("share", ShareRule()), **fields)


def test_share_of_flagged_subjects():
    columns = [drifted(f"c{i}", 1.0 if i < 3 else 0.0) for i in range(10)]
    at = one(share_gate(), *columns)
    assert (at.verdict, at.value, at.subject) == ("pass", 0.3, None)  # 30% is not more than 30%
    assert at.condition == "share of subjects with drifted != 0 > 0.3"
    assert at.reason == "3 of 10 subjects flagged (share 0.3)"
    assert one(share_gate(">="), *columns).verdict == "fail"
    more = one(share_gate(), *columns, drifted("c10", 1.0))
    assert more.verdict == "fail" and more.value == pytest.approx(4 / 11)


def test_share_leaves_out_undefined_and_excluded_subjects():
    columns = [drifted("a", 1.0), drifted("b", 0.0), drifted("c", NAN), drifted("id", 1.0)]
    result = one(share_gate(exclude=("id",)), *columns)
    assert result.value == 0.5 and result.reason == "1 of 2 subjects flagged (share 0.5); 1 undefined left out"
    undefined = one(share_gate(), drifted("a", NAN), drifted("b", NAN))
    assert undefined.verdict == "undefined" and undefined.failed
    assert one(share_gate(exclude=("a",)), drifted("a", 1.0)).verdict == "skipped"


def test_share_with_a_flag_condition_gives_one_result_per_dataset():
    rule = ShareRule(op=">=", threshold=0.05)
    g = Gate("many_missing", "quality", "missing", ">", 0.25, share=rule)
    measurements = [
        Measurement("quality", "missing", c, v, dataset=d)
        for d, values in (("reference", (0.0, 0.0, 0.1, 0.0)), ("current", (0.2, 0.3, 0.0, 0.0)))
        for c, v in zip("abcd", values)
    ]
    results = evaluate_gates([g], measurements)
    assert [(r.dataset, r.value, r.verdict) for r in results] == [("reference", 0.25, "pass"), ("current", 0.5, "fail")]
    assert results[0].condition == "share of subjects with missing >= 0.05 > 0.25"


# --- records and validation -------------------------------------------------------------------


def test_results_and_measurements_round_trip_through_dicts():
    results = evaluate_gates(
        [gate(bound="lower"), gate(severity="warning")], [m(value=0.4, lower=0.3, upper=0.6), m(subject="b")]
    )
    for result in results:
        state = result.to_dict()
        assert GateResult.from_dict(state) == result or math.isnan(result.value)
        assert state["failed"] is result.failed
    undefined = [r for r in results if r.verdict == "undefined"][0]
    assert undefined.to_dict()["value"] is None and GateResult.from_dict(undefined.to_dict()).verdict == "undefined"
    measurement = m(value=0.4, lower=0.3, upper=NAN, note="n")
    restored = Measurement.from_dict(measurement.to_dict())
    assert restored.key == measurement.key and restored.value == 0.4 and math.isnan(restored.upper)
    with pytest.raises(CorruptedStateError, match="^gate result: "):
        GateResult.from_dict({"name": "g"})
    with pytest.raises(CorruptedStateError, match="^measurement: "):
        Measurement.from_dict({"section": "s", "metric": "x", "dataset": "future"})
    with pytest.raises(CorruptedStateError):
        Measurement.from_dict([1])


def test_invalid_gates_and_measurements_name_the_field():
    with pytest.raises(InvalidInputError, match=r"^op: expected one of .*got '=' \(gate 'g'\)"):
        gate("=")
    with pytest.raises(InvalidInputError, match="^threshold: missing; a gate needs a threshold or compare"):
        Gate("g", "s", "x", "<")
    with pytest.raises(InvalidInputError, match="^compare: a comparison takes no threshold"):
        gate(compare=Comparison(dataset="reference"))
    with pytest.raises(InvalidInputError, match="^compare: name the other measurement"):
        Comparison()
    with pytest.raises(InvalidInputError, match="^subject: a share gate tests every subject"):
        gate(share=ShareRule(), subject="a")
    with pytest.raises(InvalidInputError, match="^overrides: only threshold gates"):
        gate(share=ShareRule(), overrides={"a": {"severity": "info"}})
    with pytest.raises(InvalidInputError, match="^threshold: expected a finite number"):
        gate(threshold=NAN)
    with pytest.raises(InvalidInputError, match="^Measurement.dataset: expected one of"):
        m(dataset="test")
    with pytest.raises(InvalidInputError, match=r"^Measurement.confidence_level: expected a number in \(0, 1\)"):
        m(level=95)
    with pytest.raises(InvalidTypeError, match="^Measurement.value: expected a number"):
        m(value="high")
    with pytest.raises(InvalidTypeError, match="^measurements: expected Measurement records"):
        evaluate_gates([gate()], [{"value": 1}])
    assert math.isnan(Measurement("s", "x", value=None).value)


# --- from a configuration ---------------------------------------------------------------------


def test_leakage_decision_and_exclusion_from_the_config():
    # A strong but honest feature of a small sample: point score 0.83, interval [0.71, 0.91].
    strong = Measurement("quality", "target_leakage", "worst_radius", 0.83, 0.71, 0.91, "current", 0.95)
    leaky = Measurement("quality", "target_leakage", "label_copy", 1.0, 0.98, 1.0, "current", 0.95)

    def verdicts(settings):
        gates = [g for g in load_config(settings).gates() if g.name == "quality.target_leakage"]
        return {r.subject: r.verdict for r in evaluate_gates(gates, [strong, leaky])}

    assert verdicts({}) == {"worst_radius": "pass", "label_copy": "fail"}
    point = {"quality": {"checks": {"target_leakage": {"decision": "point"}}}}
    assert verdicts(point) == {"worst_radius": "fail", "label_copy": "fail"}
    excluded = {"quality": {"checks": {"target_leakage": {"decision": "point", "exclude": ["worst_radius"]}}}}
    assert verdicts(excluded) == {"worst_radius": "skipped", "label_copy": "fail"}


def test_default_config_on_a_small_audit():
    measurements = [
        Measurement("quality", "missing", "income", 0.12, dataset="current"),
        Measurement("quality", "missing", "age", 0.0, dataset="current"),
        *[Measurement("drift", "drifted", c, f) for c, f in [("age", 1.0), ("income", 0.0), ("plan", 0.0)]],
        Measurement("fairness", "selection_rate_ratio", "sex=F", 0.7, 0.62, 0.79, "current", 0.95),
        Measurement("fairness", "demographic_parity_difference", "sex", NAN, NAN, NAN, "current", 0.95, "one group"),
        Measurement("performance", "roc_auc", "overall", 0.9, 0.88, 0.92, "reference", 0.95),
        Measurement("performance", "roc_auc", "overall", 0.89, 0.87, 0.91, "current", 0.95),
    ]
    results = evaluate_gates(load_config().gates(), measurements, skipped={"explain": "no model"})
    by_name = {}
    for result in results:
        by_name.setdefault(result.name, []).append(result)
    assert [r.verdict for r in by_name["quality.missing"]] == ["warn", "pass"]
    assert [r.verdict for r in by_name["drift.drifted_share"]] == ["pass"]  # 1 of 3 < 0.5
    assert [r.verdict for r in by_name["fairness.four_fifths"]] == ["fail"]  # upper bound 0.79 < 0.8
    dp = by_name["fairness.demographic_parity_difference"][0]
    assert dp.verdict == "undefined" and not dp.failed  # a warning-severity check
    assert [r.verdict for r in by_name["performance.degradation.roc_auc"]] == ["pass"]
    assert [r.verdict for r in by_name["performance.degradation.rmse"]] == ["skipped"]
    assert [r.verdict for r in by_name["fairness.demographic_parity_ratio"]] == ["skipped"]  # disabled by default
    assert not passed(results) and [r.name for r in results if r.failed] == ["fairness.four_fifths"]
