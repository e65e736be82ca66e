"""`assay demo`: the whole audit on the generated scenario. It exits 1 (the planted problems
fail their gates), writes the card as HTML, JSON and markdown, and exits 2 naming the `demo`
extra when scikit-learn is missing."""

import json
import subprocess
import sys

import pytest
from assay import cli

pytest.importorskip("sklearn")
pytest.importorskip("pandas")


def _demo(*args, prelude=""):
    script = f"import sys\n{prelude}from assay import cli\nsys.exit(cli.main(sys.argv[1:]))\n"
    return subprocess.run(
        [sys.executable, "-c", script, "demo", "--rows", "2000", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    paths = {kind: folder / f"card.{kind}" for kind in ("html", "json", "md")}
    result = _demo("--html", str(paths["html"]), "--json", str(paths["json"]), "--markdown", str(paths["md"]))
    return result, paths


def test_the_demo_fails_its_audit_and_writes_the_card(demo):
    result, paths = demo
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert "assay audit: FAILED" in result.stdout
    assert "HistGradientBoostingClassifier" in result.stdout
    for path in paths.values():
        assert f": {path}" in result.stdout
    html = paths["html"].read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "refund_requested" in html
    assert paths["md"].read_text(encoding="utf-8").startswith("## assay audit: FAILED")


def test_the_planted_problems_fail_their_gates(demo):
    _, paths = demo
    card = json.loads(paths["json"].read_text(encoding="utf-8"))
    gates = card["assay"]["gates"]
    failed = {(g["name"], g["subject"]) for g in gates if g["verdict"] == "fail"}
    assert card["assay"]["passed"] is False
    # The leak (in both periods, and no other column); drift; the disparity between the groups of sex.
    leaks = {(g["subject"], g["dataset"]) for g in gates if g["name"] == "quality.target_leakage" and g["failed"]}
    assert leaks == {("refund_requested", "reference"), ("refund_requested", "current")}
    assert ("drift.drifted_share", None) in failed
    drifted = {g["subject"] for g in gates if g["name"] == "drift.column_drift" and g["verdict"] == "warn"}
    assert {"income", "monthly_spend", "plan"} <= drifted
    assert ("fairness.four_fifths", "sex=M") in failed
    assert ("demographic_parity", "sex") in failed
    # The ages of 999 break the rule max: 120 in the current period only.
    assert [g["dataset"] for g in gates if g["name"] == "quality.rules" and g["verdict"] == "fail"] == ["current"]
    # The model reads the leak most: the explanations rank it first.
    assert card["assay"]["sections"]["explain"]["importance"][0]["feature"] == "refund_requested"
    assert "sex" not in card["model_parameters"]["features"]


def test_without_scikit_learn_the_demo_names_the_extra(tmp_path):
    result = _demo("--html", str(tmp_path / "card.html"), prelude="sys.modules['sklearn'] = None\n")
    assert result.returncode == 2
    assert "scikit-learn is not installed" in result.stderr
    assert "assay[demo]" in result.stderr
    assert result.stdout == ""
    assert not list(tmp_path.iterdir())


def test_too_few_rows_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["demo", "--rows", "100", "--html", str(tmp_path / "card.html")]) == 2
    assert "rows: expected an integer of at least 200, got 100" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
