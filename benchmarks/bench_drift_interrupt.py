"""How fast Ctrl-C stops long drift calls (issue 19).

A timer thread sends SIGINT to the process one second into the call (0.7 s for the PCA
fit) and the script prints how long after the signal the call raised KeyboardInterrupt.

    python benchmarks/bench_drift_interrupt.py gbt|pca|report
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import numpy as np
from assay import drift


def measure(name, call, after=1.0):
    started, fired = time.perf_counter(), {}

    def fire():
        fired["at"] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(after, fire)
    timer.start()
    try:
        call()
        print(name, "finished before the interrupt", time.perf_counter() - started)
    except KeyboardInterrupt:
        print(f"{name}: interrupted {time.perf_counter() - fired['at']:.3f} s after SIGINT")
    timer.cancel()


def main(which: str) -> None:
    rng = np.random.default_rng(0)
    if which == "gbt":
        ref, cur = rng.normal(size=(150_000, 10)), rng.normal(0.1, 1, size=(150_000, 10))
        measure("domain_classifier gbt 150k+150k x 10", lambda: drift.domain_classifier(ref, cur, classifier="gbt"))
    elif which == "pca":
        ref, cur = rng.normal(size=(1_500_000, 30)), rng.normal(size=(1000, 30))
        measure("pca_reconstruction 1.5M x 30", lambda: drift.pca_reconstruction(ref, cur), after=0.7)
    elif which == "report":
        n = 12_000_000
        ref, cur = {"a": rng.normal(size=n)}, {"a": rng.normal(size=n)}
        measure("report 12M+12M, 1 column", lambda: drift.report(ref, cur, tests=["ks", "wasserstein"]))
        started = time.perf_counter()
        drift.report(ref, cur, tests=["ks", "wasserstein"], progress=False)
        print("full report", time.perf_counter() - started)
        started = time.perf_counter()
        np.sort(ref["a"])
        np.sort(cur["a"])
        print("numpy sort of both samples", time.perf_counter() - started)
    else:
        raise SystemExit("usage: bench_drift_interrupt.py gbt|pca|report")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
