"""Correct solutions of lesson 1.5 written in other styles keep full marks.

The checks judge behaviour (the values against autograd and the reference, the
contract, the speed), not the way it is written: perturbed copies instead of
in-place changes, a flat view with try/finally, a numpy view of x's memory, and a
student who prints and warns must all score every point.
"""

from __future__ import annotations

import pytest

from looplab.report import render_text

COPIES_AND_AMAX = '''
import torch


def numerical_gradient(f, x, h=1e-5):
    """Central differences on perturbed copies: x itself is never touched."""
    grad = torch.zeros_like(x)
    for i in range(x.numel()):
        step = torch.zeros_like(x)
        step.view(-1)[i] = h  # h e_i, in x's shape
        up, down = x + step, x - step
        grad.view(-1)[i] = (float(f(up)) - float(f(down))) / (2 * h)
    return grad


def relative_error(a, b):
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"shape mismatch: {tuple(a.shape)} vs {tuple(b.shape)}")
    a64, b64 = a.to(torch.float64), b.to(torch.float64)
    top = torch.amax(torch.abs(a64 - b64))
    bottom = torch.amax(torch.abs(a64) + torch.abs(b64))
    return 0.0 if bottom.item() == 0.0 else float(top / bottom)


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6):
    error = relative_error(grad_f(x), numerical_gradient(f, x, h))
    if error <= tol:
        return True
    return False


def error_curve(f, grad_f, x, hs):
    exact = grad_f(x)
    errors = []
    for h in hs:
        errors.append(relative_error(exact, numerical_gradient(f, x, h)))
    return errors
'''

FLAT_VIEW_IN_PLACE = '''
import math

import torch
from torch import Tensor


def numerical_gradient(f, x: Tensor, h: float = 1e-5) -> Tensor:
    flat = x.view(-1)  # shares x's memory (x arrives contiguous)
    out = torch.empty(x.numel(), dtype=x.dtype)
    for i, original in enumerate(flat.tolist()):
        values = []
        for sign in (1, -1):
            flat[i] = original + sign * h
            try:
                values.append(float(f(x)))
            finally:
                flat[i] = original
        out[i] = (values[0] - values[1]) / (2 * h)
    return out.view(x.shape)


def relative_error(a: Tensor, b: Tensor) -> float:
    if a.shape != b.shape:
        raise ValueError("a and b must have the same shape")
    a, b = a.double().flatten(), b.double().flatten()
    numerator = torch.linalg.vector_norm(a - b, ord=math.inf)
    denominator = (a.abs() + b.abs()).max()
    if denominator == 0:
        return 0.0
    return (numerator / denominator).item()


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6) -> bool:
    return bool(relative_error(grad_f(x), numerical_gradient(f, x, h)) <= tol)


def error_curve(f, grad_f, x, hs):
    analytic = grad_f(x)
    return list(map(lambda h: relative_error(analytic, numerical_gradient(f, x, h)), hs))
'''

NUMPY_VIEW = '''
import numpy as np
import torch


def numerical_gradient(f, x, h=1e-5):
    """Perturb x through a numpy view of its memory; f still receives the tensor x."""
    cells = x.numpy().reshape(-1)  # a view: writing cells[i] writes x
    grad = np.empty(cells.shape, dtype=np.float64)
    for i in range(cells.size):
        keep = cells[i]
        try:
            cells[i] = keep + h
            plus = float(f(x))
            cells[i] = keep - h
            minus = float(f(x))
        finally:
            cells[i] = keep
        grad[i] = (plus - minus) / (2 * h)
    return torch.from_numpy(grad).to(x.dtype).reshape(x.shape)


def relative_error(a, b):
    if a.shape != b.shape:
        raise ValueError("shapes differ")
    a, b = a.double(), b.double()
    scale = torch.max(a.abs() + b.abs())
    return 0.0 if scale == 0 else float(torch.max((a - b).abs()) / scale)


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6):
    return relative_error(grad_f(x), numerical_gradient(f, x, h)) <= tol


def error_curve(f, grad_f, x, hs):
    g = grad_f(x)
    return [relative_error(g, numerical_gradient(f, x, h)) for h in hs]
'''

CHATTY = '''
import itertools
import sys
import warnings

import torch

print("lesson 1.5: loading my solution")


def numerical_gradient(f, x, h=1e-5):
    if h < 1e-8 and x.dtype == torch.float32:
        warnings.warn(f"h={h} is below float32 resolution near 1; expect zeros")
    grad = torch.empty_like(x)
    for index in itertools.product(*map(range, x.shape)):
        saved = x[index].item()
        try:
            x[index] = saved + h
            high = float(f(x))
            x[index] = saved - h
            low = float(f(x))
        finally:
            x[index] = saved
        grad[index] = (high - low) / (2 * h)
    print(f"numerical_gradient: {x.numel()} entries, h={h:g}", file=sys.stderr)
    return grad


def relative_error(a, b):
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {tuple(a.shape)} and {tuple(b.shape)}")
    a, b = a.double(), b.double()
    scale = (a.abs() + b.abs()).max()
    return 0.0 if scale == 0 else ((a - b).abs().max() / scale).item()


def gradient_check(f, grad_f, x, h=1e-5, tol=1e-6):
    error = relative_error(grad_f(x), numerical_gradient(f, x, h))
    verdict = error <= tol
    print(f"gradient check: relative error {error:.2e} -> {'pass' if verdict else 'FAIL'}")
    return verdict


def error_curve(f, grad_f, x, hs):
    exact = grad_f(x)
    curve = [relative_error(exact, numerical_gradient(f, x, h)) for h in hs]
    for h, e in zip(hs, curve):
        print(f"h={h:.0e}: {e:.2e}")
    return curve
'''

ALTERNATIVES = [
    pytest.param(COPIES_AND_AMAX, id="perturbed_copies_and_amax"),
    pytest.param(FLAT_VIEW_IN_PLACE, id="flat_view_in_place_and_vector_norm"),
    pytest.param(NUMPY_VIEW, id="numpy_view_of_x"),
    pytest.param(CHATTY, id="prints_progress_and_warns"),
]


@pytest.mark.parametrize("source", ALTERNATIVES)
def test_correct_alternative_style_keeps_full_marks(grade, source):
    report = grade(source, lesson="1.5")
    assert report.score == report.max_score > 0, render_text(report)
    assert report.status == "ok", render_text(report)
    if "print(" in source:
        assert "loading my solution" in report.output, "the student's output was not captured"
