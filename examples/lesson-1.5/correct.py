# A correct submission for lesson 1.5 written in a functional style: every direction h e_i is a
# row of a scaled identity matrix, and f is evaluated on perturbed copies of x, never on x itself.
import torch
from torch import Tensor


def numerical_gradient(f, x: Tensor, h: float = 1e-5) -> Tensor:
    n = x.numel()
    steps = h * torch.eye(n, dtype=x.dtype)  # row i is h e_i, flattened
    slopes = [(float(f(x + step.view(x.shape))) - float(f(x - step.view(x.shape)))) / (2 * h)
              for step in steps]
    return torch.tensor(slopes, dtype=x.dtype).reshape(x.shape)


def relative_error(a: Tensor, b: Tensor) -> float:
    if a.shape != b.shape:
        raise ValueError(f"expected tensors of one shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    a, b = a.to(torch.float64), b.to(torch.float64)
    gap = torch.max(torch.abs(a - b))
    size = torch.max(torch.abs(a) + torch.abs(b))
    return 0.0 if size.item() == 0.0 else (gap / size).item()


def gradient_check(f, grad_f, x: Tensor, h: float = 1e-5, tol: float = 1e-6) -> bool:
    return relative_error(grad_f(x), numerical_gradient(f, x, h)) <= tol


def error_curve(f, grad_f, x: Tensor, hs: list[float]) -> list[float]:
    exact = grad_f(x)
    return [relative_error(exact, numerical_gradient(f, x, h)) for h in hs]
