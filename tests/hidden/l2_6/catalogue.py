"""Lesson 2.6's proof that its checks work: realistic mistakes and correct alternatives."""

from looplab.catalogue import Alternative, Mistake, mutate, reference_source

REFERENCE = reference_source("2.6")

MISTAKES = [
    Mistake("no_rescale", "dropout", mutate(REFERENCE, "return x * keep / (1.0 - p)", "return x * keep"),
            named="not scaled", spreads=("train_mlp", "overfitting_gap"), example="buggy"),
]

ALTERNATIVES = [
    Alternative("where", REFERENCE.replace("return x * keep / (1.0 - p)", "return torch.where(keep, x / (1.0 - p), torch.zeros_like(x))"),
                style="torch.where", example="correct"),
]
