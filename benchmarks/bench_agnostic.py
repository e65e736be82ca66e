"""assay's model-agnostic explainers against shap's KernelExplainer, side by side in one run.

Three cases from issue 6, sized to keep the run within about five minutes on a shared
2-core machine (shap is timed on fewer rows where noted; its cost is per row):

1. shap #3943: a linear SVC, 100 features, 100 background rows, default budget
   (2M + 2048 = 2,248 coalitions). Overhead = total time minus the time spent inside
   the model's decision_function, both tools at the same number of evaluations.
2. Models assay evaluates natively (gradient boosting, logistic regression), end to end.
3. Accuracy: mean squared error to the exact Shapley values at equal budget, over
   several seeds (shap with l1_reg=False, its unregularised estimate).

    ./dev.sh bench agnostic
"""

from __future__ import annotations

import time

import numpy as np
from harness import Results, format_seconds, time_call, update_doc

THREADS = 2


class TimedModel:
    """Wraps a model function and adds up the seconds spent inside it."""

    def __init__(self, function):
        self.function, self.seconds, self.rows = function, 0.0, 0

    def __call__(self, X):
        start = time.perf_counter()
        out = self.function(X)
        self.seconds += time.perf_counter() - start
        self.rows += len(X)
        return out


def main() -> None:
    import shap
    from assay.explain import ExactExplainer, KernelExplainer
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    results = Results("agnostic")
    notes: list[str] = []
    rng = np.random.default_rng(0)

    # 1. shap #3943: linear SVC, 100 features.
    X = rng.normal(size=(600, 100))
    y = (X[:, :10].sum(axis=1) + rng.normal(size=600)) > 0
    svc = LinearSVC(dual=False).fit(X, y)
    background, rows = X[:100], X[100:110]
    case = "#3943 linear SVC, 100 features, 100 background, 10 rows"
    ours = TimedModel(svc.decision_function)
    start = time.perf_counter()
    KernelExplainer(ours, background, n_jobs=THREADS, progress=False)(rows)
    total = time.perf_counter() - start
    theirs = TimedModel(svc.decision_function)
    start = time.perf_counter()
    shap.KernelExplainer(theirs, background).shap_values(rows, l1_reg=False, silent=True)
    shap_total = time.perf_counter() - start
    results.add(case + ": total", "assay", total)
    results.add(case + ": total", "shap KernelExplainer", shap_total)
    results.add(case + ": overhead (total - model)", "assay", total - ours.seconds, f"{ours.rows:,} model rows")
    results.add(
        case + ": overhead (total - model)",
        "shap KernelExplainer",
        shap_total - theirs.seconds,
        f"{theirs.rows:,} model rows",
    )
    notes.append(
        f"#3943: time inside decision_function: assay {format_seconds(ours.seconds)}, "
        f"shap {format_seconds(theirs.seconds)}; "
        f"overhead ratio shap/assay = {(shap_total - theirs.seconds) / (total - ours.seconds):.1f}x."
    )

    # 2. Native models, end to end (assay evaluates them in C++; shap calls predict).
    X = rng.normal(size=(2000, 20))
    target = X[:, 0] + X[:, 1] * X[:, 2] + np.sin(X[:, 3]) + 0.1 * rng.normal(size=2000)
    boosting = GradientBoostingRegressor(n_estimators=100, max_depth=3, random_state=0).fit(X, target)
    logistic = LogisticRegression().fit(X, target > 0)
    background = X[:100]
    for name, model, function in [
        ("gradient boosting 100x depth 3", boosting, boosting.predict),
        ("logistic regression", logistic, logistic.decision_function),
    ]:
        case = f"native {name}, 20 features, 100 background, nsamples 500"
        n_rows, shap_rows = 100, 5
        # End to end (the explainer built in each call), median of warm calls, as elsewhere.
        results.add(
            case,
            "assay",
            time_call(
                lambda model=model, n_rows=n_rows: KernelExplainer(model, background, n_jobs=THREADS, progress=False)(
                    X[-n_rows:], nsamples=500
                )
            ),
            f"{n_rows} rows",
        )
        start = time.perf_counter()
        shap.KernelExplainer(function, background).shap_values(X[-shap_rows:], nsamples=500, l1_reg=False, silent=True)
        results.add(
            case,
            "shap KernelExplainer",
            (time.perf_counter() - start) / shap_rows * 100,
            f"{shap_rows} rows, scaled to 100 rows",
        )

    # 3. Accuracy at equal budget: 12 features, exact values from ExactExplainer.
    M, budget, n_rows, seeds = 12, 300, 10, 40
    X = rng.normal(size=(400, M))
    weights = rng.normal(size=(M,))

    def model(Z):
        return np.tanh(Z @ weights) + Z[:, 0] * Z[:, 1] * Z[:, 2] + np.sin(Z[:, 3] * Z[:, 4])

    background, rows = X[:30], X[-n_rows:]
    exact = ExactExplainer(model, background, n_jobs=THREADS, progress=False)(rows).values
    mse: dict[str, list[float]] = {"kernel": [], "leverage": [], "per_background": [], "shap": []}
    for seed in range(seeds):
        for variant in ("kernel", "leverage", "per_background"):
            options = {"per_background": True} if variant == "per_background" else {"sampling": variant}
            explainer = KernelExplainer(model, background, n_jobs=THREADS, seed=seed, progress=False, **options)
            mse[variant].append(np.mean((explainer(rows, nsamples=budget).values - exact) ** 2))
        np.random.seed(seed)
        theirs = shap.KernelExplainer(model, background).shap_values(rows, nsamples=budget, l1_reg=False, silent=True)
        mse["shap"].append(np.mean((np.asarray(theirs) - exact) ** 2))
    kernel, leverage, per_background, reference = (
        np.mean(mse[k]) for k in ("kernel", "leverage", "per_background", "shap")
    )
    notes.append(
        f"Accuracy, {M} features, {len(background)} background rows, budget {budget} coalitions, "
        f"{n_rows} rows x {seeds} "
        f"seeds: MSE to the exact values assay {kernel:.3g} (sampling='kernel'), {leverage:.3g} (sampling='leverage'), "
        f"{per_background:.3g} (per_background=True); shap KernelExplainer (l1_reg=False) {reference:.3g}; ratios to "
        f"shap {kernel / reference:.2f}, {leverage / reference:.2f} and {per_background / reference:.2f}."
    )

    markdown = (
        "assay with n_jobs=2; shap's KernelExplainer is single-threaded.\n\n"
        + results.markdown()
        + "\n\n"
        + "\n".join(f"- {n}" for n in notes)
    )
    print(markdown)
    update_doc("agnostic", "## Model-agnostic explainers (assay.explain)\n\n" + markdown, "./dev.sh bench agnostic")


if __name__ == "__main__":
    main()
