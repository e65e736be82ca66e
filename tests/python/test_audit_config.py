"""The audit configuration: schema, defaults, key-path errors, versions, gates it makes, CLI."""

import dataclasses
import json
import subprocess
import sys

import assay
import jsonschema
import pytest
import yaml
from assay import _audit as audit
from assay import cli, drift, fairness
from assay._audit._schema import FAIRNESS_DISPARITIES, FAIRNESS_GROUP_METRICS
from assay.errors import InvalidInputError, InvalidTypeError, MissingDependencyError


def _error(source):
    with pytest.raises(InvalidInputError) as caught:
        audit.load_config(source)
    return str(caught.value)


# --- schema and defaults ----------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema_and_the_defaults_validate():
    schema = audit.config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator(schema).validate(audit.default_config())
    assert "fails when its condition holds" in schema["description"]  # the gate grammar is documented
    gate = schema["properties"]["fairness"]["properties"]["gates"]["items"]
    assert "undefined" in gate["description"] and set(gate["properties"]["op"]["enum"]) == {"<", "<=", ">", ">="}


def test_template_parses_to_exactly_the_defaults():
    assert yaml.safe_load(audit.config_template()) == audit.default_config()
    assert audit.load_config(audit.config_template()) == audit.load_config()


def test_defaults_use_the_engines_words_and_values():
    config = audit.load_config()
    assert config.version == 1 and config.seed == 0 and config.confidence_level == 0.95
    thresholds = assay.quality.default_thresholds()
    checks = config.quality.checks
    assert checks["missing"].threshold == thresholds["missing_error"]
    assert checks["missing"].warning_threshold == thresholds["missing_warning"]
    assert checks["near_constant"].threshold == thresholds["near_constant"]
    assert checks["outliers_iqr"].options["iqr_k"] == thresholds["outlier_iqr_k"]
    assert checks["outliers_mad"].options["mad_z"] == thresholds["outlier_mad_z"]
    assert checks["outliers_iqr"].threshold == thresholds["outlier_rate"]
    assert checks["high_cardinality"].threshold == thresholds["high_cardinality"]
    assert checks["high_cardinality"].options["ratio"] == thresholds["high_cardinality_ratio"]
    assert checks["class_imbalance"].threshold == thresholds["imbalance_below"]
    leakage = checks["target_leakage"]
    assert leakage.threshold == thresholds["leakage"] and leakage.decision == "bound"
    assert leakage.options == {"bins": thresholds["leakage_bins"], "min_support": thresholds["leakage_min_support"]}
    assert config.drift.method == {"numeric": "auto", "categorical": "auto"}
    assert config.drift.checks["drifted_share"].threshold == 0.5  # drift.report's drift_share
    assert config.fairness.checks["four_fifths"].threshold == 0.8 and config.fairness.min_support == 30
    # Sections inherit the shared settings.
    for section in ("performance", "fairness", "explain"):
        assert config.section(section).n_boot == config.n_boot == 1000
    for section in ("quality", "performance", "fairness", "explain"):
        assert config.section(section).confidence_level == 0.95


def test_vocabularies_match_the_engines():
    for name in FAIRNESS_GROUP_METRICS + FAIRNESS_DISPARITIES:
        assert callable(getattr(fairness, name)), name
        assert name in audit.METRICS["fairness"]
    schema = audit.config_schema()["properties"]["drift"]["properties"]["method"]["properties"]
    assert set(schema["numeric"]["enum"]) == {"auto", *drift.TESTS}
    assert set(schema["categorical"]["enum"]) < set(schema["numeric"]["enum"])
    assert "ks" not in schema["categorical"]["enum"] and "chisquare" in schema["categorical"]["enum"]
    current, reference = assay.datasets.make_quality_demo(2000, seed=3)
    report = assay.check(current, target="churned", reference=reference)
    found = {f.check for f in report.findings if not f.check.startswith("rule_")}
    assert found and found <= set(audit.METRICS["quality"])


def test_inherited_settings_resolve_and_sections_can_override_them():
    config = audit.load_config(
        {"n_boot": 50, "confidence_level": 0.9, "columns": {"sensitive_features": ["sex"]}, "explain": {"n_boot": 7}}
    )
    assert config.fairness.n_boot == 50 and config.explain.n_boot == 7 and config.fairness.confidence_level == 0.9
    assert config.fairness.sensitive_features == ("sex",)
    assert audit.load_config({"fairness": {"sensitive_features": []}}).fairness.sensitive_features == ()


def test_yaml_json_and_dict_agree(tmp_path):
    settings = {
        "seed": 7,
        "columns": {"target": "churned", "prediction_score": "p", "sensitive_features": ["sex", "age band"]},
        "quality": {"checks": {"target_leakage": {"exclude": ["tenure"], "decision": "point"}}},
        "fairness": {"gates": [{"metric": "demographic_parity_ratio", "bound": "lower", "op": "<", "threshold": 0.8}]},
    }
    text_yaml = yaml.safe_dump(settings)
    (tmp_path / "a.yaml").write_text(text_yaml)
    (tmp_path / "a.json").write_text(json.dumps(settings, indent="\t"))  # tabs: JSON, not YAML
    configs = [
        audit.load_config(settings),
        audit.load_config(text_yaml),
        audit.load_config(json.dumps(settings)),
        audit.load_config(tmp_path / "a.yaml"),
        audit.load_config(str(tmp_path / "a.json")),
    ]
    assert all(c == configs[0] for c in configs)
    assert configs[0].columns.prediction_score == ("p",)
    assert configs[3].source == str(tmp_path / "a.yaml")


def test_to_dict_round_trips_and_is_json():
    config = audit.load_config({"drift": {"checks": {"column_drift": {"overrides": {"age": {"method": "ks"}}}}}})
    again = audit.load_config(json.loads(config.to_json()))
    assert again == config and again.to_dict() == config.to_dict()
    assert config.drift.tests() == {"age": "ks"} and config.drift.thresholds() == {}


def test_config_is_read_only():
    config = audit.load_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 3
    with pytest.raises(TypeError):
        config.quality.checks["missing"] = None
    with pytest.raises(TypeError):
        config.drift.method["numeric"] = "ks"


def test_data_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "audit.yaml").write_text(
        "data:\n  reference: {path: ../data/train.parquet}\n  current: {path: /abs/cur.txt, format: csv}\n"
    )
    config = audit.load_config(tmp_path / "conf" / "audit.yaml")
    assert config.data.reference.path == str(tmp_path / "data" / "train.parquet")
    assert config.data.reference.format == "parquet"
    assert config.data.current == audit.DataSource("/abs/cur.txt", "csv", None)


def test_numpy_scalars_and_paths_in_a_dict_are_accepted(tmp_path):
    import numpy as np

    config = audit.load_config({"n_boot": np.int64(5), "data": {"current": {"path": tmp_path / "c.csv"}}})
    assert config.n_boot == 5 and type(config.n_boot) is int
    assert config.data.current.path == str(tmp_path / "c.csv")


# --- errors name the key path -----------------------------------------------------------------


def test_wrong_type_in_a_nested_list_names_the_index():
    gate = {"metric": "demographic_parity_ratio", "op": "<", "threshold": 0.8}
    message = _error({"fairness": {"gates": [gate, gate, {**gate, "threshold": "x"}]}})
    assert message == 'fairness.gates[2].threshold: expected a number, got "x"'


def test_unknown_keys_are_errors_with_the_closest_valid_key():
    message = _error({"quality": {"checks": {"missng": {}}}})
    assert message.startswith('quality.checks.missng: unknown key (did you mean "missing"?); valid keys: missing,')
    assert _error({"seeed": 1}).startswith('seeed: unknown key (did you mean "seed"?)')
    message = _error({"quality": {"checks": {"missing": {"overrides": {"my col": {"treshold": 0.1}}}}}})
    assert message.startswith('quality.checks.missing.overrides["my col"].treshold: unknown key (did you mean')


def test_wrong_values_name_the_path_and_the_choices():
    message = _error({"quality": {"checks": {"missing": {"severity": "eror"}}}})
    assert message == (
        'quality.checks.missing.severity: expected one of "info", "warning", "error", got "eror" '
        '(did you mean "error"?)'
    )
    assert _error({"quality": {"checks": {"missing": {"threshold": 1.5}}}}) == (
        "quality.checks.missing.threshold: expected a number in [0, 1], got 1.5"
    )
    assert _error({"confidence_level": 1}) == "confidence_level: expected a number in (0, 1), got 1"
    assert _error({"n_boot": 2.5}) == "n_boot: expected an integer, got 2.5"
    assert _error({"columns": {"sensitive_features": "sex"}}) == (
        'columns.sensitive_features: expected a list, got "sex"'
    )
    assert _error({"quality": {"checks": {"missing": {"exclude": ["a", "a"]}}}}) == (
        'quality.checks.missing.exclude: "a" is listed twice'
    )
    assert _error({"n_boot": float("nan")}) == "n_boot: expected a finite number, got nan"
    assert _error({"quality": {1: True}}) == "quality: keys must be strings, got 1 (quote it)"


def test_every_problem_is_reported_on_its_own_line():
    lines = _error({"seed": True, "n_boot": -1, "drift": {"method": {"numeric": "kss"}}}).splitlines()
    assert lines == [
        "seed: expected an integer, got true",
        "n_boot: expected an integer >= 0, got -1",
        'drift.method.numeric: expected one of "auto", "ks", "wasserstein", "psi", "jensenshannon", "kl_div", '
        '"hellinger", "tvd", "chisquare", "g_test", "z", "fisher_exact", "anderson", "cramer_von_mises", '
        '"energy_distance", "mannw", "es", "ed", "t_test", "mannwhitneyu", "TVD", "empirical_mmd", '
        'got "kss" (did you mean "ks"?)',
    ]


def test_gate_grammar_errors():
    gates = "fairness.gates[0]"

    def gate_error(**gate):
        return _error({"fairness": {"gates": [{"metric": "selection_rate", "op": "<", **gate}]}})

    assert gate_error() == f"{gates}: a gate needs a threshold (or compare)"
    assert gate_error(threshold=1, compare={"dataset": "reference"}) == (
        f"{gates}: a gate with compare takes no threshold, warning_threshold or share"
    )
    assert gate_error(compare={"bound": "lower"}) == (
        f"{gates}.compare: name the other measurement's metric, subject or dataset"
    )
    assert gate_error(threshold=0.1, share={"op": ">"}) == (
        f"{gates}.share: give op and threshold together (or neither: flagged when non-zero)"
    )
    assert gate_error(threshold=0.1, share=True, subject="sex") == (
        f"{gates}.subject: a share gate tests every subject; it takes no subject"
    )
    assert gate_error(threshold=0.5, warning_threshold=0.4) == (
        f"{gates}.warning_threshold: 0.4 would warn after threshold 0.5 fails; it must lie on the passing side"
    )
    assert gate_error(op="=", threshold=1).startswith(f'{gates}.op: expected one of "<", "<=", ">", ">=", got "="')
    assert 'got "selection_rat" (did you mean "selection_rate"?)' in gate_error(metric="selection_rat", threshold=1)
    assert _error({"quality": {"gates": [{"metric": "missing"}]}}).splitlines() == [
        "quality.gates[0].op: required key missing",
        "quality.gates[0]: a gate needs a threshold (or compare)",
    ]


def test_relations_between_keys_are_checked():
    assert _error({"quality": {"checks": {"missing": {"threshold": 0.1, "warning_threshold": 0.2}}}}).startswith(
        "quality.checks.missing.warning_threshold: 0.2 would warn after threshold 0.1 fails"
    )
    assert _error({"fairness": {"checks": {"four_fifths": {"warning_threshold": 0.7}}}}).startswith(
        "fairness.checks.four_fifths.warning_threshold: 0.7 would warn after threshold 0.8 fails"
    )
    assert _error({"drift": {"threshold": 3}}).startswith("drift.threshold: 3 is compared with p-values")
    assert audit.load_config({"drift": {"threshold": 3, "method": {"numeric": "psi", "categorical": "psi"}}})
    assert _error({"data": {"reference": {"path": "x.txt"}}}) == (
        'data.reference.path: cannot tell the format of "x.txt" from its extension; set data.reference.format'
    )
    assert _error({"columns": {"target": "y", "prediction": "y"}}) == (
        'columns.prediction: column "y" is already the target'
    )
    assert _error({"columns": {"target": "y", "exclude": ["y"]}}) == (
        'columns.exclude: column "y" is excluded but also the target'
    )
    named = {"metric": "missing", "op": ">", "threshold": 0.1}
    assert _error({"quality": {"gates": [{**named, "name": "quality.missing"}]}}) == (
        'quality.gates[0].name: "quality.missing" is already the name of quality.checks.missing'
    )
    assert _error({"quality": {"gates": [{**named, "name": "a"}, {**named, "name": "a"}]}}) == (
        'quality.gates[1].name: "a" is already the name of quality.gates[0]'
    )


def test_yaml_errors_give_the_file_and_line(tmp_path):
    path = tmp_path / "audit.yaml"
    path.write_text(
        "version: 1\nfairness:\n  gates:\n    - metric: selection_rate\n      op: '<'\n      threshold: x\n"
        "      severty: warning\n"
    )
    assert _error(path).splitlines() == [
        f'fairness.gates[0].threshold: expected a number, got "x" ({path}, line 6)',
        f'fairness.gates[0].severty: unknown key (did you mean "severity"?); valid keys: name, metric, subject, '
        f"dataset, bound, op, threshold, warning_threshold, compare, share, exclude, severity, undefined_fails, "
        f"enabled ({path}, line 7)",
    ]
    path.write_text("quality:\n  checks: [1,\n")
    assert _error(path).startswith(f"{path}, line 3, column 1: not valid YAML:")
    path.write_text("quality:\n  enabled: true\n  enabled: false\n")
    assert _error(path) == f'{path}, line 3, column 3: not valid YAML: key "enabled" appears twice in the same mapping'
    path.write_text("- 1\n- 2\n")
    assert _error(path) == f"config: expected a mapping of settings, got [1, 2] ({path}, line 1)"


def test_json_and_file_errors_name_the_file(tmp_path):
    path = tmp_path / "audit.json"
    path.write_text('{"quality": {"enabled": tru}}')
    assert _error(path) == f"{path}, line 1, column 25: not valid JSON: Expecting value"
    path.write_text('{"seed": 1, "seed": 2}')
    assert _error(path) == f'{path}: key "seed" appears twice in the same object'
    path.write_text('{"n_boot": NaN}')
    assert _error(path) == f"{path}: NaN is not a JSON number; give a finite number"
    assert _error(tmp_path / "none.yaml") == f"{tmp_path / 'none.yaml'}: no such file"
    assert _error(tmp_path) == f"{tmp_path}: not a file (a directory?)"
    (tmp_path / "bin.yaml").write_bytes(b"seed: \xff\n")
    assert _error(tmp_path / "bin.yaml").startswith(f"{tmp_path / 'bin.yaml'}: not UTF-8 text")
    with pytest.raises(InvalidTypeError, match="^source: expected a file path"):
        audit.load_config(42)


def test_yaml_reads_exponents_as_numbers_and_an_empty_file_as_the_defaults(tmp_path):
    config = audit.load_config("quality:\n  checks:\n    missing: {threshold: 1e-1, warning_threshold: 5E-2}\n")
    assert config.quality.checks["missing"].threshold == 0.1
    (tmp_path / "empty.yaml").write_text("# nothing yet\n")
    assert audit.load_config(tmp_path / "empty.yaml") == audit.load_config()


def test_versions():
    assert audit.CONFIG_VERSIONS == (1,)
    assert audit.load_config({"version": 1}) == audit.load_config({})
    assert _error({"version": 2}) == f"version: assay {assay.__version__} reads configuration version 1, got 2"
    # An unknown version is reported alone: its other keys follow another schema.
    assert _error({"version": 0, "brand_new_section": {}}).startswith("version: assay")
    assert _error({"version": "1"}) == 'version: expected an integer, got "1" (this assay reads version 1)'


def test_missing_dependencies_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    with pytest.raises(MissingDependencyError, match=r"jsonschema.*assay\[audit\]"):
        audit.load_config({})
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(MissingDependencyError, match=r"PyYAML.*assay\[audit\]"):
        audit.load_config("seed: 1\n")


# --- the gates a configuration makes -----------------------------------------------------------


def _gates(config):
    return {g.name: g for g in config.gates()}


def test_every_check_makes_one_gate_with_unique_names():
    gates = audit.load_config().gates()
    names = [g.name for g in gates]
    assert len(names) == len(set(names))
    assert {"quality.missing", "drift.drifted_share", "fairness.four_fifths"} <= set(names)
    assert "performance.degradation.roc_auc" in names
    missing = _gates(audit.load_config())["quality.missing"]
    assert (missing.metric, missing.op, missing.threshold, missing.warning_threshold) == ("missing", ">=", 0.5, 0.05)


def test_decision_bound_tests_the_bound_least_favourable_to_failing():
    gates = _gates(audit.load_config())
    assert gates["quality.target_leakage"].bound == "lower"  # fails when lower >= 0.8
    assert gates["fairness.four_fifths"].bound == "upper"  # fails when upper < 0.8
    assert gates["fairness.demographic_parity_difference"].bound == "lower"  # fails when lower > 0.1
    point = audit.load_config({"quality": {"checks": {"target_leakage": {"decision": "point"}}}})
    assert _gates(point)["quality.target_leakage"].bound == "value"


def test_degradation_compares_current_with_reference_in_each_metrics_direction():
    gates = _gates(audit.load_config())
    auc, rmse = gates["performance.degradation.roc_auc"], gates["performance.degradation.rmse"]
    assert (auc.dataset, auc.op, auc.bound, auc.compare) == (
        "current",
        "<",
        "upper",
        audit.Comparison(dataset="reference", bound="lower"),
    )
    assert (rmse.op, rmse.bound, rmse.compare.bound) == (">", "lower", "upper")
    point = audit.load_config({"performance": {"checks": {"degradation": {"decision": "point", "metrics": ["r2"]}}}})
    assert [g.name for g in point.gates() if g.section == "performance"] == ["performance.degradation.r2"]
    assert _gates(point)["performance.degradation.r2"].compare.bound == "value"


def test_exclusions_overrides_and_disabled_checks_reach_the_gates():
    config = audit.load_config(
        {
            "quality": {
                "checks": {
                    "target_leakage": {"exclude": ["tenure"]},
                    "missing": {"overrides": {"notes": {"threshold": 0.9, "severity": "warning"}}},
                    "constant": {"enabled": False},
                }
            },
            "drift": {"checks": {"column_drift": {"exclude": ["id"], "overrides": {"age": {"method": "ks"}}}}},
            "explain": {"enabled": False, "gates": [{"metric": "mean_abs_shap", "op": ">", "threshold": 0.1}]},
        }
    )
    gates = _gates(config)
    assert gates["quality.target_leakage"].exclude == ("tenure",)
    assert gates["quality.missing"].overrides["notes"] == audit.GateOverride(0.9, None, "warning")
    assert not gates["quality.constant"].enabled and gates["quality.missing"].enabled
    assert gates["drift.drifted_share"].exclude == ("id",)  # left out of the share too
    assert "age" not in gates["drift.column_drift"].overrides  # the method is the engine's, not the gate's
    assert gates["explain.gates[0]"].enabled is False  # the section is disabled


def test_listed_gates_are_named_by_their_place_unless_named():
    gate = {"metric": "missing", "op": ">", "threshold": 0.2}
    config = audit.load_config({"quality": {"gates": [gate, gate, {**gate, "name": "mine"}]}})
    assert [g.name for g in config.quality.gates] == ["quality.gates[0]", "quality.gates[1]", "mine"]
    assert _error({"quality": {"gates": [gate, {**gate, "name": "quality.gates[0]"}]}}) == (
        'quality.gates[1].name: "quality.gates[0]" is already the name of quality.gates[0]'
    )
    compare = {"metric": "roc_auc", "op": "<", "dataset": "current", "compare": {"dataset": "reference"}}
    (built,) = audit.load_config({"performance": {"gates": [compare]}}).performance.gates
    back = audit.Comparison(dataset="reference")
    expected = audit.Gate("performance.gates[0]", "performance", "roc_auc", "<", dataset="current", compare=back)
    assert built == expected


# --- the command line -------------------------------------------------------------------------


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "assay.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_config_schema_prints_the_schema():
    result = _run("config", "schema")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == audit.config_schema()


def test_cli_config_init_writes_a_valid_commented_default(tmp_path):
    result = _run("config", "init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "audit.yaml").read_text()
    assert written == audit.config_template() and written.startswith("#")
    jsonschema.Draft202012Validator(audit.config_schema()).validate(yaml.safe_load(written))
    assert _run("config", "validate", "audit.yaml", cwd=tmp_path).returncode == 0
    again = _run("config", "init", cwd=tmp_path)  # never overwrites silently
    assert again.returncode == 2 and "pass --force" in again.stderr
    assert _run("config", "init", "--force", str(tmp_path / "audit.yaml")).returncode == 0
    assert _run("config", "init", "-").stdout == audit.config_template()


def test_cli_exits_2_on_a_bad_config(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("fairness:\n  gates:\n    - {metric: selection_rate, op: '<', threshold: x}\n")
    assert cli.main(["config", "validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f'assay: fairness.gates[0].threshold: expected a number, got "x" ({path}, line 3)\n'
    )
    assert cli.main(["config", "validate", str(tmp_path / "none.yaml")]) == 2
    result = _run("config", "validate", str(path))
    assert result.returncode == 2 and result.stderr.startswith("assay: fairness.gates[0].threshold")
    with pytest.raises(SystemExit) as usage:
        cli.main(["config"])
    assert usage.value.code == 2
