"""PyTorch itself, holding the same numbers as a student's plain-data arguments: the yardsticks
the checks of lesson 3.4 hold every function to."""

from __future__ import annotations

import torch
from torch import Tensor, nn

MODULES = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


class Residual(nn.Module):
    """h + block(h): a skip connection around `block`."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, h: Tensor) -> Tensor:
        return h + self.block(h)


def linear(W: Tensor, b: Tensor) -> nn.Linear:
    """An nn.Linear holding lesson 2.1's (W, b): its weight is W.T."""
    layer = nn.Linear(W.shape[0], W.shape[1], dtype=W.dtype)
    with torch.no_grad():
        layer.weight.copy_(W.T)
        layer.bias.copy_(b)
    return layer


def stack(layers: list, activation: str, residual: bool) -> nn.Sequential:
    """nn.Sequential(Linear, act, [Residual(Sequential(Linear, act))] or [Linear, act], ..., Linear)."""
    parts: list[nn.Module] = []
    for k, (W, b) in enumerate(layers):
        if k == len(layers) - 1:
            parts.append(linear(W, b))
        elif residual and k > 0:
            parts.append(Residual(nn.Sequential(linear(W, b), MODULES[activation]())))
        else:
            parts += [linear(W, b), MODULES[activation]()]
    return nn.Sequential(*parts)


def linears(net: nn.Sequential) -> list[nn.Linear]:
    """The network's Linear layers, first layer first."""
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


def stack_output_and_grads(x: Tensor, layers: list, activation: str, residual: bool,
                           upstream: Tensor) -> tuple[Tensor, list[Tensor]]:
    """The stack's output and the gradients of (output * upstream).sum() for [W_1, b_1, ..., W_L, b_L],
    in lesson 2.1's layout (W = weight.T)."""
    net = stack(layers, activation, residual)
    out = net(x)
    (out * upstream).sum().backward()
    grads = []
    for layer in linears(net):
        grads += [layer.weight.grad.T.clone(), layer.bias.grad.clone()]
    return out.detach(), grads


def batch_norm_module(gamma: Tensor, beta: Tensor, running_mean: Tensor, running_var: Tensor,
                      momentum: float, eps: float) -> nn.BatchNorm1d:
    bn = nn.BatchNorm1d(gamma.shape[0], momentum=momentum, eps=eps, dtype=gamma.dtype)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
        bn.running_mean.copy_(running_mean)
        bn.running_var.copy_(running_var)
    return bn


def layer_norm_module(gamma: Tensor, beta: Tensor, eps: float) -> nn.LayerNorm:
    ln = nn.LayerNorm(gamma.shape[0], eps=eps, dtype=gamma.dtype)
    with torch.no_grad():
        ln.weight.copy_(gamma)
        ln.bias.copy_(beta)
    return ln


def torch_clip(grads: list[Tensor], max_norm: float) -> tuple[float, list[Tensor]]:
    """torch.nn.utils.clip_grad_norm_ on parameters holding copies of `grads`: (total, clipped)."""
    params = []
    for g in grads:
        p = torch.zeros_like(g, requires_grad=True)
        p.grad = g.clone()
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return total.item(), [p.grad for p in params]
