"""Lesson 1.3's known mistakes in its trainers, reproduced by the course's loop simulator.

Each name is a bug of `looplab.checks.linear_loop`; `KNOWN.diagnose(got, names, **setting)`
names the first one whose simulated losses match the student's.
"""

from looplab.checks import Mistakes, linear_loop

KNOWN = Mistakes({
    "record_after": "the loss is recorded after the update instead of just before it",
    "sum": "the loss is summed over the samples instead of averaged, so every step is too large",
    "no_zero_grad": "gradients are never reset, so they pile up from step to step "
                    "(set w.grad = None, or call w.grad.zero_(), after each update)",
    "drop_partial": "the last, smaller batch of each epoch is dropped",
    "drop_last_n": "the last, smaller batch of each epoch is never trained on (are your "
                   "minibatch_indices dropping it?); every sample must be in one batch",
    "shuffle_once": "one shuffle is reused every epoch; draw a new randperm at the start of each epoch",
    "no_shuffle": "the samples are visited in their original order; shuffle each epoch with "
                  "torch.randperm(n, generator=generator)",
    "global_rng": "the shuffle uses the global random generator; pass generator=generator to torch.randperm",
    "unweighted": "the epoch loss is the plain mean of the batch losses; weight each batch by its size",
    "last_loss": "the epoch loss is the last step's loss, not the mean over the epoch",
    "no_bias": "the bias b is never updated",
    "ascent": "the update adds the gradient instead of subtracting it",
    "epoch_end_full": "the recorded loss is the loss over all the data after the epoch, "
                      "not the mean of the losses taken before each update",
}, linear_loop)

BATCH = ("record_after", "sum", "no_zero_grad", "no_bias", "ascent")
STOCHASTIC = BATCH + ("shuffle_once", "no_shuffle", "global_rng", "last_loss", "epoch_end_full")
MINIBATCH = STOCHASTIC + ("drop_partial", "drop_last_n", "unweighted")

GLOBAL_SEED = 4242  # set in the student process before calls, to expose use of the global RNG
