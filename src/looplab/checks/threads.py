"""The checker's own torch work on one thread, as the student process does.

On a busy machine, OpenMP threads spinning over tensors of a few dozen entries cost 10 to 30
times the work: a check that trains a small reference model in the checker's process should
do it inside `one_thread()`. The checker runs every lesson's hidden checks inside it
(`looplab.check`), so a check needs it only for work outside a graded run.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


@contextmanager
def one_thread() -> Iterator[None]:
    """Set torch's intra-op threads to 1 for the block, then restore the previous count."""
    import torch
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
