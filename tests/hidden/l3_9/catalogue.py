"""Lesson 3.9's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. fine_tune calls the student's own param_groups, so a
param_groups mistake may cost fine_tune points too (`spreads`).
"""

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("3.9")
PG = ("fine_tune",)

FROZEN_IN = "        t.requires_grad_(not frozen)  # frozen: autograd will not even compute its gradient\n"
TWO_GROUPS = 'return [{"params": backbone_tensors, "lr": backbone_lr}, head_group]'
HEAD_LIST = "head_tensors = [t for layer in head for t in layer]"
TOTAL = "total += loss.item() * len(idx)  # recorded before the update, weighted by the batch size"
MOMENTUM = "lr=head_lr,\n                                momentum=momentum)"
RETURN_CE = "return F.cross_entropy(logits, partner)  # log-softmax inside: stable for any tau"
SIMS = "logits = z @ z.T / temperature  # (2N, 2N) cosine similarities over tau"

PARAM_GROUPS = [
    Mistake("frozen_backbone_given_to_the_optimiser", "param_groups",
            mutate(REFERENCE, "return [head_group]  # the optimiser never sees the backbone",
                   'return [{"params": backbone_tensors, "lr": 0.0}, head_group]'),
            "which should be frozen", spreads=PG, example="buggy"),
    Mistake("groups_hold_copies", "param_groups",
            mutate(REFERENCE, HEAD_LIST, "head_tensors = [t.clone() for layer in head for t in layer]"),
            "holds a copy of a tensor", spreads=PG),
    Mistake("frozen_flag_never_set", "param_groups",
            mutate(REFERENCE, FROZEN_IN, "        t.requires_grad_(True)\n"),
            "the frozen backbone keeps requires_grad True", spreads=PG),
    Mistake("rates_swapped", "param_groups",
            mutate(REFERENCE, TWO_GROUPS,
                   'return [{"params": backbone_tensors, "lr": head_lr}, {"params": head_tensors, "lr": backbone_lr}]'),
            "head_lr and backbone_lr are swapped", spreads=PG),
    Mistake("one_group_for_everything", "param_groups",
            mutate(REFERENCE, TWO_GROUPS, 'return [{"params": backbone_tensors + head_tensors, "lr": head_lr}]'),
            "one group for everything", spreads=PG),
    Mistake("never_unfreezes", "param_groups",
            mutate(REFERENCE, FROZEN_IN, "        if frozen:\n            t.requires_grad_(False)\n"),
            "is not unfrozen", spreads=PG),
    Mistake("no_check_of_the_rates", "param_groups",
            mutate(REFERENCE, "    if head_lr <= 0 or backbone_lr < 0:\n        raise ValueError(f\"need head_lr > 0 and "
                              "backbone_lr >= 0, got {head_lr} and {backbone_lr}\")\n", ""),
            "ValueError", spreads=PG),
]

FINE_TUNE = [
    Mistake("loss_recorded_after_the_update", "fine_tune",
            mutate(REFERENCE, TOTAL, 'total += F.cross_entropy(mlp_forward(X[idx], backbone + head, "relu"), '
                                     'y[idx]).item() * len(idx)'),
            "recorded after the update"),
    Mistake("plain_mean_of_batch_losses", "fine_tune",
            edit(REFERENCE, (TOTAL, "total += loss.item()"),
                 ("losses.append(total / n)", "losses.append(total / math.ceil(n / batch_size))")),
            "plain mean of the batch losses"),
    Mistake("momentum_dropped", "fine_tune", mutate(REFERENCE, MOMENTUM, "lr=head_lr)"),
            "momentum is not passed"),
    Mistake("gradients_never_cleared", "fine_tune", mutate(REFERENCE, "            optimiser.zero_grad()\n", ""),
            "never cleared"),
    Mistake("optimiser_built_every_epoch", "fine_tune",
            edit(REFERENCE, ("    optimiser = torch.optim.SGD(param_groups(backbone, head, head_lr, backbone_lr), lr=head_lr,\n"
                             "                                momentum=momentum)\n", ""),
                 ("        order = torch.randperm(n, generator=generator)  # a fresh shuffle every epoch\n",
                  "        optimiser = torch.optim.SGD(param_groups(backbone, head, head_lr, backbone_lr), lr=head_lr,\n"
                  "                                    momentum=momentum)\n"
                  "        order = torch.randperm(n, generator=generator)\n")),
            "built again every epoch"),
    Mistake("caller_layers_trained_in_place", "fine_tune",
            mutate(REFERENCE, "head = [(W.detach().clone(), b.detach().clone()) for W, b in head]",
                   "head = [(W.detach(), b.detach()) for W, b in head]"),
            "changed its input `head` in place"),
    Mistake("global_random_shuffle", "fine_tune",
            mutate(REFERENCE, "order = torch.randperm(n, generator=generator)", "order = torch.randperm(n)"),
            "global random state"),
]

NT_XENT = [
    Mistake("self_similarity_not_masked", "nt_xent",
            mutate(REFERENCE, "    logits = logits.masked_fill(self_pairs, float(\"-inf\"))  # nobody is their own negative\n", ""),
            "counted among its own negatives"),
    Mistake("not_normalised", "nt_xent",
            mutate(REFERENCE, "z = F.normalize(torch.cat([z1, z2]), dim=1)", "z = torch.cat([z1, z2])"),
            "not normalised to unit length"),
    Mistake("naive_exp_overflows", "nt_xent",
            mutate(REFERENCE, RETURN_CE, "positive = logits.gather(1, partner[:, None]).squeeze(1)  # (2N,)\n"
                                         "    return (torch.log(torch.exp(logits).sum(dim=1)) - positive).mean()"),
            "overflows"),
    Mistake("first_view_anchors_only", "nt_xent",
            mutate(REFERENCE, RETURN_CE, "return F.cross_entropy(logits[:n], partner[:n])"),
            "only the first view's N anchors"),
    Mistake("similarities_times_temperature", "nt_xent",
            mutate(REFERENCE, SIMS, "logits = z @ z.T * temperature"),
            "multiplied by the temperature"),
    Mistake("summed_not_averaged", "nt_xent",
            mutate(REFERENCE, RETURN_CE, 'return F.cross_entropy(logits, partner, reduction="sum")'),
            "summed over the 2N anchors"),
    Mistake("inputs_normalised_in_place", "nt_xent",
            mutate(REFERENCE, "    n = z1.shape[0]\n    z = F.normalize",
                   "    n = z1.shape[0]\n    z1.div_(z1.norm(dim=1, keepdim=True))\n"
                   "    z2.div_(z2.norm(dim=1, keepdim=True))\n    z = F.normalize"),
            "changed its input `z1` in place"),
    Mistake("negatives_from_the_other_view_only", "nt_xent",
            replace_body(REFERENCE, "nt_xent", '''
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, d)")
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    a, b = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    logits = a @ b.T / temperature  # (N, N): view 1 against view 2 only
    target = torch.arange(z1.shape[0])
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
'''),
            "the negatives come only from the other view"),
]

QUIZ_ANSWERS = [
    Mistake("one_wrong_answer", "quiz_answers", mutate(REFERENCE, '"q3": "d"', '"q3": "a"'),
            "q3 (initialisation variance in a deep ReLU network): you chose 'a'"),
    Mistake("answers_given_as_numbers", "quiz_answers",
            mutate(REFERENCE, '{"q1": "c", "q2": "a",', '{"q1": 3, "q2": "a",'),
            ("q1: the answer 3 is of type int", "write 'c'")),
]

MISTAKES = PARAM_GROUPS + FINE_TUNE + NT_XENT + QUIZ_ANSWERS

HAND_SGD = '''
    if epochs < 0 or batch_size < 1:
        raise ValueError("need epochs >= 0 and batch_size >= 1")
    backbone = [(W.clone(), b.clone()) for W, b in backbone]
    head = [(W.clone(), b.clone()) for W, b in head]
    groups = param_groups(backbone, head, head_lr, backbone_lr)
    buffers: dict[int, Tensor] = {}  # lesson 3.1's momentum buffers, one per trained tensor
    losses = []
    for _ in range(epochs):
        order = torch.randperm(X.shape[0], generator=generator)
        total = 0.0
        for idx in torch.split(order, batch_size):
            loss = F.cross_entropy(mlp_forward(X[idx], backbone + head, "relu"), y[idx])
            trained = [p for group in groups for p in group["params"]]
            grads = torch.autograd.grad(loss, trained)
            with torch.no_grad():
                k = 0
                for group in groups:
                    for p in group["params"]:
                        g = grads[k]
                        buffers[k] = g.clone() if k not in buffers else momentum * buffers[k] + g
                        p -= group["lr"] * buffers[k]
                        k += 1
            total += loss.item() * len(idx)
        losses.append(total / X.shape[0])
    return {"backbone": [(W.detach(), b.detach()) for W, b in backbone],
            "head": [(W.detach(), b.detach()) for W, b in head], "losses": losses}
'''

LOGSUMEXP = '''
    if z1.ndim != 2 or z2.ndim != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, d)")
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    n = len(z1)
    z = torch.cat([z1, z2]) / torch.cat([z1, z2]).norm(dim=1, keepdim=True)  # (2N, d)
    s = z @ z.T / temperature
    s = s - torch.diag(torch.full((2 * n,), float("inf"), dtype=s.dtype))  # -inf on the diagonal
    partner = (torch.arange(2 * n) + n) % (2 * n)
    positive = s[torch.arange(2 * n), partner]  # (2N,)
    return (torch.logsumexp(s, dim=1) - positive).mean()
'''

BLOCKS = '''
    if z1.dim() != 2 or z1.shape != z2.shape:
        raise ValueError("z1 and z2 must both be (N, d)")
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    a, b = F.normalize(z1.double(), dim=1), F.normalize(z2.double(), dim=1)  # float64 inside
    eye = torch.eye(len(a), dtype=torch.bool)
    aa = (a @ a.T / temperature).masked_fill(eye, float("-inf"))
    bb = (b @ b.T / temperature).masked_fill(eye, float("-inf"))
    ab = a @ b.T / temperature  # positives on its diagonal
    first = torch.logsumexp(torch.cat([ab, aa], dim=1), dim=1) - ab.diagonal()
    second = torch.logsumexp(torch.cat([ab.T, bb], dim=1), dim=1) - ab.diagonal()
    return torch.cat([first, second]).mean().to(z1.dtype)
'''

PG_COMPREHENSION = '''
    if not (head_lr > 0 and backbone_lr >= 0) or len(backbone) == 0 or len(head) == 0:
        raise ValueError("bad learning rates or an empty part")
    import itertools
    trained_backbone = backbone_lr > 0
    for t in itertools.chain.from_iterable(backbone):
        t.requires_grad = trained_backbone
    for t in itertools.chain.from_iterable(head):
        t.requires_grad = True
    groups = [dict(params=list(itertools.chain.from_iterable(head)), lr=head_lr)]
    if trained_backbone:
        groups.insert(0, dict(params=list(itertools.chain.from_iterable(backbone)), lr=backbone_lr))
    return groups
'''

ALTERNATIVES = [
    Alternative("hand_written_momentum_sgd_and_logsumexp",
                replace_body(replace_body(REFERENCE, "fine_tune", HAND_SGD), "nt_xent", LOGSUMEXP),
                "fine_tune applies lesson 3.1's momentum step by hand over the groups with torch.autograd.grad "
                "and torch.split; nt_xent with torch.logsumexp and a gathered positive", example="correct"),
    Alternative("float64_blocks_and_upper_case_answers",
                replace_body(mutate(REFERENCE, '"q1": "c", "q2": "a"', '"q1": " C", "q2": "A "'),
                             "nt_xent", BLOCKS),
                "nt_xent from the three similarity blocks, computed in float64 and cast back; quiz answers in "
                "upper case with spaces"),
    Alternative("param_groups_with_itertools", replace_body(REFERENCE, "param_groups", PG_COMPREHENSION),
                "param_groups with itertools.chain, dict(...) and the requires_grad attribute"),
]
