"""Progress bars: tqdm draws them; logs get none by default; a global switch turns them off or on."""

from __future__ import annotations

import assay
import numpy as np
import pytest
from assay import _progress
from assay.errors import InvalidInputError, InvalidTypeError


@pytest.fixture(autouse=True)
def _default_setting(monkeypatch):
    monkeypatch.delenv("ASSAY_PROGRESS", raising=False)
    assay.set_progress(None)
    yield
    assay.set_progress(None)


def _report(callback, total=50):
    for done in range(0, total + 1, 5):
        callback(done, total)


def test_default_draws_nothing_into_a_log(capsys):
    # pytest's captured stderr is not a terminal: the default shows no bar there at all.
    callback = _progress.progress_callback(None, "work")
    _report(callback)
    assert capsys.readouterr().err == ""


def test_true_draws_one_bar_with_few_redraws_in_a_log(capsys):
    callback = _progress.progress_callback(True, "work")
    _report(callback)
    err = capsys.readouterr().err
    assert "work" in err and "50/50" in err
    # Not a terminal: tqdm redraws at most every 30 s, so a fast run writes the start and the end only.
    assert err.count("\r") <= 3


def test_global_switch_and_environment(capsys, monkeypatch):
    assay.set_progress(False)
    assert _progress.progress_callback(None, "work") is None
    assay.set_progress(True)
    _report(_progress.progress_callback(None, "work"))
    assert "50/50" in capsys.readouterr().err
    # The call's own argument wins over the global setting.
    assert _progress.progress_callback(False, "work") is None
    assay.set_progress(None)
    monkeypatch.setenv("ASSAY_PROGRESS", "off")
    assert _progress.progress_callback(None, "work") is None
    monkeypatch.setenv("ASSAY_PROGRESS", "1")
    assert _progress.progress_callback(None, "work") is not None
    monkeypatch.setenv("ASSAY_PROGRESS", "sometimes")
    with pytest.raises(InvalidInputError, match="ASSAY_PROGRESS"):
        _progress.progress_callback(None, "work")


def test_bad_settings_are_type_errors():
    with pytest.raises(InvalidTypeError, match="enabled"):
        assay.set_progress("yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError, match="progress"):
        _progress.progress_callback("yes", "work")  # type: ignore[arg-type]


def test_a_long_call_reports_through_the_switch(capsys):
    rng = np.random.default_rng(0)
    reference, current = rng.normal(size=(300, 2)), rng.normal(0.2, 1, size=(300, 2))
    assay.set_progress(True)
    assay.drift.mmd(reference, current, n_permutations=20, seed=0)
    assert "/" in capsys.readouterr().err
    assay.set_progress(False)
    assay.drift.mmd(reference, current, n_permutations=20, seed=0)
    assert capsys.readouterr().err == ""
