"""The module 2 quiz as data: the answer key, each question's topic, and what to revise after a
wrong answer: the concepts the question rests on and where the course teaches them, never the
right option, its letter or a paraphrase of it (the quiz is formative). Graded by
`looplab.checks.Quiz`."""

from looplab.checks import Quiz

KEY = {"q1": "b", "q2": "d", "q3": "a", "q4": "c", "q5": "b", "q6": "a", "q7": "d", "q8": "c"}

TOPICS = {
    "q1": "stacking layers without an activation",
    "q2": "a value used twice in the graph",
    "q3": "the gradient of the cross-entropy with respect to the logits",
    "q4": "why a deep stack of sigmoids learns slowly",
    "q5": "softmax before a cross-entropy that expects logits",
    "q6": "a summed loss and the batch size",
    "q7": "inverted dropout at evaluation",
    "q8": "the L2 penalty's effect on one update",
}

EXPLANATIONS = {
    "q1": "Revise what a stack of layers computes when nothing sits between them, and what an "
          "activation adds to it: where bends and corners in a network's output come from, what "
          "bounds its values, and what the width of a hidden layer can buy and under which "
          "condition (lesson 2.1, 'Stacking linear layers gives a linear layer', 'The multi-layer "
          "perceptron' and 'Three activations and their derivatives'; lesson 2.4, 'Without an "
          "activation, depth adds nothing' and 'Expressiveness: what a network can represent'). "
          "Then write this network's output as one formula in x and hold it against each option.",
    "q2": "Revise the chain rule on a computation graph: the local derivative of each operation, "
          "what happens to the gradient at a node whose value feeds more than one operation, and "
          "how backward() writes into .grad (lesson 2.2, 'The chain rule', 'A computation is a "
          "graph', 'A worked example' and 'In depth'; lesson 2.7, 'Mathematical foundations: "
          "module 2 on one page'). Then compute the local derivative of u and of v at a = 2 and "
          "decide how the two reach a.",
    "q3": "Revise the derivation of the cross-entropy's gradient with respect to the logits: the "
          "derivative of log-sum-exp, the derivative of the term that picks out the label's "
          "logit, the sign each of them carries, and how the derivative of the softmax alone or "
          "of the log of one probability alone differs from the loss's gradient (lesson 2.3, "
          "'Softmax and cross-entropy', 'Log-sum-exp', 'The backward pass' and 'Why softmax and "
          "cross-entropy belong together'). Differentiate the loss of the question term by term "
          "and check your signs on a two-class example.",
    "q4": "Revise how the gradient travels from the loss back to the first layer and what each "
          "layer's activation contributes on the way; the derivative of each activation, its "
          "largest value and where it is defined; and what the choice of activation does and "
          "does not change in a layer, such as its number of parameters or whether its forward "
          "pass is deterministic (lesson 2.1, 'Three activations and their derivatives' and "
          "'Why the derivatives matter'; lesson 2.4, 'Mathematical foundations', 'Measuring the "
          "gradient of a layer' and 'Learning: what the gradient sees').",
    "q5": "Revise what F.cross_entropy expects as its input and what it does to that input before "
          "taking a logarithm, which properties of its input it checks, what softmax does to "
          "numbers that are already probabilities, and which values a cross-entropy can take "
          "(lesson 2.3, 'Softmax and cross-entropy', 'Log-sum-exp' and 'Why softmax and "
          "cross-entropy belong together'; lesson 2.7, 'Two losses' and 'What each bug looks "
          "like from outside'). Then try it on one row of logits: softmax it once, twice, and "
          "compare.",
    "q6": "Revise how the reduction of a loss over a batch, mean or sum, enters its gradient; how "
          "the length of a step depends on the learning rate and on the size of the gradient as "
          "well as on its direction; and how the batch size, a short last batch included, enters "
          "both (lesson 2.5, 'The step and the recorded loss (lesson 1.3's conventions)'; lesson "
          "1.3, 'One update rule, three choices of S'; lesson 2.7, 'What each bug looks like "
          "from outside'). Write the gradient of a sum of 64 terms next to the gradient of their "
          "mean before you choose.",
    "q7": "Revise inverted dropout from both sides: what it does to an activation in training "
          "mode and why it rescales there, the expected value of its output, what a layer "
          "should do in evaluation mode (which units take part, whether anything random or any "
          "rescaling remains) and what a fixed seed does and does not change (lesson 2.6, "
          "'Inverted dropout', 'Dropout as a penalty, on average' and "
          "'Training mode and evaluation mode'; lesson 2.7, 'Regularisation' and 'What each bug "
          "looks like from outside').",
    "q8": "Revise how a penalty added to the objective enters one gradient step: the gradient of "
          "(lambda/2) |W|^2 worked out by hand, which factor the learning rate multiplies, the "
          "sign of each term of the update, and how a smooth penalty differs from a rule that "
          "sets small weights to zero (lesson 2.6, 'Mathematical foundations' from 'The model "
          "and the losses' on, and 'What the penalty prefers'; lesson 2.7, 'Regularisation'). "
          "Then expand the step with the whole objective's gradient and collect the terms in W.",
}

QUIZ = Quiz(KEY, TOPICS, EXPLANATIONS)
