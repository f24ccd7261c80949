"""The module 3 quiz as data: the answer key, each question's topic, and its idea (told after
a wrong answer, never the letter of the right option). Graded by `looplab.checks.Quiz`."""

from looplab.checks import Quiz

KEY = {"q1": "c", "q2": "a", "q3": "d", "q4": "b", "q5": "c", "q6": "d", "q7": "a", "q8": "b"}

TOPICS = {
    "q1": "Adam's bias correction",
    "q2": "a learning-rate warmup",
    "q3": "initialisation variance in a deep ReLU network",
    "q4": "why skip connections help gradients",
    "q5": "BatchNorm at evaluation",
    "q6": "a rising validation loss",
    "q7": "averaging gradients across data-parallel workers",
    "q8": "a smaller learning rate for a pretrained backbone",
}

EXPLANATIONS = {
    "q1": "A running average that starts at 0 is pulled toward 0 for its first steps: with beta1 = "
          "0.9, m_1 = 0.1 g_1, and in general m_t sums the gradients with weights that add up to "
          "1 - beta1^t, not 1. Dividing by 1 - beta1^t rescales those weights to sum to 1, so from "
          "the first step m is an average of the gradients seen (lesson 3.1); the same holds for v. "
          "The correction fades as t grows; it changes no rate schedule and has nothing to do with "
          "weight decay.",
    "q2": "At step 0 the weights are random, so the gradients are large and point in poor "
          "directions, and an adaptive optimiser's statistics (Adam's v) rest on one or two "
          "gradients, so its steps can be huge. Full-size steps then can push the network into a "
          "region (dead units, saturated layers, a diverged loss) it never leaves. Ramping the rate "
          "up over the first steps lets the statistics and the weights settle first (lesson 3.2). "
          "The gradient at initialisation is not zero.",
    "q3": "For a layer with weights of variance s^2, Var(output) = fan_in * s^2 * E[input^2]. ReLU "
          "sets the negative half of a symmetric input to 0, so E[relu(h)^2] = Var(h) / 2: with "
          "s^2 = 1/fan_in the mean square of the signal halves at every layer and vanishes in depth. "
          "Kaiming's s^2 = 2/fan_in puts the lost factor of 2 back (lesson 3.3); Xavier's 1/fan_in "
          "suits activations like tanh that are close to the identity near 0.",
    "q4": "The backward pass multiplies the gradient by each block's Jacobian. For a plain block F "
          "that is dF/dx, and a product of many small factors vanishes. For x + F(x) it is "
          "I + dF/dx: the identity term sends the upstream gradient straight through, added to "
          "whatever F contributes, so the early layers receive a signal however deep the stack "
          "(lesson 3.4). The block keeps its nonlinearity and does not normalise anything.",
    "q5": "In training mode BatchNorm normalises each feature with the mean and variance of the "
          "current batch, so an example's output depends on its batch-mates. In evaluation mode it "
          "uses the running estimates accumulated during training, and each example is treated on "
          "its own, deterministically (lessons 3.4 and 3.7). Predictions that change with the batch "
          "mean the layer was left in training mode (model.eval() was forgotten).",
    "q6": "A training loss that keeps falling while the validation loss rises means the model is "
          "fitting the training set's particulars, which do not carry over to new data: "
          "overfitting (lesson 3.6's curves). The cure is not a different rate or architecture: "
          "stop at the epoch where validation was best and keep those weights (early stopping), or "
          "regularise, augment or add data to push that point later (lesson 3.7).",
    "q7": "Each worker's gradient is the mean over its own 32 samples. The average of four such "
          "means, over equally sized shards, is the mean over all 128 samples, and the gradient is "
          "linear in the loss, so the result is exactly the gradient one machine would compute on "
          "the whole batch of 128 (lesson 3.5). That is why data parallelism is the same loop with a "
          "larger batch; summing instead of averaging would give four times that gradient.",
    "q8": "The pretrained weights already encode features worth keeping, while the new head starts "
          "from random numbers and must move a long way. Early in fine-tuning the random head sends "
          "large, uninformative gradients back into the backbone; at the head's rate they would "
          "overwrite the features (catastrophic forgetting). A small backbone rate, set with a "
          "parameter group of its own, lets the head learn fast while the backbone only adjusts "
          "(lesson 3.9). torch.optim does not require different rates, and a step's cost does not "
          "depend on its rate.",
}

QUIZ = Quiz(KEY, TOPICS, EXPLANATIONS)
