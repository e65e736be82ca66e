"""assay.review against MAPIE and crepes: Mondrian (per-group) conformal prediction sets.

R1  1M calibration rows, 10 classes, 1,000 groups; LAC score, alpha = 0.1; then the sets of
    100k new rows. MAPIE 1.x has no Mondrian mode (removed in 1.0): one
    SplitConformalClassifier per group, as its tutorial does it. crepes takes the groups as
    Mondrian `bins` of its low-level ConformalClassifier (non-smoothed p-values). Every run
    counts the set entries that differ from assay's: none for MAPIE; crepes keeps a label whose
    p-value equals alpha, one order statistic more in groups where alpha (n + 1) is an integer.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
from harness import Results, format_seconds, peak_memory, time_call, update_doc

N_CAL = 1_000_000
N_TEST = 100_000
N_CLASSES = 10
N_GROUPS = 1_000
ALPHA = 0.1


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(N_CAL + N_TEST, N_CLASSES)) * 2.0
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    y = (rng.random(len(p))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, N_CLASSES - 1)
    groups = rng.integers(0, N_GROUPS, len(p))
    return p[:N_CAL], y[:N_CAL], groups[:N_CAL], p[N_CAL:], groups[N_CAL:]


def run_assay(data, n_jobs=None):
    from assay.review import ConformalClassifier

    p_cal, y_cal, g_cal, p_new, g_new = data
    return ConformalClassifier(alpha=ALPHA, n_jobs=n_jobs).fit(p_cal, y_cal, g_cal).predict_set(p_new, g_new)


def _given_classifier():
    from sklearn.base import BaseEstimator, ClassifierMixin

    class Given(ClassifierMixin, BaseEstimator):
        """A prefit model whose input is its output: MAPIE sees the benchmark's probabilities."""

        def __init__(self):
            self.classes_ = np.arange(N_CLASSES)
            self.n_features_in_ = N_CLASSES

        def fit(self, X, y):  # noqa: N803
            return self

        def predict_proba(self, X):  # noqa: N803
            return np.asarray(X)

        def predict(self, X):  # noqa: N803
            return np.asarray(X).argmax(axis=1)

    return Given()


def run_mapie(data):
    from mapie.classification import SplitConformalClassifier

    p_cal, y_cal, g_cal, p_new, g_new = data
    sets = np.zeros(p_new.shape, dtype=bool)
    order_cal, order_new = np.argsort(g_cal, kind="stable"), np.argsort(g_new, kind="stable")
    cuts_cal = np.searchsorted(g_cal[order_cal], np.arange(N_GROUPS + 1))
    cuts_new = np.searchsorted(g_new[order_new], np.arange(N_GROUPS + 1))
    for g in range(N_GROUPS):
        rows_cal = order_cal[cuts_cal[g] : cuts_cal[g + 1]]
        rows_new = order_new[cuts_new[g] : cuts_new[g + 1]]
        model = SplitConformalClassifier(_given_classifier(), confidence_level=1 - ALPHA, prefit=True)
        model.conformalize(p_cal[rows_cal], y_cal[rows_cal])
        sets[rows_new] = model.predict_set(p_new[rows_new])[1][:, :, 0]
    return sets


def run_crepes(data):
    from crepes import ConformalClassifier

    p_cal, y_cal, g_cal, p_new, g_new = data
    model = ConformalClassifier().fit(1 - p_cal[np.arange(len(y_cal)), y_cal], bins=g_cal)
    return model.predict_set(1 - p_new, bins=g_new, confidence=1 - ALPHA, smoothing=False).astype(bool)


def read_once(data):
    return float(data[0].sum())


def _run_assay_memory(data):
    run_assay(data)


def main() -> None:
    data = make_data()
    case = f"{N_CAL:,} calibration rows x {N_CLASSES} classes, {N_GROUPS:,} groups, {N_TEST:,} new rows"
    print(case)
    results = Results("review")
    timing = time_call(lambda: run_assay(data), repeat=5)
    ours_cpu = time.process_time()
    run_assay(data)
    ours_cpu = time.process_time() - ours_cpu  # every thread's CPU time: on a loaded machine wall time waits
    ours = results.add(case, "assay", timing, f"CPU {ours_cpu:.2f} s (one run)")
    results.add(case, "assay, n_jobs=1", time_call(lambda: run_assay(data, 1), repeat=3))
    reference = run_assay(data)
    contenders, cpus = {}, {}
    for name, run in (("MAPIE (one per group)", run_mapie), ("crepes (Mondrian bins)", run_crepes)):
        try:
            start, cpu = time.perf_counter(), time.process_time()
            sets = run(data)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        except ImportError:
            print(f"  {name}: not installed")
            continue
        differ = int(np.sum(sets != reference))
        note = f"one run, CPU {cpu:.1f} s; " + (
            "the same sets" if not differ else f"{differ:,} of {sets.size:,} set entries differ"
        )
        contenders[name] = results.add(case, name, seconds, note)
        cpus[name] = cpu
    bound = results.add(case, "read-once bound (numpy sum)", time_call(lambda: read_once(data), repeat=5))
    memory_lines = []
    for name, run in (("assay", _run_assay_memory), ("MAPIE", run_mapie), ("crepes", run_crepes)):
        if name != "assay" and not any(k.startswith(name) for k in contenders):
            continue
        before, after = peak_memory(make_data, run)
        memory_lines.append(
            f"{name}: {(after - before) / 2**20:.0f} MiB above the {before / 2**20:.0f} MiB of the input"
        )
    memory = "Peak extra memory (fresh process, resident): " + "; ".join(memory_lines) + "."
    print(" ", memory)
    summary = (
        ", ".join(f"{name} takes {seconds / ours:.0f}x assay's time" for name, seconds in contenders.items())
        + f"; assay takes {ours / bound:.1f}x the read-once bound ({format_seconds(bound)}). By CPU time (all "
        "threads), steadier than wall time on a loaded machine: "
        + ", ".join(f"{name} takes {cpu / ours_cpu:.0f}x assay's" for name, cpu in cpus.items())
        + "."
    )
    print(" ", summary)
    one, five, _ = os.getloadavg()
    load = f"Load average (1/5 min) when the timings ended: {one:.1f}/{five:.1f} (a shared machine)."
    update_doc(
        "review",
        f"## Review: Mondrian conformal sets\n\n{results.markdown()}\n\n{summary}\n\n{memory}\n\n{load}",
        "python benchmarks/run.py review",
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
