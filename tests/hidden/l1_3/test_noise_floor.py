"""Hidden checks for `noise_floor` (the loss no linear model can beat)."""

import torch

from looplab.checks import as_float, expect, fail, likely, linear_data, points


def _floor(student, X, y) -> float:
    return as_float(student.noise_floor(X, y), "noise_floor", strict=True)


def _diagnose(got: float, X: torch.Tensor, y: torch.Tensor) -> str:
    X64, y64 = X.double(), y.double()
    no_bias = torch.linalg.lstsq(X64, y64).solution
    mse_no_bias = ((X64 @ no_bias - y64) ** 2).mean().item()
    if abs(got - mse_no_bias) <= 1e-3 * mse_no_bias:
        return likely("the fit has no bias; add a column of ones to X so b is fitted too")
    A = torch.cat([X64, torch.ones(len(X64), 1, dtype=torch.float64)], dim=1)
    sse = ((A @ torch.linalg.lstsq(A, y64).solution - y64) ** 2).sum().item()
    if abs(got - sse) <= 1e-3 * sse:
        return likely("this is the sum of squared residuals; divide by N for the mean")
    return ""


@points("noise_floor", 1)
def test_matches_least_squares_reference(student, reference):
    for n, d, seed in [(200, 1, 41), (500, 5, 42)]:
        X, y, _, _ = linear_data(n, d, seed=seed, noise=0.3)
        got, want = _floor(student, X, y), reference.noise_floor(X, y)
        if abs(got - want) > 1e-4 + 1e-3 * abs(want):
            fail(f"noise_floor returned {got:.6g}, expected {want:.6g} (N={n}, d={d}, noise 0.3)"
                 + _diagnose(got, X, y))


@points("noise_floor", 1)
def test_floor_is_the_noise_variance_and_no_run_beats_it(student, reference):
    X, y, w0, b0 = linear_data(10_000, 3, seed=43, noise=0.3)
    floor = _floor(student, X, y)
    expect(abs(floor - 0.09) < 0.01,
           f"noise_floor returned {floor:.4g} on 10,000 samples with noise of standard deviation "
           f"0.3; the least-squares loss should be close to the noise variance 0.09")
    trained = reference.train_batch(X, y, w0, b0, 200, 0.1)
    expect(min(trained) >= floor - 1e-6,
           f"full-batch training reached {min(trained):.5g}, below your noise floor {floor:.5g}; "
           f"the floor must be the lowest loss any w, b can reach")
