"""The reference's results remembered per input (looplab.checks.memo): only where it is safe."""

from __future__ import annotations

import inspect
import tempfile
import textwrap
from pathlib import Path
from types import ModuleType

import torch

from looplab.check import load_reference
from looplab.checks.memo import memoised

SOURCE = textwrap.dedent('''
    import torch

    CALLS = []

    def noisy_sum(x, generator):
        """Adds noise drawn from the given generator."""
        CALLS.append("noisy_sum")
        return (x + torch.randn(x.shape, generator=generator)).sum().item()

    def scale_in_place(x, by):
        CALLS.append("scale_in_place")
        x.mul_(by)
        return x.sum().item()

    def global_draw(n):
        CALLS.append("global_draw")
        return torch.rand(n)

    def with_graph(x):
        CALLS.append("with_graph")
        return x * 2

    def losses(xs, lr=0.1):
        CALLS.append("losses")
        return [float(v) * lr for v in xs]
''')


def module() -> ModuleType:
    """A fresh reference-like module, loaded from a file as the checker loads a solution."""
    path = Path(tempfile.mkdtemp()) / "probe.py"
    path.write_text(SOURCE)
    return load_reference(path)


def test_a_pure_call_is_computed_once_and_returns_fresh_copies():
    mod = module()
    ref = memoised(mod)
    first = ref.losses([1.0, 2.0], lr=0.5)
    first.append("changed by a check")
    second = ref.losses([1.0, 2.0], lr=0.5)
    assert second == [0.5, 1.0]
    assert mod.CALLS == ["losses"]
    ref.losses([1.0, 2.0], lr=0.25)  # another input is another entry
    assert mod.CALLS == ["losses", "losses"]


def test_generators_end_where_a_real_call_leaves_them():
    ref = memoised(module())
    x = torch.arange(4.0)
    real = torch.Generator().manual_seed(3)
    want = ref.noisy_sum(x, real)
    remembered = torch.Generator().manual_seed(3)
    got = ref.noisy_sum(x, remembered)
    assert got == want
    assert torch.equal(remembered.get_state(), real.get_state())
    assert torch.equal(torch.randn(3, generator=remembered), torch.randn(3, generator=real))


def test_calls_that_mutate_inputs_or_draw_globally_always_run():
    mod = module()
    ref = memoised(mod)
    for _ in range(2):
        x = torch.ones(3)
        assert ref.scale_in_place(x, 2.0) == 6.0
        assert torch.equal(x, torch.full((3,), 2.0))  # the side effect happened both times
        ref.global_draw(2)
    assert mod.CALLS.count("scale_in_place") == 2 and mod.CALLS.count("global_draw") == 2


def test_autograd_inputs_and_results_pass_straight_through():
    mod = module()
    ref = memoised(mod)
    w = torch.ones(2, requires_grad=True)
    for _ in range(2):
        assert ref.with_graph(w).grad_fn is not None
    assert mod.CALLS.count("with_graph") == 2


def test_the_stand_in_still_looks_like_the_module():
    mod = module()
    ref = memoised(mod)
    assert memoised(mod) is ref
    assert "def noisy_sum(x, generator):" in inspect.getsource(ref.noisy_sum)
    assert ref.noisy_sum.__doc__ == mod.noisy_sum.__doc__
    assert set(vars(mod)) <= set(vars(ref))
