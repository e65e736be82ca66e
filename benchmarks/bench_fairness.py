"""assay.fairness against fairlearn's MetricFrame, same data, same run.

B1  10M rows, 3 sensitive features of 10 levels (1,000 Zipf-sized intersections),
    8 metrics and every aggregate.
B2  the same with 1,000 bootstrap replicates.
B3  10k rows, 8 groups, 8 metrics: the latency of one call from Python.
B4  1M rows, 8 groups, ROC-AUC by group with 200 bootstrap replicates (the Poisson row
    bootstrap of a rank metric), against fairlearn's MetricFrame(roc_auc_score, n_boot).

fairlearn is too slow to run on all of B1/B2/B4 within the benchmark's time budget: it
is timed on a 1M-row subset (and, for B2 and B4, on 2 replicates) and scaled linearly in
rows and replicates; the table says so in its notes.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from assay import fairness as af
from harness import Results, format_seconds, peak_memory, time_call, update_doc

N_ROWS = 10_000_000
SUBSET_ROWS = 1_000_000
N_BOOT = 1_000
FAIRLEARN_BOOT = 2
AUC_ROWS = 1_000_000
AUC_BOOT = 200


def make_data(n: int, n_groups_per_feature: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    n_groups = n_groups_per_feature**3
    weights = 1.0 / np.arange(1, n_groups + 1) ** 1.1  # Zipf-sized groups
    group = rng.choice(n_groups, size=n, p=weights / weights.sum())
    features = pd.DataFrame(
        {
            "race": (group // 100).astype(np.int64),
            "sex": (group // 10 % 10).astype(np.int64),
            "age": (group % 10).astype(np.int64),
        }
    )
    base = rng.uniform(0.2, 0.6, n_groups)[group]
    y_true = (rng.random(n) < base).astype(np.int64)
    score = 0.5 * y_true + rng.random(n) * 0.8
    y_pred = (score > 0.6).astype(np.int64)
    return y_true, y_pred, features


def ours_metrics():
    return {
        "selection_rate": af.selection_rate,
        "tpr": af.true_positive_rate,
        "fpr": af.false_positive_rate,
        "tnr": af.true_negative_rate,
        "fnr": af.false_negative_rate,
        "accuracy": af.accuracy_score,
        "count": af.count,
        "mean_prediction": af.mean_prediction,
    }


def fairlearn_metrics():
    import fairlearn.metrics as flm
    import sklearn.metrics as skm

    return {
        "selection_rate": flm.selection_rate,
        "tpr": flm.true_positive_rate,
        "fpr": flm.false_positive_rate,
        "tnr": flm.true_negative_rate,
        "fnr": flm.false_negative_rate,
        "accuracy": skm.accuracy_score,
        "count": flm.count,
        "mean_prediction": flm.mean_prediction,
    }


def all_aggregates(frame) -> None:
    frame.overall, frame.by_group, frame.group_min(), frame.group_max()
    for method in ("between_groups", "to_overall"):
        frame.difference(method=method), frame.ratio(method=method)


def run_assay(y, p, features, **kwargs):
    frame = af.MetricFrame(
        metrics=ours_metrics(), y_true=y, y_pred=p, sensitive_features=features, convention="fairlearn", **kwargs
    )
    all_aggregates(frame)
    if "n_boot" in kwargs:
        frame.by_group_ci, frame.overall_ci, frame.difference_ci(), frame.ratio_ci()
    return frame


def run_fairlearn(y, p, features, **kwargs):
    import fairlearn.metrics as flm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = flm.MetricFrame(metrics=fairlearn_metrics(), y_true=y, y_pred=p, sensitive_features=features, **kwargs)
        all_aggregates(frame)
    return frame


def run_auc(y, score, groups, library, n_boot):
    boot = {} if n_boot is None else dict(n_boot=n_boot, ci_quantiles=[0.025, 0.975], random_state=0)
    if library == "assay":
        frame = af.MetricFrame(metrics=af.roc_auc_score, y_true=y, y_pred=score, sensitive_features=groups, **boot)
    else:
        import fairlearn.metrics as flm
        import sklearn.metrics as skm

        frame = flm.MetricFrame(metrics=skm.roc_auc_score, y_true=y, y_pred=score, sensitive_features=groups, **boot)
    if n_boot is not None:
        frame.by_group_ci, frame.difference_ci()
    return frame


_DATA_DIR = "ASSAY_BENCH_FAIRNESS_DATA"


def _b1_setup():
    """Loads the saved B1 inputs (loading does not raise the peak above the arrays)."""
    folder = Path(os.environ[_DATA_DIR])
    features = pd.DataFrame({name: np.load(folder / f"{name}.npy") for name in ("race", "sex", "age")})
    return np.load(folder / "y.npy"), np.load(folder / "p.npy"), features


def _b1_run(state) -> None:
    run_assay(*state)


def once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    results = Results("fairness")
    # Peak memory first, while this process is small: a child's peak RSS starts at its
    # parent's size at the fork (Linux keeps it across exec).
    with tempfile.TemporaryDirectory() as folder:
        y, p, features = make_data(N_ROWS)
        for name, values in (("y", y), ("p", p), *((c, features[c].to_numpy()) for c in features.columns)):
            np.save(Path(folder) / f"{name}.npy", values)
        input_bytes = y.nbytes + p.nbytes + features.memory_usage(index=False).sum()
        del y, p, features
        gc.collect()
        os.environ[_DATA_DIR] = folder
        before, after = peak_memory(_b1_setup, _b1_run)
        y, p, features = _b1_setup()
    memory = (
        f"B1 peak memory: {(after - before) / 2**20:.0f} MiB above the {before / 2**20:.0f} MiB peak after "
        f"loading the inputs ({input_bytes / 2**20:.0f} MiB of arrays), measured in a fresh process."
    )
    print(memory, flush=True)
    ys, ps, fs = y[:SUBSET_ROWS], p[:SUBSET_ROWS], features.iloc[:SUBSET_ROWS]
    scale = N_ROWS / SUBSET_ROWS

    # Numbers agree before anything is timed.
    check_ours = run_assay(ys, ps, fs)
    check_theirs = run_fairlearn(ys, ps, fs)
    np.testing.assert_array_equal(
        check_ours.by_group.to_numpy(dtype=float), check_theirs.by_group.to_numpy(dtype=float)
    )

    b1 = "B1: 10M rows, 1,000 groups, 8 metrics"
    results.add(b1, "assay", time_call(lambda: run_assay(y, p, features), repeat=3, warmup=1))
    codes = features["race"].to_numpy() * 100 + features["sex"].to_numpy() * 10 + features["age"].to_numpy()
    results.add(
        b1,
        "numpy bincount (read-once bound)",
        time_call(lambda: np.bincount(codes * 4 + y * 2 + p, minlength=4000), repeat=3),
        "one pass over the same rows",
    )
    fairlearn_seconds = once(lambda: run_fairlearn(ys, ps, fs))
    results.add(
        b1,
        "fairlearn MetricFrame",
        fairlearn_seconds * scale,
        f"timed on 1M rows ({format_seconds(fairlearn_seconds)}), scaled x{scale:g}",
    )

    b2 = f"B2: B1 + {N_BOOT} bootstrap replicates"
    results.add(
        b2,
        "assay",
        time_call(
            lambda: run_assay(y, p, features, n_boot=N_BOOT, ci_quantiles=[0.025, 0.5, 0.975], random_state=0),
            repeat=2,
            warmup=0,
        ),
    )
    boot_seconds = once(
        lambda: run_fairlearn(ys, ps, fs, n_boot=FAIRLEARN_BOOT, ci_quantiles=[0.025, 0.5, 0.975], random_state=0)
    )
    # The point estimate (timed in B1) once, plus the replicates scaled to N_BOOT; all scaled to 10M rows.
    per_replicate = max(boot_seconds - fairlearn_seconds, 0.0) / FAIRLEARN_BOOT
    results.add(
        b2,
        "fairlearn MetricFrame(n_boot)",
        (fairlearn_seconds + per_replicate * N_BOOT) * scale,
        f"timed on 1M rows x {FAIRLEARN_BOOT} replicates ({format_seconds(boot_seconds)} incl. the point "
        f"estimate), replicates scaled to {N_BOOT} and rows x{scale:g}",
    )

    small_y, small_p, _ = make_data(10_000, seed=1)
    small_groups = np.random.default_rng(2).integers(0, 8, 10_000)
    b3 = "B3: 10k rows, 8 groups, 8 metrics (one call)"
    results.add(b3, "assay", time_call(lambda: run_assay(small_y, small_p, small_groups), repeat=50, warmup=3))
    results.add(b3, "fairlearn MetricFrame", time_call(lambda: run_fairlearn(small_y, small_p, small_groups), repeat=5))

    b4 = f"B4: 1M rows, 8 groups, ROC-AUC by group, {AUC_BOOT} bootstrap replicates"
    rng = np.random.default_rng(3)
    auc_groups = rng.integers(0, 8, AUC_ROWS)
    auc_y = (rng.random(AUC_ROWS) < 0.3 + 0.03 * auc_groups).astype(np.int64)
    auc_score = np.round(0.4 * auc_y + rng.random(AUC_ROWS), 4)  # ties
    run_auc(auc_y, auc_score, auc_groups, "assay", None)  # warm-up, and the point estimates agree
    np.testing.assert_allclose(
        run_auc(auc_y, auc_score, auc_groups, "assay", None).by_group.to_numpy(),
        run_auc(auc_y, auc_score, auc_groups, "fairlearn", None).by_group.to_numpy(),
        rtol=1e-12,
    )
    results.add(
        b4, "assay", time_call(lambda: run_auc(auc_y, auc_score, auc_groups, "assay", AUC_BOOT), repeat=2, warmup=0)
    )
    point = once(lambda: run_auc(auc_y, auc_score, auc_groups, "fairlearn", None))
    boot = once(lambda: run_auc(auc_y, auc_score, auc_groups, "fairlearn", FAIRLEARN_BOOT))
    per_replicate = max(boot - point, 0.0) / FAIRLEARN_BOOT
    results.add(
        b4,
        "fairlearn MetricFrame(roc_auc_score, n_boot)",
        point + per_replicate * AUC_BOOT,
        f"timed on {FAIRLEARN_BOOT} replicates ({format_seconds(boot)} incl. the point estimate), scaled to {AUC_BOOT}",
    )

    table = results.markdown()
    print(table)
    update_doc(
        "fairness", "## Fairness (assay.fairness vs fairlearn)\n\n" + table + "\n\n" + memory, "./dev.sh bench fairness"
    )


if __name__ == "__main__":
    main()
