"""The module 1 quiz as data: the answer key, each question's topic, and its idea (told after
a wrong answer, never the letter of the right option). Graded by `looplab.checks.Quiz`."""

from looplab.checks import Quiz

KEY = {"q1": "c", "q2": "b", "q3": "d", "q4": "a", "q5": "b", "q6": "d", "q7": "a", "q8": "c"}

TOPICS = {
    "q1": "the order of the steps in one iteration",
    "q2": "the gradient of the mean squared error with respect to b",
    "q3": "a loss that grows faster and faster",
    "q4": "mini-batch training with batch_size = N",
    "q5": "the loss recorded for an epoch",
    "q6": "a fresh permutation from the generator every epoch",
    "q7": "zig-zagging across a narrow valley",
    "q8": "central differences with a very small h",
}

EXPLANATIONS = {
    "q1": "The gradient describes the loss at the current parameters, so the forward pass "
          "(predictions, then loss) comes first; backward() then fills .grad; the update reads "
          ".grad (inside torch.no_grad(), so the step itself is not recorded by autograd); only "
          "after the update may .grad be cleared for the next step. Clearing or stepping before "
          "backward() would throw away or lack the gradient the step needs.",
    "q2": "Differentiate one term with the chain rule: the derivative of (y_hat_i - y_i)^2 is "
          "2 (y_hat_i - y_i) times the derivative of y_hat_i, and y_hat_i = x_i w + b changes one "
          "for one with b. Averaging over the N samples keeps the factor 1/N. The version with x_i "
          "in it is the gradient with respect to w, and the sum of squares is the loss itself.",
    "q3": "The loss of linear regression is a quadratic bowl. Along its steepest direction, with "
          "curvature lambda_max, one step multiplies the distance to the minimum by "
          "(1 - lr * lambda_max). Once lr > 2 / lambda_max that factor is below -1: every step "
          "lands further up the opposite wall, so the loss grows by a constant factor per step "
          "until it overflows. Noise in the data sets a floor; it does not make the loss grow, and "
          "where the loss is recorded shifts the curve by one step but cannot make it explode.",
    "q4": "An epoch makes ceil(N / batch_size) updates. With batch_size = N there is a single "
          "batch holding every sample, and the mean over a set of samples does not depend on "
          "their order (up to float rounding). So every epoch is one step of full-batch gradient "
          "descent, whatever the seed; batch_size = 1 would be stochastic gradient descent.",
    "q5": "The recorded loss is the mean over all N samples of each sample's squared error, taken "
          "with the parameters of the moment it was used. A batch loss is already a mean over its "
          "samples, so multiply it by the batch's size to get the batch's total, add the totals up "
          "and divide by N. The plain mean of the batch losses lets a batch of 2 count as much as "
          "a batch of 4; the sum and the last batch's loss are not means over samples at all.",
    "q6": "A permutation uses every sample exactly once per epoch (sampling without replacement). "
          "Drawing a new one every epoch changes which samples share a batch, so one epoch's "
          "gradient noise does not simply repeat in the next. Drawing it from an explicit "
          "generator makes the run depend only on that seed, not on whatever else used the global "
          "random state, so the same seed reproduces the run exactly. The gradient of a given "
          "batch is exact either way: randomness only decides which samples form the batch.",
    "q7": "For linear regression the mean squared error is a convex quadratic with one minimum "
          "(unless features are collinear), and full-batch descent involves no shuffling, so "
          "nothing changes between epochs. The gradient is perpendicular to the contour lines; on "
          "long thin ellipses it points mostly across the valley. The learning rate has to be "
          "small enough for that steep direction (below 2 / lambda_max), so along the shallow "
          "direction each step moves very little. Scaling the features to similar ranges makes "
          "the contours rounder and the path straighter.",
    "q8": "Two errors compete. The truncation error comes from the Taylor terms the formula leaves "
          "out and shrinks like h^2 for central differences. The round-off error comes from "
          "subtracting two nearly equal float32 values: about eps * |f| / h with eps near 1e-7, "
          "so it grows as h shrinks. Their sum is smallest in between (around eps^(1/3), "
          "roughly 1e-3 to 1e-2 in float32). Autograd does not use h at all.",
}

QUIZ = Quiz(KEY, TOPICS, EXPLANATIONS)
