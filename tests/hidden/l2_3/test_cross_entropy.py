"""Hidden checks for `cross_entropy`: the mean softmax cross-entropy from logits, stably."""

import torch
import torch.nn.functional as F

from looplab.checks import (Mistakes, as_tensor, assert_float, expect, expect_raises, expect_unchanged,
                            fail, gen, likely, points)

from .model import CE_MISTAKES, ce

MISTAKES = Mistakes(CE_MISTAKES, lambda logits, y, mistake: ce(logits, y, mistake).item())


def _loss(student, logits, y, setting: str) -> torch.Tensor:
    value = as_tensor(student.cross_entropy(logits, y), "cross_entropy")
    expect(value.shape == (), f"cross_entropy returned a tensor of shape {tuple(value.shape)} ({setting}); "
                              f"the contract asks for a 0-d tensor: the mean over the rows, a single number")
    return value


@points("cross_entropy", 1)
def test_matches_reference_and_torch(student, reference):
    for n, k, scale, seed in [(7, 3, 1.0, 1), (1, 2, 2.0, 2), (40, 10, 4.0, 3)]:
        g = gen(seed)
        logits = scale * torch.randn(n, k, generator=g, dtype=torch.float64)
        y = torch.randint(0, k, (n,), generator=g)
        setting = f"N={n}, k={k}, float64 logits of size about {scale:g}"
        got = _loss(student, logits, y, setting).item()
        want = reference.cross_entropy(logits, y).item()
        assert abs(want - F.cross_entropy(logits, y).item()) < 1e-12  # the reference is torch's loss
        assert_float(got, want, what="cross_entropy", setting=setting, rtol=1e-9, atol=1e-12,
                     diagnose=lambda: MISTAKES.diagnose(got, CE_MISTAKES, logits=logits, y=y))


@points("cross_entropy", 0.5)
def test_huge_logits_of_the_true_class_do_not_overflow(student, reference):
    # The true class holds the largest logit: the loss is about 0, and exp(100) is inf in float32.
    logits = torch.tensor([[100.0, 98.0, -100.0], [-50.0, 100.0, 99.0], [95.0, 0.0, 100.0]])
    y = torch.tensor([0, 1, 2])
    got = _loss(student, logits, y, "float32").item()
    want = reference.cross_entropy(logits, y).item()
    setting = "float32 logits up to 100 where the true class has the largest logit"
    if not torch.isfinite(torch.tensor(got)):
        fail(f"cross_entropy returned {got} for {setting}; expected {want:.6g}"
             + likely("exp of the raw logits overflows (exp(100) is inf in float32): subtract each row's max "
                      "before exp, lse(z) = m + log(sum(exp(z - m)))"))
    assert_float(got, want, what="cross_entropy", setting=setting, rtol=1e-5, atol=1e-5,
                 diagnose=lambda: MISTAKES.diagnose(got, CE_MISTAKES, logits=logits.double(), y=y))


@points("cross_entropy", 0.5)
def test_huge_logits_of_other_classes_do_not_underflow(student, reference):
    # The true class sits 200 below the best one: its probability exp(-200) is 0 in float32.
    logits = torch.tensor([[100.0, -100.0], [-100.0, 100.0], [3.0, -1.0]])
    y = torch.tensor([1, 1, 0])
    got = _loss(student, logits, y, "float32").item()
    want = reference.cross_entropy(logits, y).item()
    setting = "float32 logits of +-100 where the true class has the smaller logit (loss about 200)"
    if not torch.isfinite(torch.tensor(got)):
        fail(f"cross_entropy returned {got} for {setting}; expected {want:.6g}"
             + likely("the log of a softmax probability that rounded to 0 (log 0 = -inf), or exp of the raw "
                      "logits overflowing: compute lse(z) - z_y from the logits, never log(softmax)"))
    assert_float(got, want, what="cross_entropy", setting=setting, rtol=1e-5, atol=1e-5,
                 diagnose=lambda: MISTAKES.diagnose(got, CE_MISTAKES, logits=logits.double(), y=y))
    big = 1000 * torch.randn(5, 4, generator=gen(9), dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 3, 0])
    got64 = _loss(student, big, labels, "float64").item()
    assert_float(got64, reference.cross_entropy(big, labels).item(), what="cross_entropy",
                 setting="float64 logits of size about 1000", rtol=1e-9, atol=1e-9)


@points("cross_entropy", 0.5)
def test_keeps_dtype_and_inputs(student):
    logits = torch.randn(6, 3, generator=gen(4))  # float32
    y = torch.tensor([0, 2, 1, 1, 0, 2])
    reply = expect_unchanged(student, "cross_entropy", (logits, y), ["logits", "y"])
    value = as_tensor(reply["result"], "cross_entropy")
    expect(value.dtype == torch.float32, f"cross_entropy returned a {value.dtype} loss for float32 logits; "
                                         f"the contract asks for the logits' dtype (no .double() or .item())")
    expect(value.shape == (), f"cross_entropy returned shape {tuple(value.shape)}; expected a 0-d tensor")


@points("cross_entropy", 0.5)
def test_bad_shapes_raise_value_error(student):
    logits = torch.randn(6, 3, generator=gen(5), dtype=torch.float64)
    expect_raises(student, "cross_entropy", (logits, torch.tensor([0, 1, 2, 0, 1])), "ValueError",
                  setting="logits (6, 3), y of shape (5,)", hint="y must have one label per row of logits")
    expect_raises(student, "cross_entropy", (logits[0], torch.tensor([1])), "ValueError",
                  setting="1-D logits of shape (3,), y of shape (1,)", hint="logits must be 2-D, (N, k)")
