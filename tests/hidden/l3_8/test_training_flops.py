"""Hidden checks for `training_flops`: 6 x parameters (weights and biases) x tokens for several MLPs and
token counts, 0.0 for no tokens, a Python float, ValueError for a network or count that cannot be."""

from __future__ import annotations

from looplab.checks import as_float, assert_float, close, describe, expect_raises, points

NAME = "training_flops"


def diagnose(got: float, sizes: list[int], tokens: int) -> str | None:
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    params = weights + sum(sizes[1:])
    candidates = {
        "only the forward pass is counted (2 N D); the backward pass costs about twice the forward, "
        "so training is about 6 N D": 2.0 * params * tokens,
        "the biases are left out: N counts every parameter, weights and biases": 6.0 * weights * tokens,
        "N is the sum of the layer widths, not the parameter count": 6.0 * sum(sizes) * tokens,
        "forward and backward are counted as 4 N D; the backward pass alone is about 4 N D, so training "
        "is 6 N D": 4.0 * params * tokens,
    }
    for message, value in candidates.items():
        if close(got, value, 1e-9, 0.0) and not close(value, 6.0 * params * tokens, 1e-9, 0.0):
            return message
    return None


@points(NAME, 1)
def test_matches_reference(student, reference):
    for sizes, tokens in (([4, 16, 1], 1000), ([784, 512, 512, 10], 60_000 * 20), ([3, 1], 7),
                          ([1024, 4096, 4096, 1024], 10**12)):
        got = as_float(student.training_flops(sizes, tokens), NAME, strict=True)
        assert_float(got, reference.training_flops(sizes, tokens), what=NAME,
                     setting=describe(sizes=sizes, tokens=tokens), rtol=1e-9, atol=0.0,
                     diagnose=lambda: diagnose(got, sizes, tokens))
    got = as_float(student.training_flops([5, 2], 0), NAME, strict=True)
    assert_float(got, 0.0, what=NAME, setting="sizes=[5, 2], tokens=0", atol=0.0)


@points(NAME, 1)
def test_bad_input_raises_value_error(student):
    for sizes, tokens in (([5], 10), ([5, 0, 1], 10), ([5, 2], -1)):
        expect_raises(student, NAME, (sizes, tokens), "ValueError", setting=describe(sizes=sizes, tokens=tokens),
                      hint="sizes needs at least an input and an output width, every width at least 1, "
                           "and tokens must not be negative")
