"""The user-facing shapes: reports, exports, HTML, the command line."""

import json
import subprocess
import sys

import assay
import numpy as np
import pytest
from assay import cli


@pytest.fixture(scope="module")
def demo():
    return assay.datasets.make_quality_demo(2000, seed=3)


def test_report_exports(demo, tmp_path):
    current, reference = demo
    report = assay.check(current, target="churned", reference=reference, rules=assay.datasets.DEMO_RULES)
    state = report.to_dict()
    json.dumps(state, allow_nan=False)
    assert state["passed"] is False and state["counts"]["error"] >= 2
    frame = report.to_frame()
    assert list(frame.columns) == [
        "check",
        "column",
        "severity",
        "value",
        "threshold",
        "message",
        "rows",
        "lower",
        "upper",
    ]
    assert len(frame) == len(report.findings)
    assert frame["severity"].iloc[0] == "error"  # most severe first
    page = report.to_html(tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page
    assert "rule_max" in page and "<script>alert" not in page
    assert "FAILED" in report._repr_html_() and "FAILED" in report.summary()
    assert "http://" not in page and "https://" not in page  # works offline
    assert assay.profile(current).to_frame().loc["age", "max"] == 999


def test_warnings_fail_only_when_asked():
    data = {"x": np.r_[np.full(90, 1.0), np.full(10, np.nan)]}
    assert assay.check(data).passed
    assert not assay.check(data, fail_on="warning").passed


def test_thresholds_change_findings():
    data = {"x": np.r_[np.arange(97.0), [np.nan] * 3]}
    assert not any(f.check == "missing" for f in assay.check(data).findings)
    assert any(f.check == "missing" for f in assay.check(data, thresholds={"missing_warning": 0.01}).findings)
    assert assay.quality.default_thresholds()["missing_warning"] == 0.05


def test_html_escapes_user_text():
    report = assay.check({"<b>x</b>": np.array(["<script>alert(1)</script>", "a", "A"])})
    html = report._repr_html_()  # the fragment carries the report layer's own inline script
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_progress_callback_is_called():
    calls = []
    assay.check({"a": np.arange(10.0), "b": np.arange(10.0)}, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_dtype_rule():
    report = assay.check({"a": np.array(["1", "2"])}, rules={"a": {"dtype": "numeric"}, "b": {"dtype": "string"}})
    checks = {(f.check, f.column) for f in report.findings}
    assert ("rule_dtype", "a") in checks and ("rule_column", "b") in checks


def test_cli_check_gates_with_exit_status(tmp_path, demo):
    current, reference = demo
    current.to_csv(tmp_path / "current.csv", index=False)
    reference.to_csv(tmp_path / "reference.csv", index=False)
    (tmp_path / "rules.json").write_text(json.dumps({"age": {"max": 120}}))
    status = cli.main(
        [
            "check",
            str(tmp_path / "current.csv"),
            "--target",
            "churned",
            "--reference",
            str(tmp_path / "reference.csv"),
            "--rules",
            str(tmp_path / "rules.json"),
            "--json",
            str(tmp_path / "out.json"),
        ]
    )
    assert status == 1
    saved = json.loads((tmp_path / "out.json").read_text())
    assert any(f["check"] == "rule_max" for f in saved["findings"])
    (tmp_path / "clean.csv").write_text("a,b\n1,2\n3,4\n")
    assert cli.main(["check", str(tmp_path / "clean.csv")]) == 0
    assert cli.main(["check", str(tmp_path / "clean.csv"), "--target", "nope"]) == 2


def test_yaml_rules(tmp_path):
    (tmp_path / "rules.yaml").write_text("a:\n  min: 0\n  nullable: false\n")
    (tmp_path / "d.csv").write_text("a\n1\n-1\n\n")
    assert cli.main(["check", str(tmp_path / "d.csv"), "--rules", str(tmp_path / "rules.yaml")]) == 1


def test_numpy_only_install_gives_the_same_findings():
    """The runtime dependency is numpy alone: without pandas the demo audit finds the same things."""
    script = (
        "import sys, json; sys.modules['pandas'] = None; sys.modules['pyarrow'] = None; sys.modules['polars'] = None\n"
        "import assay\n"
        "cur, ref = assay.datasets.make_quality_demo(3000, seed=5)\n"
        "r = assay.check(cur, target='churned', reference=ref)\n"
        "print(json.dumps(sorted([f.check, f.column or '', f.value] for f in r.findings)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    without_pandas = json.loads(result.stdout)
    cur, ref = assay.datasets.make_quality_demo(3000, seed=5)
    report = assay.check(cur, target="churned", reference=ref)
    with_pandas = sorted([f.check, f.column or "", f.value] for f in report.findings)
    assert without_pandas == json.loads(json.dumps(with_pandas))
