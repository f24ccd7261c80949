"""Hidden checks for `save_checkpoint`: the file it writes, read back by the checker's own loader in a
later call into objects built from another seed, restores model, optimiser, scheduler and generator
exactly, so 5 epochs + save + load + 5 epochs equals 10 straight epochs to the last bit; the file is the
promised dict; the epoch is stored."""

from __future__ import annotations

from looplab.checks import expect, fail, points

from .resume import SETTING, expect_same_trajectory, resumed, straight_and_saved

NAME = "save_checkpoint"
KEYS = ["epoch", "generator", "model", "optimizer", "scheduler"]


@points(NAME, 1)
def test_checkpoint_is_the_promised_dict(student):
    straight_and_saved(student, NAME, True)
    second = resumed(student, NAME, False)
    keys = second["keys"]
    if keys is None:
        fail(f"{NAME} wrote something other than a dict; the contract asks for a dict with keys {KEYS} "
             f"({SETTING})")
    missing = [k for k in KEYS if k not in keys]
    expect(not missing, f"{NAME}'s checkpoint has keys {keys}; missing {missing}: the contract asks for "
                        f"{KEYS}" + (f"\nlikely mistake: the {missing[0]}'s state is forgotten, so a resumed "
                                     f"run cannot continue where it stopped" if missing else ""))
    expect(second["epoch"] == 5 and type(second["epoch"]) is int,
           f"{NAME}'s checkpoint stores epoch {second['epoch']!r} after 5 epochs, expected the int 5 ({SETTING})")


@points(NAME, 3)
def test_resuming_from_it_equals_the_straight_run_to_the_last_bit(student):
    straight, first = straight_and_saved(student, NAME, True)
    second = resumed(student, NAME, False)
    expect_same_trajectory(straight, first, second, f"{NAME}, read back by the checker's loader",
                           "likely mistake: the checkpoint does not hold the current {parts}: save "
                           "model.state_dict(), optimizer.state_dict(), scheduler.state_dict() and "
                           "generator.get_state() (the given generator's, not torch's global one)")
