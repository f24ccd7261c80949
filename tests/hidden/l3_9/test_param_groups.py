"""Hidden checks for `param_groups`: inspected inside the student's process, where identity
(`is`) and the requires_grad flags can be seen."""

from __future__ import annotations

import torch

from looplab.checks import describe, drive, expect_raises, fail, gen, likely, points

NAME = "param_groups"


def inspect_groups(backbone_sizes, head_sizes, head_lr, backbone_lr, frozen_before, dtype_name):
    """Runs in the student process: calls param_groups and reports what the groups hold."""
    dtype = getattr(torch, dtype_name)
    g = torch.Generator().manual_seed(11)

    def layers(sizes):
        return [(torch.randn(i, o, generator=g, dtype=dtype), torch.randn(o, generator=g, dtype=dtype))
                for i, o in zip(sizes[:-1], sizes[1:])]

    backbone, head = layers(backbone_sizes), layers(head_sizes)
    everything = [t for layer in backbone + head for t in layer]
    for t in everything[:2 * len(backbone)]:
        t.requires_grad_(not frozen_before)
    before = [t.detach().clone() for t in everything]
    groups = param_groups(backbone, head, head_lr, backbone_lr)
    if not isinstance(groups, list) or not all(isinstance(x, dict) for x in groups):
        return {"kind": type(groups).__name__}
    report = {"kind": "list", "groups": []}
    for group in groups:
        params = list(group.get("params", []))
        ids = []
        for p in params:
            hit = [i for i, t in enumerate(everything) if t is p]
            ids.append(hit[0] if hit else (-2 if any(torch.is_tensor(p) and p.shape == t.shape
                                                     and torch.equal(p.detach(), t.detach())
                                                     for t in everything) else -1))
        lr = group.get("lr")
        report["groups"].append({"keys": sorted(str(k) for k in group), "ids": ids,
                                 "lr": float(lr) if isinstance(lr, (int, float)) else None})
    report["flags"] = [bool(t.requires_grad) for t in everything]
    report["unchanged"] = all(torch.equal(a, b.detach()) for a, b in zip(before, everything))
    try:
        optimiser = torch.optim.SGD(groups, lr=123.0)
        report["torch_lrs"] = [float(x["lr"]) for x in optimiser.param_groups]
        report["torch_error"] = ""
    except Exception as exc:
        report["torch_lrs"] = []
        report["torch_error"] = f"{type(exc).__name__}: {exc}"
    return report


def run(student, backbone_sizes, head_sizes, head_lr, backbone_lr, frozen_before=False, dtype="float32"):
    setting = describe(backbone=backbone_sizes, head=head_sizes, head_lr=head_lr, backbone_lr=backbone_lr,
                       **({"backbone frozen before the call": True} if frozen_before else {}))
    report = drive(student, NAME, inspect_groups, backbone_sizes, head_sizes,
                   head_lr, backbone_lr, frozen_before, dtype)
    if report.get("kind") != "list":
        fail(f"{NAME} returned a {report.get('kind')} ({setting}); the contract asks for a list of dicts, "
             f"each {{'params': [tensors], 'lr': float}}")
    return report, setting


def tensor_names(n_backbone: int, n_head: int) -> list[str]:
    names = []
    for part, n in (("backbone", n_backbone), ("head", n_head)):
        for k in range(1, n + 1):
            names += [f"{part} W_{k}", f"{part} b_{k}"]
    return names


def expect_groups(report: dict, setting: str, want: list[tuple[list[int], float]], names: list[str]) -> None:
    groups = report["groups"]
    got_ids = [g["ids"] for g in groups]
    if any(-2 in ids for ids in got_ids):
        fail(f"{setting}: a group holds a copy of a tensor (equal values, another object)"
             + likely("the parameters are copied (clone, detach, torch.tensor(...)): the optimiser would "
                      "train copies the model never uses; put the caller's own tensors in the groups"))
    if any(-1 in ids for ids in got_ids):
        fail(f"{setting}: a group holds a tensor that is none of the backbone's or head's")
    trained = {i for ids, _ in want for i in ids}
    frozen = [i for i in range(len(names)) if i not in trained]
    held = [i for ids in got_ids for i in ids]
    wrongly_held = [names[i] for i in held if i in frozen]
    if wrongly_held:
        fail(f"{setting}: the optimiser would hold {', '.join(wrongly_held[:4])}, which should be frozen"
             + likely("the frozen backbone is given to the optimiser (with lr 0 or requires_grad False): "
                      "give the optimiser only what should train"))
    if len(groups) != len(want):
        fail(f"{setting}: expected {len(want)} group(s), got {len(groups)} holding "
             f"{[[names[i] for i in ids] for ids in got_ids]}"
             + (likely("one group for everything: the backbone and the head need a group each, with their own "
                       "lr") if len(groups) == 1 and len(want) == 2 else ""))
    for k, ((want_ids, want_lr), group) in enumerate(zip(want, groups)):
        if group["ids"] != want_ids:
            fail(f"{setting}: group {k} holds {[names[i] for i in group['ids']]}, expected "
                 f"{[names[i] for i in want_ids]}"
                 + (likely("the groups are in the wrong order: the backbone's group comes first")
                    if sorted(group["ids"]) != sorted(want_ids) and len(groups) == 2
                    and groups[1 - k]["ids"] == want_ids else ""))
        if group["lr"] is None or abs(group["lr"] - want_lr) > 1e-12 * max(1.0, abs(want_lr)):
            swapped = len(want) == 2 and group["lr"] is not None and abs(group["lr"] - want[1 - k][1]) < 1e-15
            fail(f"{setting}: group {k} has lr {group['lr']}, expected {want_lr} (keys {group['keys']})"
                 + (likely("head_lr and backbone_lr are swapped") if swapped else
                    likely("the group has no 'lr' key: it would silently take the optimiser's default")
                    if "lr" not in group["keys"] else ""))
    if report["torch_error"]:
        fail(f"{setting}: torch.optim.SGD(groups, lr=123.0) refused the groups: {report['torch_error']}")
    if report["torch_lrs"] != [w[1] for w in want]:
        fail(f"{setting}: in torch.optim.SGD the groups' rates are {report['torch_lrs']}, expected "
             f"{[w[1] for w in want]}")


def expect_flags(report: dict, setting: str, trained: set[int], names: list[str]) -> None:
    for i, flag in enumerate(report["flags"]):
        if flag != (i in trained):
            fail(f"{setting}: {names[i]} has requires_grad {flag}, expected {i in trained}"
                 + (likely("the frozen backbone keeps requires_grad True: autograd would still compute its "
                           "gradients; call requires_grad_(False) on each frozen tensor") if flag else
                    likely("a tensor frozen earlier is not unfrozen: call requires_grad_(True) on everything "
                           "that trains")))


def check(student, backbone_sizes, head_sizes, head_lr, backbone_lr, frozen_before=False, dtype="float32"):
    report, setting = run(student, backbone_sizes, head_sizes, head_lr, backbone_lr, frozen_before, dtype)
    nb, nh = len(backbone_sizes) - 1, len(head_sizes) - 1
    names = tensor_names(nb, nh)
    backbone_ids, head_ids = list(range(2 * nb)), list(range(2 * nb, 2 * nb + 2 * nh))
    want = [(head_ids, head_lr)] if backbone_lr == 0 else [(backbone_ids, backbone_lr), (head_ids, head_lr)]
    expect_groups(report, setting, want, names)
    expect_flags(report, setting, set(head_ids) | (set() if backbone_lr == 0 else set(backbone_ids)), names)
    if not report["unchanged"]:
        fail(f"{setting}: param_groups changed the tensors' values; it may only set requires_grad")


@points(NAME, 1)
def test_frozen_backbone_is_in_no_group(student):
    check(student, [6, 5, 4], [4, 3], 0.1, 0.0)
    check(student, [3, 8, 8, 5], [5, 4, 2], 0.05, 0.0, dtype="float64")


@points(NAME, 1)
def test_two_groups_with_their_own_rates(student):
    check(student, [6, 5, 4], [4, 3], 0.1, 0.01)
    check(student, [3, 8, 8, 5], [5, 2], 0.003, 0.0005, dtype="float64")


@points(NAME, 1)
def test_one_rate_for_both_still_two_groups(student):
    check(student, [4, 4], [4, 2], 0.02, 0.02)


@points(NAME, 1)
def test_unfreezing_a_backbone_frozen_before(student):
    check(student, [6, 5, 4], [4, 3], 0.1, 0.001, frozen_before=True)


@points(NAME, 1)
def test_bad_input_raises_value_error(student):
    def layers(sizes):
        g = gen(3)
        return [(torch.randn(i, o, generator=g), torch.randn(o, generator=g)) for i, o in zip(sizes[:-1], sizes[1:])]

    bb, hd = layers([4, 3]), layers([3, 2])
    for args, what in (((bb, hd, 0.0, 0.01), "head_lr=0"), ((bb, hd, -0.1, 0.0), "head_lr=-0.1"),
                       ((bb, hd, 0.1, -0.01), "backbone_lr=-0.01"), ((bb, [], 0.1, 0.0), "an empty head"),
                       (([], hd, 0.1, 0.0), "an empty backbone")):
        expect_raises(student, NAME, args, "ValueError", setting=what)
