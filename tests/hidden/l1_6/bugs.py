"""The bugs planted in `broken_train`, and the search that names the ones still there.

Each bug is one of `looplab.checks.linear_loop`'s; `diagnose` looks for the smallest set of
bugs whose simulated losses reproduce the student's. Five of broken_train's six bugs change
the losses; the sixth (training w0 itself, so the caller's tensor changes) does not, and the
inputs check names it instead. Two mistakes that a fix of the shuffle often introduces (the
global generator, no shuffle at all) are searched too.
"""

from __future__ import annotations

import itertools

from looplab.checks import diagnose as first_match
from looplab.checks import linear_loop

DESCRIPTIONS = {  # in the order the bugs appear in broken_train
    "shuffle_once": "one shuffle is reused for every epoch: draw a fresh "
                    "torch.randperm(n, generator=generator) at the start of each epoch",
    "drop_last": "the last, smaller batch of each epoch is dropped: keep it, so that every sample "
                 "is used once per epoch (order.split(batch_size) keeps it)",
    "no_zero_grad": "the gradients are never reset, so .grad keeps adding up from step to step: "
                    "clear them after each update (w.grad = None, or w.grad.zero_())",
    "record_after": "the loss is recorded after the update: record each batch loss from the same "
                    "forward pass that the gradient comes from, before the step",
    "unweighted": "the epoch loss is the plain mean of the batch losses: weight each batch loss by "
                  "its number of samples and divide by N",
    "global_rng": "the shuffle uses the global random generator: pass generator=generator to "
                  "torch.randperm",
    "no_shuffle": "the samples are never shuffled: draw torch.randperm(n, generator=generator) at "
                  "the start of each epoch",
}

# One choice per part of the loop; the first of each is correct. "drop_last_n" is the dropped
# last batch with the remaining batch losses weighted by size but divided by all N samples.
ORDER = [(), ("shuffle_once",), ("global_rng",), ("no_shuffle",), ("global_rng", "shuffle_once")]
LAST_AND_MEAN = [(), ("unweighted",), ("drop_last",), ("drop_last_n",), ("drop_last", "unweighted")]
GRADS = [(), ("no_zero_grad",)]
RECORD = [(), ("record_after",)]


def named(bugs: frozenset[str]) -> list[str]:
    """The descriptions of a set of bugs, in broken_train's order."""
    names = {"drop_last" if b == "drop_last_n" else b for b in bugs}
    return [DESCRIPTIONS[name] for name in DESCRIPTIONS if name in names]


def _candidates() -> list[frozenset[str]]:
    """Every combination of bugs but none, fewest named bugs first."""
    found = [frozenset(a + b + c + d) for a, b, c, d in itertools.product(ORDER, LAST_AND_MEAN, GRADS, RECORD)]
    return sorted((f for f in found if f), key=lambda f: len(named(f)))


CANDIDATES = _candidates()


def diagnose(got: list[float], **setting) -> list[str] | None:
    """The descriptions of the fewest bugs whose simulation reproduces `got`, or None.

    Bugs that change nothing in this setting (the shuffle when one batch holds all the data)
    are never named: a set of bugs is only a candidate if it moves the losses.
    """
    candidates = ((bugs, _run(bugs, setting)) for bugs in CANDIDATES)
    found = first_match(got, candidates, unless=_run(frozenset(), setting))
    return named(found) if found else None


def _run(bugs: frozenset[str], setting: dict):
    return lambda: linear_loop(bugs=bugs, **setting)
