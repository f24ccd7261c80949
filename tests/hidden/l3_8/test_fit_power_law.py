"""Hidden checks for `fit_power_law`: an exact power law is recovered; noisy losses give the reference's
least-squares fit in log-log space; plain Python floats; the lists are left unchanged; ValueError for
fewer than two points, lengths that differ, a value that is not positive, or sizes all equal."""

from __future__ import annotations

import math

from looplab.checks import as_float, as_pair, describe, expect, expect_raises, fail, gen, likely, points

NAME = "fit_power_law"


def read(result) -> tuple[float, float]:
    a, alpha = as_pair(result, NAME, "(a, alpha)")
    return as_float(a, f"{NAME}'s a", strict=True), as_float(alpha, f"{NAME}'s alpha", strict=True)


def diagnose(got: tuple[float, float], want: tuple[float, float], sizes, losses) -> str | None:
    a, alpha = want
    lx = [math.log(n) for n in sizes]
    candidates = {
        "alpha has the wrong sign: L = a N^(-alpha), so alpha is minus the log-log slope": (a, -alpha),
        "a is returned as its logarithm: a = exp(intercept)": (math.log(a), alpha),
        "a is 10**intercept of a natural-log fit (or exp of a log10 one): use one base throughout":
            (10 ** math.log(a), alpha),
        "only the first and last points are used: fit all of them by least squares in log-log space":
            (math.exp(math.log(losses[0]) + (math.log(losses[0]) - math.log(losses[-1])) / (lx[-1] - lx[0]) * lx[0]),
             (math.log(losses[0]) - math.log(losses[-1])) / (lx[-1] - lx[0])),
    }
    for message, (ca, calpha) in candidates.items():
        if math.isclose(got[0], ca, rel_tol=1e-6) and math.isclose(got[1], calpha, rel_tol=1e-6):
            return message
    if math.isclose(got[1], alpha, rel_tol=1e-6):
        return None
    return ("the fit is not a least-squares line through (ln N, ln L): fit ln L = ln a - alpha ln N; a fit "
            "of L itself, or of ln N on ln L, gives another exponent")


def expect_fit(student, reference, sizes: list[float], losses: list[float], label: str) -> None:
    got = read(student.fit_power_law(sizes, losses))
    want = reference.fit_power_law(sizes, losses)
    for what, g, w in (("alpha", got[1], want[1]), ("a", got[0], want[0])):
        if not math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-12):
            fail(f"{NAME} returned {what}={g:.8g}, expected {w:.8g} ({label}: "
                 f"{describe(sizes=[f'{n:.3g}' for n in sizes], losses=[f'{v:.4g}' for v in losses])})"
                 + likely(diagnose(got, want, sizes, losses)))


@points(NAME, 2)
def test_recovers_exact_law_and_matches_reference_on_noisy_losses(student, reference):
    sizes = [1e3, 1e4, 1e5, 1e6, 1e7]
    expect_fit(student, reference, sizes, [5.0 * n ** -0.076 for n in sizes], "an exact law a=5, alpha=0.076")
    g = gen(3)
    import torch
    noise = (0.05 * torch.randn(6, generator=g, dtype=torch.float64)).exp().tolist()
    sizes = [2.0 ** k * 1000 for k in range(6)]
    expect_fit(student, reference, sizes, [12.0 * n ** -0.3 * e for n, e in zip(sizes, noise)],
               "a=12, alpha=0.3, multiplicative noise")
    expect_fit(student, reference, [10.0, 1000.0], [3.0, 1.5], "two points")


@points(NAME, 1)
def test_contract_inputs_unchanged_and_bad_input(student):
    sizes, losses = [1e3, 1e4, 1e5], [4.0, 3.0, 2.5]
    reply = student.call(NAME, sizes, losses, return_args=True)
    read(reply["result"])
    expect(reply["args_after"][0] == sizes and reply["args_after"][1] == losses,
           f"{NAME} changed the lists it was given; leave sizes and losses as they were")
    for bad_sizes, bad_losses, why in (([1e3], [2.0], "one point"), ([1e3, 1e4], [2.0], "lengths differ"),
                                       ([1e3, 0.0], [2.0, 1.0], "a size of 0"), ([1e3, 1e4], [2.0, -1.0],
                                                                                  "a negative loss"),
                                       ([1e3, 1e3], [2.0, 1.0], "all sizes equal")):
        expect_raises(student, NAME, (bad_sizes, bad_losses), "ValueError",
                      setting=describe(sizes=bad_sizes, losses=bad_losses),
                      hint=f"{why}: a power law needs at least two distinct positive sizes and positive losses")
