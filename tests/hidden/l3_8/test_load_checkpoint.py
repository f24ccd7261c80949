"""Hidden checks for `load_checkpoint`: given a checkpoint written by the checker's own code in an earlier
call (then moved to another name), it restores model, optimiser, scheduler and generator into fresh
objects built from another seed, so 5 epochs + save + load + 5 epochs equals 10 straight epochs to the
last bit; it returns the stored epoch as an int; a missing file raises FileNotFoundError."""

from __future__ import annotations

from looplab.checks import drive, expect, points, StudentError, fail, unfinished

from .resume import SETTING, expect_same_trajectory, resumed, straight_and_saved

NAME = "load_checkpoint"


@points(NAME, 3)
def test_resumed_run_equals_the_straight_run_to_the_last_bit(student):
    straight, first = straight_and_saved(student, NAME, False)
    second = resumed(student, NAME, True)
    expect_same_trajectory(straight, first, second, f"{NAME}, given the checker's checkpoint",
                           "likely mistake: {parts} not restored into the objects you were given: call "
                           "model.load_state_dict, optimizer.load_state_dict, scheduler.load_state_dict and "
                           "generator.set_state on them (rebinding a name to a new object restores nothing "
                           "the caller holds)")


@points(NAME, 1)
def test_returns_the_stored_epoch_as_an_int(student):
    straight_and_saved(student, NAME, False)
    second = resumed(student, NAME, True)
    epoch = second["epoch"]
    expect(type(epoch) is int and epoch == 5,
           f"{NAME} returned {epoch!r} for a checkpoint saved after 5 epochs; expected the int 5, the number of "
           f"epochs completed, so the caller continues with epoch 5 ({SETTING})")


@points(NAME, 1)
def test_missing_file_raises_file_not_found(student):
    def missing():
        from torch import nn
        model = nn.Linear(2, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
        return load_checkpoint("no-such-checkpoint.pt", model, opt, sched, torch.Generator())  # noqa: F821
    try:
        drive(student, NAME, missing)
    except StudentError as err:
        if unfinished(err):
            raise
        expect(err.type == "FileNotFoundError",
               f"{NAME}('no-such-checkpoint.pt', ...) raised {err.type}; the contract asks for FileNotFoundError "
               f"(torch.load raises it for you: do not catch it and start from scratch silently)")
        return
    fail(f"{NAME}('no-such-checkpoint.pt', ...) returned instead of raising FileNotFoundError: a run that "
         f"silently starts from scratch when its checkpoint is missing wastes the compute already spent")
