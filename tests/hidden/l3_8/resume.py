"""What lesson 3.8's checkpoint checks share: a run stopped after 5 epochs, saved, moved, loaded into
fresh objects in a later call, and trained 5 more, against the same run trained 10 epochs straight."""

from __future__ import annotations

import torch

from looplab.checks import drive, fail

from .runs import data, resume_part

SETTING = ("N=40, d=3, an MLP 3 -> 12 -> 1 as nn.Sequential, AdamW(lr=0.02, weight_decay=0.01), "
           "LambdaLR warm-up + cosine, batch 8, shuffled by a torch.Generator; 5 epochs, save, then 5 more "
           "from the checkpoint in a later call, into objects built from another seed")
WHAT = {
    "params": "the model's parameters (model.state_dict())",
    "optimizer": "the optimiser's state, AdamW's moment estimates and step counts (optimizer.state_dict())",
    "scheduler": "the scheduler's position, its step count (scheduler.state_dict())",
    "lr": "the learning rate the optimiser will use next (optimizer.state_dict() holds it)",
    "generator": "the generator's state, which decides every later shuffle (generator.get_state())",
}


def straight_and_saved(student, name: str, save_with_student: bool) -> tuple[dict, dict]:
    X, y = data(40, 3, 7)
    straight = drive(student, name, resume_part, X, y, 5, 10, "", "straight", (), None, global_seed=1)
    first = drive(student, name, resume_part, X, y, 5, 5, "ckpt-a.pt", "save", (),
                  "student" if save_with_student else None, global_seed=2)
    return straight, first


def resumed(student, name: str, load_with_student: bool) -> dict:
    X, y = data(40, 3, 7)
    return drive(student, name, resume_part, X, y, 99, 5, "ckpt-a.pt", "load",
                 None if load_with_student else (), "ckpt-b.pt", global_seed=3)


def differing(saved: dict, loaded: dict) -> list[str]:
    """The parts of the run that the load did not bring back as they were at the save."""
    out = []
    if any(not torch.equal(a, b) for a, b in zip(saved["params"], loaded["params"])):
        out.append("params")
    moments = zip(saved["optimizer"], loaded["optimizer"])
    if any(b is None or not torch.equal(a, b) for a, b in moments):
        out.append("optimizer")
    if saved["scheduler"] != loaded["scheduler"]:
        out.append("scheduler")
    elif saved["lr"] != loaded["lr"]:
        out.append("lr")
    if not torch.equal(saved["generator"], loaded["generator"]):
        out.append("generator")
    return out


def expect_same_trajectory(straight: dict, first: dict, second: dict, who: str, advice: str) -> None:
    got = [v for row in first["losses"] + second["losses"] for v in row]
    want = [v for row in straight["losses"] for v in row]
    lost = differing(first["state"], second["state"])
    if lost:
        fail(f"{who}: right after loading, {', '.join(WHAT[k] for k in lost)} "
             f"{'is' if len(lost) == 1 else 'are'} not what {'it' if len(lost) == 1 else 'they'} "
             f"{'was' if len(lost) == 1 else 'were'} at the save ({SETTING}); "
             + advice.format(parts=", ".join(lost)))
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            fail(f"{who}: the resumed run's step {i} loss {g!r} differs from the straight run's {w!r} "
                 f"(they must agree to the last bit; {SETTING})")
    for k, (a, b) in enumerate(zip(second["params"], straight["params"])):
        if not torch.equal(a, b):
            fail(f"{who}: after 5 + 5 epochs parameter {k} differs from the straight run's ({SETTING})")
