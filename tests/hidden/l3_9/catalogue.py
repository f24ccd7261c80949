"""Lesson 3.9's proof that its checks work: realistic mistakes and correct alternatives.

See `looplab.catalogue`: each mistake must lose points on its task (named there) and nowhere
else; each alternative keeps full marks. The bar: at least 12 mistakes, 3 alternatives.
"""

from looplab.catalogue import Alternative, Mistake, mutate, reference_source

REFERENCE = reference_source("3.9")

MISTAKES = [
    Mistake("example_mistake", "param_groups", mutate(REFERENCE, "return x.clone()", "return x"),
            named="what the failure message says", example="buggy"),
]

ALTERNATIVES = [
    Alternative("example_style", REFERENCE.replace("x.clone()", "x.detach().clone()"),
                style="what it does differently", example="correct"),
]
