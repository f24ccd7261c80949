"""The module 1 quiz as data: the answer key, each question's topic, and what to revise after a
wrong answer: the concepts the question rests on and where the course teaches them, never the
right option, its letter or a paraphrase of it (the quiz is formative). Graded by
`looplab.checks.Quiz`."""

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
    "q1": "Revise what each step of one iteration needs from the steps before it: what "
          "loss.backward() reads and where it writes, what the update reads, and when the "
          "gradients may be cleared (lesson 1.3, 'Autograd for the update step'; lesson 1.6, "
          "'The loop'). Then walk through each option and ask whether every step has what it "
          "needs at the moment it runs.",
    "q2": "Revise the derivation of the mean squared error's gradient by the chain rule, for w "
          "and for b (lesson 1.2, 'The gradient, derived by hand'; lesson 1.6, 'Linear "
          "regression and its gradient'). Differentiate one term of the sum yourself, then "
          "average over the samples, and compare your result with the options.",
    "q3": "Revise what can make full-batch gradient descent on linear regression diverge and "
          "what cannot: the largest stable learning rate on a quadratic bowl (lesson 1.2, 'The "
          "Hessian and the largest stable step'; lesson 1.4, 'Gradient descent on the bowl'), "
          "the noise floor (lesson 1.3), and the moment a loss is recorded (lesson 1.1, 'What "
          "the loss history records').",
    "q4": "Revise how the batch size sets the number of updates in an epoch, and the "
          "equivalences between the three loops of lesson 1.3 ('One update rule, three choices "
          "of S' and Exercise 3). Count the batches of one epoch for this batch size before "
          "you choose.",
    "q5": "Revise the definition of the loss recorded for an epoch of mini-batch training: "
          "which average of the batch losses it is, and how a short last batch enters it "
          "(lesson 1.3, 'What the loss curves record'; lesson 1.6, 'Batches'). Then work it out "
          "for these three batches.",
    "q6": "Revise shuffling: what a permutation guarantees about how often each sample is "
          "used in an epoch, what a new one each epoch changes, what an explicit "
          "torch.Generator buys, and what randomness does and does not decide in a mini-batch "
          "gradient (lesson 1.3, 'Shuffling, the last batch, one generator'; lesson 1.6, 'A "
          "correct mini-batch loop, property by property').",
    "q7": "Revise the landscape of linear regression's loss (how many minima it has, how the "
          "gradient's direction and the contour lines are related) and conditioning: what long, "
          "thin contours do to gradient descent with one learning rate for every direction "
          "(lesson 1.4, 'The landscape is a bowl' and 'Gradient descent on the bowl'; lesson "
          "1.2, 'Conditioning and feature scaling').",
    "q8": "Revise the errors of a finite difference: where each one comes from, how each "
          "changes as h shrinks, and which step size balances them (lesson 1.5, 'Mathematical "
          "foundations' from 'Forward differences' to 'The best step size', and the "
          "demonstration of the V of finite differences).",
}

QUIZ = Quiz(KEY, TOPICS, EXPLANATIONS)
