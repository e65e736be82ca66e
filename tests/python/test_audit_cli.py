"""``assay audit``: exit statuses 0 / 1 / 2, the JSON and markdown outputs, data and model files,
configuration errors and a missing optional dependency."""

import json
import subprocess
import sys

import jsonschema
import numpy as np
import pandas as pd
import pytest
from assay import Audit, cli
from assay._audit import card_schema


def _data(n, rng, shift=0.0):
    x0 = rng.normal(shift, 1.0, n)
    x1 = rng.normal(size=n)
    y = (x0 + x1 + rng.normal(size=n) > 0).astype(int)
    p = 1 / (1 + np.exp(-(x0 + x1)))
    return pd.DataFrame(
        {"x0": x0, "x1": x1, "x2": rng.normal(size=n), "sex": rng.choice(["F", "M"], n), "y": y, "p": p}
    ).assign(label=lambda d: (d["p"] > 0.5).astype(int))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit_cli")
    rng = np.random.default_rng(5)
    _data(600, rng).to_csv(folder / "reference.csv", index=False)
    _data(600, rng).to_parquet(folder / "current.parquet")
    drifted = _data(600, rng, shift=2.0)
    drifted["x1"] += 2.0
    drifted.to_csv(folder / "drifted.csv", index=False)
    (folder / "audit.yaml").write_text(
        "n_boot: 30\n"
        "data:\n  reference: {path: reference.csv}\n  current: {path: current.parquet}\n"
        "columns: {target: y, prediction: label, prediction_score: p, sensitive_features: [sex]}\n",
        encoding="utf-8",
    )
    return folder


def _run(*args, cwd=None, code=None):
    command = [sys.executable, "-m", "assay.cli", *args] if code is None else [sys.executable, "-c", code, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


def test_passing_audit_from_the_config_exits_0_and_writes_the_card(files, tmp_path, capsys):
    json_path, markdown_path, html_path = tmp_path / "card.json", tmp_path / "card.md", tmp_path / "card.html"
    arguments = ["--json", str(json_path), "--markdown", str(markdown_path), "--html", str(html_path)]
    status = cli.main(["audit", "--config", str(files / "audit.yaml"), *arguments])
    out = capsys.readouterr().out
    assert status == 0, out
    assert out.startswith("assay audit: PASSED")
    state = json.loads(json_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(card_schema()).validate(state)
    assert state["assay"]["passed"] is True
    assert Audit.from_json(json_path).to_dict() == state
    assert markdown_path.read_text(encoding="utf-8").startswith("## assay audit: PASSED")
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "assay model card" in page
    assert state["assay"]["lineage"]["data"]["current"]["source"] == str(files / "current.parquet")


def test_failed_gate_exits_1_with_flags(files, capsys):
    status = cli.main(
        [
            "audit",
            "--reference", str(files / "reference.csv"),
            "--current", str(files / "drifted.csv"),
            "--target", "y",
            "--prediction", "label",
            "--sensitive", "sex",
            "--markdown", "-",
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out.startswith("## assay audit: FAILED")  # stdout holds the markdown only
    assert "`drift.drifted_share`" in captured.out
    assert captured.err.startswith("assay audit: FAILED") and "drift.drifted_share" in captured.err


def test_json_on_stdout_is_strict_json(files):
    done = _run("audit", "--config", str(files / "audit.yaml"), "--json", "-")
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    assert state["schema_version"] == "0.0.2" and "assay" in state
    assert "assay audit: PASSED" in done.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--reference", "missing.csv", "--current", "current.parquet"], "reference missing.csv: no such file"),
        (["--reference", "audit.yaml", "--current", "current.parquet"], "unsupported file type '.yaml'"),
        (["--reference", "reference.csv", "--current", "current.parquet", "--target", "nope"], "target: no column"),
        (["--config", "audit.yaml", "--model", "reference.csv"], "model: reference.csv: unsupported model file type"),
        (["--current", "current.parquet"], "reference: no data; pass a table or set data.reference.path"),
    ],
)
def test_input_errors_exit_2(files, arguments, message, capsys, monkeypatch):
    monkeypatch.chdir(files)
    assert cli.main(["audit", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_config_errors_name_the_key_path(files, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("n_boot: 30\nfairness:\n  gates:\n    - {metric: count, op: '<', threshold: x}\n", encoding="utf-8")
    assert cli.main(["audit", "--config", str(bad), "--reference", str(files / "reference.csv")]) == 2
    err = capsys.readouterr().err
    assert 'fairness.gates[0].threshold: expected a number, got "x"' in err and "line 4" in err
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("drift:\n  checks:\n    drifted_shar: {}\n", encoding="utf-8")
    assert cli.main(["audit", "--config", str(unknown)]) == 2
    assert 'drift.checks.drifted_shar: unknown key (did you mean "drifted_share"?)' in capsys.readouterr().err


def test_missing_optional_dependency_exits_2(files):
    """Without PyYAML a YAML configuration cannot be read: exit 2, naming the package."""
    block = "import sys; sys.modules['yaml'] = None; from assay.cli import main; sys.exit(main(sys.argv[1:]))"
    done = _run("audit", "--config", str(files / "audit.yaml"), code=block)
    assert done.returncode == 2
    assert "PyYAML" in done.stderr and "assay[audit]" in done.stderr
    # The same audit with a JSON configuration needs no PyYAML.
    config = {
        "n_boot": 30,
        "data": {"reference": {"path": "reference.csv"}, "current": {"path": "current.parquet"}},
        "columns": {"target": "y", "prediction": "label"},
    }
    (files / "audit.json").write_text(json.dumps(config), encoding="utf-8")
    done = _run("audit", "--config", str(files / "audit.json"), code=block)
    assert done.returncode == 0, done.stderr


def test_model_file(files, tmp_path, capsys):
    xgboost = pytest.importorskip("xgboost")
    reference = pd.read_csv(files / "reference.csv")
    features = ["x0", "x1", "x2"]
    model = xgboost.XGBClassifier(n_estimators=10, max_depth=2).fit(reference[features], reference["y"])
    path = tmp_path / "model.json"
    model.save_model(path)
    out = tmp_path / "card.json"
    arguments = ["--reference", str(files / "reference.csv"), "--current", str(files / "current.parquet")]
    status = cli.main(["audit", *arguments, "--target", "y", "--model", str(path), "--json", str(out)])
    assert status in (0, 1), capsys.readouterr().err
    state = json.loads(out.read_text(encoding="utf-8"))
    assert state["assay"]["sections"]["explain"]["explainer"] == "TreeExplainer"
    assert state["assay"]["lineage"]["model"]["fingerprint"]["method"] == "sha256 of the model file's bytes"
    assert state["model_parameters"]["features"] == features  # the model's own feature names
