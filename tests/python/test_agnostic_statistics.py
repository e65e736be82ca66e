"""Statistics of the sampled KernelSHAP estimate, over many seeds: the error falls like
1/sqrt(budget) and the jackknife standard errors cover the truth at their nominal rate.

The game is a set function evaluated with numpy on the masks (no model calls), so
hundreds of designs take a second."""

from __future__ import annotations

import numpy as np
import pytest
from assay import _core

M = 14
_weights = np.random.default_rng(0).normal(size=M)


def game(masks: np.ndarray) -> np.ndarray:
    z = masks.astype(np.float64)
    return np.sin(z @ _weights) + 2.0 * z[:, 0] * z[:, 1] * z[:, 2] - z[:, 3] * z[:, 4] + 0.5 * z[:, 5] * z[:, 6]


def exact_values() -> np.ndarray:
    design = _core.agnostic.gray_code_design(M)
    values = game(design.masks)[None, :, None]
    return _core.agnostic.exact_values(design, values, 1)[0, :, 0]


def estimate(budget: int, seed: int, sampling: str = "kernel") -> tuple[np.ndarray, np.ndarray, int]:
    design = _core.agnostic.kernel_design(M, budget, seed, sampling=_core.agnostic.Sampling[sampling])
    values = game(design.masks)[None, :, None]
    full = game(np.ones((1, M)))[None, :]
    empty = game(np.zeros((1, M)))
    phi, errors = _core.agnostic.kernel_values(design, values, full, empty, 1)
    return phi[0, :, 0], errors[0, :, 0], int((design.groups >= 0).sum())


@pytest.mark.parametrize("sampling", ["kernel", "leverage"])
def test_error_falls_like_one_over_square_root_of_the_budget(sampling):
    truth = exact_values()
    sampled, rmse = [], []
    for budget in (250, 500, 1000, 2000):
        errors = []
        for seed in range(40):
            phi, _, n_sampled = estimate(budget, seed, sampling)
            errors.append(np.mean((phi - truth) ** 2))
        sampled.append(n_sampled)
        rmse.append(np.sqrt(np.mean(errors)))
    slope = np.polyfit(np.log(sampled), np.log(rmse), 1)[0]
    assert -0.75 < slope < -0.35, (sampled, rmse, slope)


@pytest.mark.parametrize("sampling", ["kernel", "leverage"])
def test_standard_errors_cover_the_truth_at_the_nominal_rate(sampling):
    truth = exact_values()
    covered, total = 0, 0
    for seed in range(200):
        phi, errors, _ = estimate(600, seed, sampling)
        assert np.all(errors > 0)
        covered += int(np.sum(np.abs(phi - truth) <= 1.96 * errors))
        total += M
    rate = covered / total
    # 95% nominal; the 16-group jackknife has about 15 degrees of freedom, hence slightly under.
    assert 0.88 <= rate <= 0.99, rate
