"""The module 2 quiz as data: the answer key, each question's topic, and its idea (told after
a wrong answer, never the letter of the right option). Graded by `looplab.checks.Quiz`."""

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
    "q1": "Compose two affine maps: (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2), which is again "
          "one affine map x W + b. However many layers are stacked, without a nonlinearity between "
          "them the network can only draw the functions a single linear layer draws (lesson 2.1): "
          "the extra layers add parameters, not shapes. It is the activation between layers that "
          "lets the network bend.",
    "q2": "Backpropagation visits each node once, parents before children, and every use of a value "
          "sends its own share of the gradient back to it. By the multivariate chain rule the shares "
          "add up: a node used twice collects the sum of both contributions (lesson 2.2). That is "
          "why .grad is accumulated with +=, and also why it must be cleared before the next step.",
    "q3": "With p = softmax(z) the loss of one sample is -log p_y. Differentiating log-sum-exp gives "
          "p, and differentiating -z_y gives minus the one-hot vector of the true class, so the "
          "gradient is p - onehot(y); averaging over N samples divides it by N (lesson 2.3). It is "
          "small when the prediction is right and confident, and never needs a division by a "
          "probability.",
    "q4": "The backward pass multiplies, layer after layer, by the activation's slope. The sigmoid's "
          "slope s (1 - s) is at most 1/4 (at 0) and nearly 0 when the unit saturates, so the "
          "gradient reaching the first layers shrinks roughly geometrically with depth (lesson 2.4). "
          "ReLU's slope is exactly 1 wherever the unit is active, so it does not shrink the signal "
          "on that path. Nothing about the sigmoid makes the forward pass wrong or random.",
    "q5": "F.cross_entropy applies log-softmax to what it is given. Given probabilities, it "
          "softmaxes numbers already squeezed into [0, 1], whose differences are at most 1: the "
          "resulting distribution stays close to uniform, the loss cannot get near 0, and the "
          "gradients reaching the network are small. Nothing raises an error, which is what makes "
          "this bug dangerous: the model still learns a little, slowly. Give the cross-entropy the "
          "logits (lesson 2.3).",
    "q6": "The gradient of a sum over B samples is B times the gradient of their mean. With "
          "reduction='sum', the step lr * gradient is therefore B times larger than with the mean, "
          "as if the learning rate had been multiplied by the batch size; changing the batch size "
          "then changes the effective step too (lesson 2.5). The mean keeps one learning rate "
          "meaningful for every batch size, the smaller last batch included.",
    "q7": "Inverted dropout divides the kept activations by 1 - p during training, so each unit's "
          "expected value is the same as without dropout (lesson 2.6). In evaluation mode nothing "
          "is dropped and nothing is rescaled: the layer is the identity, the prediction is "
          "deterministic, and it uses every unit. Leaving dropout on at evaluation makes the "
          "validation loss noisy and usually worse than the model really is.",
    "q8": "The penalty lambda/2 * |W|^2 has the gradient lambda * W. The step "
          "W <- W - lr * (grad of the data loss + lambda * W) is W <- (1 - lr * lambda) W - lr * "
          "(grad of the data loss): before each usual step the weights shrink by a constant factor, "
          "which is why L2 is also called weight decay (lesson 2.6). It pulls large weights toward "
          "zero; it does not drop units or change the data.",
}

QUIZ = Quiz(KEY, TOPICS, EXPLANATIONS)
