"""assay.audit against the same work done by hand, and against the engines it calls.

Data: 1M reference + 1M current rows x 50 columns (40 numeric, 7 categorical, 2
sensitive features, a binary target), generated here from a seed, the current data drifted
(shifted and rescaled numeric columns, re-weighted categories and groups). Model: an
XGBoost classifier of 300 trees of depth 6 on the 40 numeric columns, trained (untimed) on
50k reference rows. Explanations on 10k current rows (explain.sample_size). Timed in the
same run:

(a) ``assay.audit(reference, current, target=, model=, sensitive_features=[sex, age_band])``
    with the default configuration (1,000 bootstrap replicates for every interval) and with
    ``n_boot: 0`` (point estimates, as the by-hand pipeline gives), each section timed
    inside the run;
(b) the engines' own calls the audit makes, through the public API, on the same data and
    settings: the input conversion, the model's predictions (its trees summed in assay's
    core, as the audit does for XGBoost models), ``assay.quality.check`` on both
    tables, ``assay.drift.report`` (features, target, predicted label and score), the
    performance and fairness ``assay.fairness.MetricFrame`` (+ calibration curves,
    four-fifths rule) with the same bootstrap, and ``assay.explain.TreeExplainer`` on the
    same 10k rows;
(c) by hand: Evidently's ``Report([DataDriftPreset()])`` on the same columns (in its own
    environment, ASSAY_EVIDENTLY_PYTHON, through tests/python/evidently_runner.py, timed
    inside the subprocess on the data written as parquet first), fairlearn's
    ``MetricFrame`` for the same performance and fairness metrics per sensitive feature
    (and their intersection), shap's ``TreeExplainer`` on the same 10k rows, and XGBoost's
    own predictions (``predict_proba``). fairlearn's bootstrap (``n_boot``) is timed with 2
    replicates and scaled to 1,000, as in the fairness benchmark. The by-hand pipeline has
    no data-quality step.

Then the model card of a 120-column audit: the size of ``to_html`` and ``to_json``, and the
time headless Chromium (Playwright, Debian's chromium) takes from navigation to the first
frame painted after the load event (median of 3 fresh pages).

Set ASSAY_BENCH_SCALE (default 1.0) to shrink the row counts, e.g. 0.05 for a quick run.

    ./dev.sh bench audit
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from harness import Results, format_seconds, update_doc

SCALE = float(os.environ.get("ASSAY_BENCH_SCALE", "1.0"))
N_ROWS = int(1_000_000 * SCALE)
N_NUMERIC, N_CATEGORICAL = 40, 7  # + 2 sensitive features + the target = 50 columns
CARD_NUMERIC, CARD_CATEGORICAL = 100, 17  # + 3 = 120 columns
CARD_ROWS = 100_000  # the card's size does not grow with the rows (charts are binned, scatter plots capped)
TRAIN_ROWS = 50_000
N_TREES, DEPTH = 300, 6
EXPLAIN_ROWS = 10_000
N_BOOT = 1_000  # the configuration's default
FAIRLEARN_BOOT = 2
FAIRLEARN_BOOT_ROWS = 100_000  # fairlearn's replicates are timed on this many rows per table, scaled linearly
SENSITIVE = ["sex", "age_band"]
LATER_SECTIONS = ("slices", "review", "monitor")  # the sections no by-hand contender does
TARGET = "y"
SEED = 0
THREADS = os.cpu_count() or 1
COMMAND = "./dev.sh bench audit"
ROOT = Path(__file__).resolve().parent.parent


# -- data and model ---------------------------------------------------------------------------


def make_table(n_rows: int, n_numeric: int, n_categorical: int, drifted: bool, seed: int) -> pd.DataFrame:
    """Numeric columns (a few with 1% missing), categorical columns, two sensitive features
    and a binary target from a logistic model; ``drifted`` shifts the distributions."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    for j in range(n_numeric):
        shift = 0.05 * (j % 5) if drifted else 0.0
        scale = 1.3 if drifted and j % 7 == 0 else 1.0
        x = rng.normal(shift, scale, n_rows)
        if j % 13 == 3:
            x[rng.random(n_rows) < 0.01] = np.nan
        columns[f"x{j}"] = x
    for j in range(n_categorical):
        n_levels = 4 + j % 8
        weights = np.ones(n_levels)
        if drifted and j % 2 == 0:
            weights[0] = 2.0
        codes = rng.choice(n_levels, size=n_rows, p=weights / weights.sum())
        columns[f"c{j}"] = pd.Categorical.from_codes(codes, categories=[f"level_{k}" for k in range(n_levels)])
    sex = (rng.random(n_rows) < (0.45 if drifted else 0.5)).astype(np.int64)
    age = rng.choice(4, size=n_rows, p=[0.15, 0.3, 0.3, 0.25] if drifted else [0.2, 0.3, 0.3, 0.2])
    columns["sex"] = pd.Categorical.from_codes(sex, categories=["female", "male"])
    columns["age_band"] = pd.Categorical.from_codes(age, categories=["18-29", "30-44", "45-64", "65+"])
    x = [np.nan_to_num(columns[f"x{j}"]) for j in range(10)]  # type: ignore[arg-type]
    logit = 0.8 * x[0] - 0.6 * x[1] + 0.5 * x[2] * x[3] + 0.4 * np.sin(3 * x[4]) + 0.3 * (x[5] > 0.5)
    logit += sum(0.2 * v for v in x[6:10]) + 0.3 * sex - 0.15 * age - 0.2
    columns[TARGET] = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pd.DataFrame(columns)


def make_data(n_rows: int, n_numeric: int, n_categorical: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    reference = make_table(n_rows, n_numeric, n_categorical, drifted=False, seed=SEED)
    current = make_table(n_rows, n_numeric, n_categorical, drifted=True, seed=SEED + 1)
    return reference, current, [f"x{j}" for j in range(n_numeric)]


def train(reference: pd.DataFrame, features: list[str]):
    """300 trees of depth 6 on a subsample of the reference (untimed); the model reads the
    numeric columns by name."""
    import xgboost as xgb

    rows = reference.iloc[: min(TRAIN_ROWS, len(reference))]
    model = xgb.XGBClassifier(
        n_estimators=N_TREES, max_depth=DEPTH, learning_rate=0.1, tree_method="hist", n_jobs=THREADS, random_state=SEED
    )
    return model.fit(rows[features], rows[TARGET])


def explained_rows(n_rows: int) -> np.ndarray:
    """The current rows the audit's explain section draws (seed, stream 2; kept in order)."""
    if n_rows <= EXPLAIN_ROWS:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng([SEED, 2]).choice(n_rows, size=EXPLAIN_ROWS, replace=False))


# -- timing helpers -----------------------------------------------------------------------------


class Stopwatch:
    """Seconds spent per named step, summed over calls. A step named ``"section: part"`` is
    a part of the step ``section`` and does not count in the total."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def step(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start

    @property
    def total(self) -> float:
        return top_level(self.seconds)


def top_level(seconds: dict[str, float]) -> float:
    return sum(s for name, s in seconds.items() if ": " not in name)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def median_runs(runs: list, repeat: int) -> list[tuple[float, dict[str, float]]]:
    """For each of ``runs`` (functions of a stopwatch), the median total of ``repeat`` runs and
    the steps of the median run. The runs alternate (a, b, a, b, ...), so that a change in the
    machine's load falls on both sides of a ratio."""
    timings: list[list[tuple[float, dict[str, float]]]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, times in zip(runs, timings):
            watch = Stopwatch()
            start = time.perf_counter()
            run(watch)
            times.append((time.perf_counter() - start, dict(watch.seconds)))
    return [sorted(times, key=lambda r: r[0])[(repeat - 1) // 2] for times in timings]


# -- (a) the audit, each section timed ------------------------------------------------------------


@contextmanager
def timed_audit(watch: Stopwatch):
    """Times the audit's steps by wrapping its section runners and helpers (restored after)."""
    from assay._audit import _runner
    from assay._audit.sections import performance

    originals = {
        "_RUNNERS": dict(_runner._RUNNERS),
        "_table": _runner._table,
        "_lineage": _runner._lineage,
        "_card": _runner._card,
        "evaluate_gates": _runner.evaluate_gates,
    }
    predict = _runner.Model.predict
    metric_frame = performance.metric_frame

    def wrap(name, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            with watch.step(name):
                return fn(*args, **kwargs)

        return timed

    _runner._RUNNERS.update({name: wrap(name, fn) for name, fn in originals["_RUNNERS"].items()})
    _runner._table = wrap("input conversion", originals["_table"])
    _runner._lineage = wrap("lineage (fingerprints), card, gates", originals["_lineage"])
    _runner._card = wrap("lineage (fingerprints), card, gates", originals["_card"])
    _runner.evaluate_gates = wrap("lineage (fingerprints), card, gates", originals["evaluate_gates"])
    _runner.Model.predict = wrap("prediction", predict)  # type: ignore[method-assign]

    def frame(metrics, *args, **kwargs):
        with watch.step("performance: MetricFrame " + ", ".join(metrics)):
            return metric_frame(metrics, *args, **kwargs)

    performance.metric_frame = frame
    try:
        yield
    finally:
        _runner._RUNNERS.clear()
        _runner._RUNNERS.update(originals["_RUNNERS"])
        _runner._table = originals["_table"]
        _runner._lineage = originals["_lineage"]
        _runner._card = originals["_card"]
        _runner.evaluate_gates = originals["evaluate_gates"]
        _runner.Model.predict = predict  # type: ignore[method-assign]
        performance.metric_frame = metric_frame


def run_audit(reference, current, model, n_boot: int, watch: Stopwatch | None = None):
    import assay

    config = {"n_boot": n_boot, "explain": {"sample_size": EXPLAIN_ROWS}}
    with timed_audit(watch or Stopwatch()):
        return assay.audit(
            reference, current, target=TARGET, model=model, sensitive_features=SENSITIVE, config=config, progress=False
        )


# -- (b) the engines' own calls -----------------------------------------------------------------


def run_engines(reference, current, model, features, n_boot: int, watch: Stopwatch) -> None:
    """The engine calls the audit makes, with its default settings, through the public API."""
    from assay import _core, drift, explain, fairness, monitor, quality, review, slices
    from assay._frame import Frame, as_column, as_frame

    tables = {"reference": reference, "current": current}
    with watch.step("input conversion"):
        frames = {
            "reference": as_frame(reference, argument="reference"),
            "current": as_frame(current, argument="current"),
        }
    tables = {"reference": reference, "current": current}
    with watch.step("prediction"):
        # As the audit predicts an XGBoost model (model.evaluation: auto): the trees in the core.
        trees = explain.tree_model(model).ensemble
        proba = {}
        for which, frame in frames.items():
            margin = np.asarray(_core.explain.tree_predict(trees, frame.select(features).core_columns(), THREADS))
            positive = 0.5 * (1.0 + np.tanh(0.5 * margin[:, 0]))
            proba[which] = np.column_stack([1 - positive, positive])
    label = {which: p.argmax(axis=1).astype(np.int64) for which, p in proba.items()}
    truth = {which: table[TARGET].to_numpy() for which, table in tables.items()}

    with watch.step("quality"):
        quality.check(frames["reference"], target=TARGET, progress=False)
        quality.check(frames["current"], target=TARGET, reference=frames["reference"], progress=False)

    with watch.step("explain"):
        rows = current.iloc[explained_rows(len(current))][features]
        explain.TreeExplainer(model, progress=False)(rows)

    with watch.step("drift"):
        with_outputs = {
            which: Frame(
                [
                    *frame.columns,
                    as_column(label[which], name="prediction"),
                    as_column(proba[which][:, 1], name="prediction_score"),
                ],
                frame.n_rows,
            )
            for which, frame in frames.items()
        }
        drift.report(
            with_outputs["reference"],
            with_outputs["current"],
            columns=[c for c in reference.columns if c != TARGET],
            target=TARGET,
            prediction=["prediction", "prediction_score"],
            progress=False,
        )

    boot = {"n_boot": n_boot or None, "random_state": SEED, "min_support": 30, "observed": True, "progress": False}
    groups = {which: {f: table[f].array for f in SENSITIVE} for which, table in tables.items()}
    with watch.step("performance"):
        label_metrics = {
            "accuracy": fairness.accuracy_score,
            "precision": functools.partial(fairness.precision_score, pos_label=1),
            "recall": functools.partial(fairness.recall_score, pos_label=1),
            "f1": functools.partial(fairness.f1_score, pos_label=1),
        }
        score_metrics = {
            "roc_auc": fairness.roc_auc_score,
            "brier_score": fairness.mean_squared_error,
            "ece": fairness.expected_calibration_error,
        }
        quantiles = {"ci_quantiles": [0.025, 0.975]} if n_boot else {}
        for which in tables:
            y, score = truth[which], proba[which][:, 1]
            losses = -np.log(np.clip(proba[which][np.arange(len(y)), y], np.finfo(np.float64).eps, 1.0))
            families = [(label_metrics, y, label[which]), (score_metrics, y, score)]
            families.append(({"log_loss": fairness.mean_prediction}, np.zeros(len(y)), losses))
            for metrics, y_true, y_pred in families:
                for feature in SENSITIVE:
                    with watch.step("performance: MetricFrame " + ", ".join(metrics)):
                        frame = fairness.MetricFrame(
                            metrics=metrics,
                            y_true=y_true,
                            y_pred=y_pred,
                            sensitive_features={feature: groups[which][feature]},
                            **quantiles,
                            **boot,
                        )
                        read_frame(frame)
            fairness.calibration_by_group(y, score, sensitive_features={"(all)": np.zeros(len(y), dtype=np.int64)})
            for feature in SENSITIVE:
                fairness.calibration_by_group(y, score, sensitive_features={feature: groups[which][feature]})

    with watch.step("fairness"):
        metrics = {
            "selection_rate": functools.partial(fairness.selection_rate, pos_label=1),
            "accuracy_score": fairness.accuracy_score,
            "true_positive_rate": functools.partial(fairness.true_positive_rate, pos_label=1),
            "false_positive_rate": functools.partial(fairness.false_positive_rate, pos_label=1),
        }
        quantiles = {"ci_quantiles": [0.0125, 0.025, 0.975, 0.9875]} if n_boot else {}
        for which in tables:
            for chosen in ([SENSITIVE[0]], [SENSITIVE[1]], SENSITIVE):
                sensitive = {f: groups[which][f] for f in chosen}
                frame = fairness.MetricFrame(
                    metrics=metrics,
                    y_true=truth[which],
                    y_pred=label[which],
                    sensitive_features=sensitive,
                    **quantiles,
                    **boot,
                )
                read_frame(frame)
                frame.difference(), frame.ratio()
                if n_boot:
                    frame.difference_ci(), frame.ratio_ci()
                fairness.four_fifths(label[which], sensitive_features=sensitive, pos_label=1)

    # The sections after the first five, with the audit's default settings.
    with watch.step("slices"):
        slices.find_slices(
            frames["current"].select(features),
            y_true=truth["current"],
            y_pred=label["current"],
            metric="error",
            max_level=2,
            min_support=0.01,
            alpha=0.95,
            k=10,
            n_bins=10,
        )
    with watch.step("review"):
        for feature in (None, *SENSITIVE):
            group = {
                which: None if feature is None else np.asarray(groups[which][feature], dtype=object) for which in tables
            }
            router = review.ReviewRouter(0.1, task="classification", score="lac", seed=SEED)
            router.fit(proba["reference"], truth["reference"], group["reference"]).route(
                proba["current"], group["current"]
            )
    with watch.step("monitor"):
        cbpe = monitor.CBPE(
            metrics=["accuracy", "precision", "recall", "f1", "specificity", "roc_auc"],
            n_chunks=10,
            sigma=3.0,
            seed=SEED,
        )
        cbpe.fit(truth["reference"], proba["reference"][:, 1])
        cbpe.estimate(proba["current"][:, 1], y_true=truth["current"])


def read_frame(frame) -> tuple:
    """What the audit reads of a MetricFrame: values, groups and intervals."""
    values = (frame.overall, frame.by_group, frame.to_dict())
    return values + ((frame.overall_ci, frame.by_group_ci) if frame.n_boot is not None else ())


# -- (c) by hand: Evidently + fairlearn + shap + xgboost -----------------------------------------


def evidently_seconds(reference, current, model, features) -> float | None:
    """Seconds of Evidently's DataDriftPreset on the features, target, predicted label and
    score (measured inside its process, reading the files excluded); None without Evidently."""
    python = os.environ.get("ASSAY_EVIDENTLY_PYTHON") or str(ROOT / ".venv-evidently" / "bin" / "python")
    if not Path(python).exists():
        print(f"  (Evidently skipped: {python} is missing; ./dev.sh bench creates it)")
        return None
    categorical = [c for c in reference.columns if isinstance(reference[c].dtype, pd.CategoricalDtype)]
    columns = {
        "numerical": [*features, "prediction_score"],
        "categorical": [*categorical, TARGET, "prediction"],
    }
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / name for name in ("reference.parquet", "current.parquet", "columns.json")]
        for table, path in zip((reference, current), paths):
            proba = model.predict_proba(table[features])
            written = table.assign(prediction=proba.argmax(axis=1), prediction_score=proba[:, 1])
            # Labels as plain strings, as the drift benchmark gives Evidently.
            written = written.astype({c: object for c in categorical})
            written.to_parquet(path)
        paths[2].write_text(json.dumps(columns))
        done = subprocess.run(
            [python, str(ROOT / "tests" / "python" / "evidently_runner.py"), "preset", *map(str, paths)],
            capture_output=True,
            text=True,
            check=True,
        )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def run_fairlearn(reference, current, model, features, n_boot: int | None, watch: Stopwatch) -> None:
    """The performance and fairness metrics per group with fairlearn and scikit-learn."""
    import fairlearn.metrics as flm
    import sklearn.metrics as skm

    boot = {} if not n_boot else {"n_boot": n_boot, "ci_quantiles": [0.025, 0.975], "random_state": SEED}
    label_metrics = {
        "accuracy": skm.accuracy_score,
        "precision": skm.precision_score,
        "recall": skm.recall_score,
        "f1": skm.f1_score,
    }
    score_metrics = {"roc_auc": skm.roc_auc_score, "log_loss": skm.log_loss, "brier_score": skm.brier_score_loss}
    fairness_metrics = {
        "selection_rate": flm.selection_rate,
        "accuracy": skm.accuracy_score,
        "true_positive_rate": flm.true_positive_rate,
        "false_positive_rate": flm.false_positive_rate,
    }
    for table in (reference, current):
        with watch.step("xgboost prediction"):
            proba = model.predict_proba(table[features])
        y, label, score = table[TARGET].to_numpy(), proba.argmax(axis=1), proba[:, 1]
        with watch.step("fairlearn MetricFrame"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for feature in SENSITIVE:
                for metrics, predicted in ((label_metrics, label), (score_metrics, score)):
                    frame = flm.MetricFrame(
                        metrics=metrics, y_true=y, y_pred=predicted, sensitive_features=table[feature], **boot
                    )
                    read = (frame.overall, frame.by_group)
            for chosen in ([SENSITIVE[0]], [SENSITIVE[1]], SENSITIVE):
                frame = flm.MetricFrame(
                    metrics=fairness_metrics, y_true=y, y_pred=label, sensitive_features=table[chosen], **boot
                )
                read = (frame.overall, frame.difference(), frame.ratio())
                by_group = frame.by_group
                read += (by_group["selection_rate"] / by_group["selection_rate"].max(),)  # four-fifths ratios


def run_shap(current, model, features, watch: Stopwatch) -> None:
    import shap

    rows = current.iloc[explained_rows(len(current))][features]
    with watch.step("shap TreeExplainer"):
        shap.TreeExplainer(model).shap_values(rows)


# -- the card of a 120-column audit -------------------------------------------------------------


def chromium() -> str | None:
    for name in (os.environ.get("ASSAY_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


_RENDER_TIMES = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const paints = Object.fromEntries(performance.getEntriesByType("paint").map(p => [p.name, p.startTime]));
    resolve({load: navigation.loadEventEnd, paint: paints["first-contentful-paint"] ?? null,
             frame: performance.now()});
})))"""


def render_times(path: Path, repeat: int = 3) -> dict[str, float] | None:
    """Median milliseconds from navigation to the load event's end, to the first contentful
    paint, and to the first frame painted after the load event, over ``repeat`` fresh pages."""
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if executable is None or sync_playwright is None:
        print("  (browser render skipped: chromium or playwright is missing)")
        return None
    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(repeat):
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.goto(path.resolve().as_uri(), wait_until="load")
            runs.append(page.evaluate(_RENDER_TIMES))
            context.close()
        browser.close()
    return {key: statistics.median(r[key] for r in runs if r[key] is not None) for key in ("load", "paint", "frame")}


def bench_card() -> list[str]:
    reference, current, features = make_data(CARD_ROWS, CARD_NUMERIC, CARD_CATEGORICAL)
    model = train(reference, features)
    start = time.perf_counter()
    result = run_audit(reference, current, model, N_BOOT)
    seconds = time.perf_counter() - start
    html, text = result.to_html(), result.to_json()
    html_mb, json_mb = len(html.encode()) / 2**20, len(text.encode()) / 2**20
    lines = [
        f"Card of a {reference.shape[1]}-column audit ({CARD_ROWS:,}+{CARD_ROWS:,} rows, the default configuration, "
        f"audit {format_seconds(seconds)}): HTML {html_mb:.2f} MB, JSON {json_mb:.2f} MB (target: under 5 MB)."
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "card.html"
        path.write_text(html, encoding="utf-8")
        times = render_times(path)
    if times is not None:
        lines.append(
            f"Browser render (headless Chromium, median of 3 fresh pages, from navigation): load event "
            f"{times['load'] / 1e3:.2f} s, first contentful paint {times['paint'] / 1e3:.2f} s, first frame after "
            f"the load event {times['frame'] / 1e3:.2f} s (target: under 2 s)."
        )
    for line in lines:
        print("  " + line, flush=True)
    return lines


# -- the benchmark ------------------------------------------------------------------------------


def breakdown_table(audit_steps: dict[str, float], engine_steps: dict[str, float], audit_total: float) -> str:
    order = [
        "input conversion",
        "prediction",
        "quality",
        "explain",
        "drift",
        "performance",
        "fairness",
        "slices",
        "review",
        "monitor",
    ]
    other = "lineage (fingerprints), card, gates"
    lines = ["| step | in the audit | engines' own calls | audit / engines |", "|---|---:|---:|---:|"]
    parts = sorted({name for name in [*audit_steps, *engine_steps] if ": " in name})
    for step in order:
        for name in [step, *(p for p in parts if p.startswith(step + ": "))]:
            ours, theirs = audit_steps.get(name, 0.0), engine_steps.get(name, 0.0)
            ratio = f"{ours / theirs:.2f}x" if theirs > 0 else ""
            shown = f"&nbsp;&nbsp;{name.split(': ', 1)[1]}" if name != step else step
            lines.append(f"| {shown} | {format_seconds(ours)} | {format_seconds(theirs)} | {ratio} |")
    rest = audit_total - sum(audit_steps.get(s, 0.0) for s in order)
    lines.append(f"| {other}, other | {format_seconds(rest)} | | |")
    return "\n".join(lines)


def main() -> None:
    print(f"  load average (1/5 min) at the start: {load()}", flush=True)
    reference, current, features = make_data(N_ROWS, N_NUMERIC, N_CATEGORICAL)
    start = time.perf_counter()
    model = train(reference, features)
    print(f"  data {reference.shape} x 2, model trained in {time.perf_counter() - start:.1f} s", flush=True)
    # Warm-up on a slice: imports, thread pools, the first call of every library.
    small = reference.iloc[:5000], current.iloc[:5000]
    run_audit(*small, model, 10)
    run_engines(*small, model, features, 10, Stopwatch())
    run_fairlearn(*small, model, features, None, Stopwatch())
    run_shap(small[1], model, features, Stopwatch())

    results = Results("audit")
    notes: list[str] = []
    breakdowns: dict[int, tuple[dict, dict, float]] = {}
    loads = {}
    for n_boot in (0, N_BOOT):
        case = f"{N_ROWS:,}+{N_ROWS:,} rows x 50 cols, 300 trees x depth 6, 10k explained, " + (
            "n_boot=0 (point estimates)" if n_boot == 0 else f"n_boot={n_boot} (default)"
        )
        print(f"  {case}: load average {load()}", flush=True)
        # Point estimates take seconds: three alternating runs each; the bootstrap one at full size.
        repeat = 3 if n_boot == 0 or N_ROWS <= 100_000 else 1
        (audit_total, audit_steps), (_, engine_steps) = median_runs(
            [
                lambda w, n=n_boot: run_audit(reference, current, model, n, w),
                lambda w, n=n_boot: run_engines(reference, current, model, features, n, w),
            ],
            repeat,
        )
        results.add(case, "assay.audit", audit_total)
        results.add(
            case,
            "sum of the engines' own calls",
            top_level(engine_steps),
            f"audit / engines = {audit_total / top_level(engine_steps):.2f}x (target <= 1.1x)",
        )
        breakdowns[n_boot] = (audit_steps, engine_steps, audit_total)
        loads[n_boot] = load()

    by_hand = Stopwatch()
    print(f"  by hand: load average {load()}", flush=True)
    run_fairlearn(reference, current, model, features, None, by_hand)
    run_shap(current, model, features, by_hand)
    evidently = evidently_seconds(reference, current, model, features)
    if evidently is not None:
        by_hand.seconds["Evidently DataDriftPreset"] = evidently
    subset = reference.iloc[:FAIRLEARN_BOOT_ROWS], current.iloc[:FAIRLEARN_BOOT_ROWS]
    point, booted = Stopwatch(), Stopwatch()
    run_fairlearn(*subset, model, features, None, point)
    run_fairlearn(*subset, model, features, FAIRLEARN_BOOT, booted)
    extra = booted.seconds["fairlearn MetricFrame"] - point.seconds["fairlearn MetricFrame"]
    per_replicate = max(extra, 0.0) / FAIRLEARN_BOOT * N_ROWS / len(subset[0])
    parts = ", ".join(f"{name} {format_seconds(s)}" for name, s in by_hand.seconds.items())
    point_case = next(r.case for r in results.rows if "n_boot=0" in r.case)
    boot_case = next(r.case for r in results.rows if "n_boot=0" not in r.case)
    # The by-hand pipeline does what the audit's first five sections do (with less: no quality
    # checks, no calibration); the audit's slices, review and monitor sections are left out of
    # the comparison with it.
    audit_point, audit_boot = (
        breakdowns[n][2] - sum(breakdowns[n][0].get(step, 0.0) for step in LATER_SECTIONS) for n in (0, N_BOOT)
    )
    results.add(point_case, "assay.audit without slices, review, monitor", audit_point, "compared with by hand")
    results.add(boot_case, "assay.audit without slices, review, monitor", audit_boot, "compared with by hand")
    hand = by_hand.total
    results.add(point_case, "by hand: Evidently + fairlearn + shap + xgboost", hand, parts)
    hand_boot = hand + per_replicate * N_BOOT
    results.add(
        boot_case,
        "by hand, fairlearn with n_boot=1000",
        hand_boot,
        f"fairlearn's bootstrap timed with {FAIRLEARN_BOOT} replicates on {len(subset[0]):,}+{len(subset[0]):,} rows, "
        f"scaled linearly to all rows ({format_seconds(per_replicate)} per replicate) and to {N_BOOT} replicates",
    )
    results.add(boot_case, "by hand without intervals", hand, "fairlearn MetricFrame without n_boot")
    # The by-hand pipeline checks no data quality: the audit without its quality section does
    # what it does (and the calibration curves besides).
    audit_like_hand = audit_point - breakdowns[0][0].get("quality", 0.0)
    notes.append(
        f"By hand / audit (its first five sections): {hand / audit_point:.1f}x with point estimates on both sides; "
        f"{hand_boot / audit_boot:.0f}x with 1,000 bootstrap replicates on both sides; "
        f"{hand / audit_boot:.1f}x for the audit with intervals against by hand without (target >= 30x). "
        f"Without the quality section, which the by-hand pipeline has no counterpart for, the audit's point "
        f"estimates take {format_seconds(audit_like_hand)}: by hand / audit {hand / audit_like_hand:.1f}x."
    )
    if evidently is None:
        notes.append("Evidently was not run: the by-hand times lack its share.")
    notes.append(
        "The by-hand pipeline runs no data-quality checks and no calibration curves; fairlearn's groups are "
        "those of each sensitive feature and of their intersection, as the audit's."
    )
    for n_boot, (audit_steps, engine_steps, audit_total) in breakdowns.items():
        notes.append(
            f"Where the time goes, n_boot={n_boot} (load average {loads[n_boot]} after the run):\n\n"
            + breakdown_table(audit_steps, engine_steps, audit_total)
        )
    print(f"  load average at the end of the timings: {load()}", flush=True)
    card = bench_card()
    table = results.markdown(baseline="assay.audit")
    markdown = (
        "## Audit (`assay.audit`)"
        + ("" if SCALE == 1.0 else f" (ASSAY_BENCH_SCALE={SCALE})")
        + f"\n\n{THREADS} threads for assay and XGBoost; shap's TreeExplainer calls XGBoost's pred_contribs.\n\n"
        + table
        + "\n\n"
        + "\n\n".join(notes + card)
        + f"\n\nLoad average (1/5 min) when the timings ended: {load()} (a shared machine)."
    )
    print(markdown)
    update_doc("audit", markdown, COMMAND if SCALE == 1.0 else f"ASSAY_BENCH_SCALE={SCALE} {COMMAND}")


if __name__ == "__main__":
    main()
