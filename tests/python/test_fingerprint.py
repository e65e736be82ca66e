"""Content fingerprints of tables (computed in the core): the quality report's, the audit's
lineage and the same content from every input type."""

import assay
import numpy as np
import pandas as pd
import pytest
from assay import quality
from assay._core import quality as core_quality
from assay._fingerprint import table_fingerprint
from assay._frame import as_frame


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[::17] = np.nan
    return {
        "x": x,
        "count": rng.integers(0, 5, n).astype(np.float64),
        "plan": np.array(rng.choice(["basic", "pro", "team"], n), dtype=object),
    }


def test_quality_report_carries_the_table_fingerprint():
    data = _data()
    report = quality.check(data)
    expected = table_fingerprint(as_frame(data))
    assert report.fingerprint == expected
    assert report.fingerprint["rows"] == 300 and report.fingerprint["columns"] == 3
    assert len(report.fingerprint["value"]) == 32
    assert report.to_dict()["fingerprint"] == expected
    assert quality.QualityReport.from_json(report.to_json()).fingerprint == expected


def test_quality_report_fingerprint_counts_a_target_given_as_an_array():
    data = _data()
    target = np.arange(300) % 2
    with_target = quality.check(data, target=target).fingerprint
    assert with_target["columns"] == 4
    assert with_target != quality.check(data).fingerprint


def test_same_content_from_every_input_type_gives_the_same_fingerprint():
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    data = _data(seed=1)
    frame = pd.DataFrame(data)
    as_category = frame.assign(plan=pd.Categorical(frame["plan"], categories=["team", "pro", "basic", "unused"]))
    expected = table_fingerprint(as_frame(data))
    for table in (frame, as_category, pa.table(data), pl.DataFrame(data), frame[["plan", "x", "count"]]):
        assert table_fingerprint(as_frame(table))["value"] == expected["value"], type(table)
    shuffled = frame.sample(frac=1.0, random_state=2)
    assert quality.check(shuffled).fingerprint == expected


def test_fingerprint_changes_with_content_and_names():
    data = _data(seed=3)
    base = table_fingerprint(as_frame(data))["value"]
    assert table_fingerprint(as_frame({**data, "x": data["x"] + 1e-12}))["value"] != base
    renamed = {"y" if k == "x" else k: v for k, v in data.items()}
    assert table_fingerprint(as_frame(renamed))["value"] != base
    plan = data["plan"].copy()
    plan[0] = "Pro" if plan[0] != "Pro" else "pro"
    assert table_fingerprint(as_frame({**data, "plan": plan}))["value"] != base


def test_fingerprints_of_parts_merge_to_the_whole_and_ignore_n_jobs():
    frame = as_frame(_data(n=10_000, seed=4))
    whole = core_quality.table_fingerprint(frame.core_columns(), 1)
    first = as_frame({k: v[:3_000] for k, v in _data(n=10_000, seed=4).items()})
    second = as_frame({k: v[3_000:] for k, v in _data(n=10_000, seed=4).items()})
    merged = core_quality.merge_fingerprints(
        core_quality.table_fingerprint(first.core_columns(), 2),
        core_quality.table_fingerprint(second.core_columns(), 2),
    )
    assert (merged.sum, merged.xor, merged.rows) == (whole.sum, whole.xor, whole.rows)
    assert table_fingerprint(frame, n_jobs=1) == table_fingerprint(frame, n_jobs=4)
    with pytest.raises(assay.errors.InvalidInputError, match="columns"):
        core_quality.merge_fingerprints(whole, core_quality.table_fingerprint(as_frame({"x": [1.0]}).core_columns(), 1))


@pytest.mark.parametrize("quality_enabled", [True, False])
def test_audit_lineage_fingerprint_is_the_quality_reports(quality_enabled):
    reference, current = pd.DataFrame(_data(seed=5)), pd.DataFrame(_data(seed=6))
    result = assay.audit(reference, current, config={"n_boot": 20, "quality": {"enabled": quality_enabled}})
    for which, table in (("reference", reference), ("current", current)):
        lineage = result.lineage["data"][which]["fingerprint"]
        assert lineage == quality.check(table).fingerprint
        if quality_enabled:
            assert result.sections["quality"][which]["fingerprint"] == lineage
