"""Benchmark: assay.monitor.CBPE against NannyML's CBPE, 1M current rows in 100 chunks.

Both fit on 100,000 labelled reference rows (chunks of 10,000) and estimate accuracy,
precision, recall, F1, specificity and ROC-AUC on 1,000,000 current rows in 100 chunks of
10,000. NannyML pins its own dependencies: it runs in its own environment
(ASSAY_NANNYML_PYTHON, default .venv-nannyml, made by ./dev.sh test) through
tests/python/nannyml_runner.py, which times fit + estimate inside its process (reading the
file excluded) and reports the growth of that process's peak resident memory. assay's time is
one run of fit + estimate (on a shared machine a single run each; the notes give its CPU
seconds, all threads, which a loaded machine inflates less than the wall time); its memory is
the peak growth of a fresh process during one run. assay runs both conventions: "assay" (exact
distributions, intervals, cross-fitted reference, 500 ROC-AUC draws per chunk) and "nannyml"
(NannyML's plug-in numbers).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from harness import ROOT, Results, peak_memory, update_doc

N_REFERENCE = 100_000
N_CURRENT = 1_000_000
CHUNK = 10_000
METRICS = ["accuracy", "precision", "recall", "f1", "specificity", "roc_auc"]


def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    n = N_REFERENCE + N_CURRENT
    p = rng.beta(2, 3, n)
    y = (rng.random(n) < p).astype(np.int64)
    score = p**3  # miscalibrated: both libraries calibrate
    pred = (score >= 0.125).astype(np.int64)
    ref, cur = slice(0, N_REFERENCE), slice(N_REFERENCE, None)
    return {
        "ref_score": score[ref],
        "ref_pred": pred[ref],
        "ref_y": y[ref],
        "cur_score": score[cur],
        "cur_pred": pred[cur],
    }


def run_assay(state: dict[str, np.ndarray], convention: str = "assay") -> None:
    from assay import monitor

    cbpe = monitor.CBPE(metrics=METRICS, chunk_size=CHUNK, convention=convention)
    cbpe.fit(state["ref_y"], state["ref_score"], y_pred=state["ref_pred"])
    cbpe.estimate(state["cur_score"], y_pred=state["cur_pred"])


def run_assay_nannyml(state: dict[str, np.ndarray]) -> None:
    run_assay(state, "nannyml")


def nannyml(state: dict[str, np.ndarray]) -> dict | None:
    python = os.environ.get("ASSAY_NANNYML_PYTHON") or str(ROOT / ".venv-nannyml" / "bin" / "python")
    if not Path(python).exists():
        print(f"  NannyML's environment is missing ({python}): run ./dev.sh test; NannyML skipped")
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.npz"
        np.savez(path, **state, chunk_size=CHUNK, metrics=np.array(METRICS))
        done = subprocess.run(
            [python, str(ROOT / "tests" / "python" / "nannyml_runner.py"), str(path)], capture_output=True, text=True
        )
    if done.returncode != 0:
        print(f"  NannyML failed:\n{done.stderr[-2000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    state = data()
    case = f"{N_REFERENCE // 1000}k reference + {N_CURRENT // 1_000_000}M current rows, 100 chunks"
    results = Results("monitor")
    memory = {}
    for contender, run in (("assay", run_assay), ('assay convention="nannyml"', run_assay_nannyml)):
        wall, cpu = time.perf_counter(), time.process_time()
        run(state)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        before, peak = peak_memory(data, run)
        memory[contender] = (peak - before) / 2**20
        results.add(case, contender, wall, note=f"{cpu:.1f} CPU s; peak +{memory[contender]:.0f} MiB")
    theirs = nannyml(state)
    if theirs is not None:
        results.add(
            case,
            "NannyML 0.13.1 CBPE",
            theirs["seconds"],
            note=f"{theirs['cpu_seconds']:.1f} CPU s; peak +{theirs['peak_growth_mib']:.0f} MiB "
            f"({theirs['peak_mib']:.0f} MiB for the whole process)",
        )
    table = results.markdown()
    print(table)
    update_doc(
        "monitor",
        "## Performance without labels (`assay.monitor.CBPE`)\n\n"
        "Fit on 100,000 labelled rows and estimate six metrics on 1,000,000 rows in 100 chunks of "
        "10,000, against NannyML 0.13.1's CBPE (in its own environment). assay's default "
        "convention also computes each metric's exact distribution, the intervals, the cross-fitted "
        "reference and 500 ROC-AUC draws per chunk; NannyML computes the plug-in ratios only. "
        "Memory is the growth of the peak resident memory during fit + estimate (for NannyML, after "
        "its data frames were built). About half of assay's CPU time is the ROC-AUC draws "
        "(500 label vectors of 10,000 rows per chunk). Measured while other jobs loaded the machine "
        "(load average about "
        f"{os.getloadavg()[0]:.0f} on {os.cpu_count()} cores): the wall times are inflated, the CPU "
        "seconds less so. One run each (the median of one).\n\n" + table,
        "python benchmarks/run.py monitor",
    )


if __name__ == "__main__":
    main()
