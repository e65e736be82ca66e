"""Monitor: how well does the model perform on data whose labels have not arrived yet?

[`CBPE`][assay.monitor.CBPE] is NannyML's confidence-based performance estimation for binary
classifiers: the scores are calibrated on a labelled reference (isotonic regression), and each
chunk of current data gets the expected accuracy, precision, recall, F1, specificity and
ROC-AUC, an interval where the realised metric will fall, and an alert when the estimate
leaves the band the reference chunks set. The confusion-matrix metrics use the exact
Poisson-binomial distribution of the confusion counts (NannyML reports the ratio of expected
counts, biased on small chunks); the reference band comes from cross-fitted estimates, not
in-sample ones. ``convention="nannyml"`` reproduces NannyML's numbers. The engine runs in the
C++ core; the monitor guide gives the definitions.

Examples
--------
>>> import numpy as np
>>> from assay import monitor
>>> rng = np.random.default_rng(1)
>>> p = rng.beta(2, 3, 12_000)
>>> y = (rng.random(p.size) < p).astype(int)
>>> cbpe = monitor.CBPE(metrics=["roc_auc", "recall"], n_chunks=4).fit(y[:6000], p[:6000])
>>> result = cbpe.estimate(p[6000:])
>>> result.to_frame()[["label", "metric"]].shape
(8, 2)
"""

from __future__ import annotations

from ._cbpe import CBPE, METRICS, CBPEResult

__all__ = ["CBPE", "CBPEResult", "METRICS"]
