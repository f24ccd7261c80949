"""The module 3 quiz as data: the answer key, each question's topic, and what to revise after a
wrong answer: the concepts the question rests on and where the course teaches them, never the
right option, its letter or a paraphrase of it (the quiz is formative). Graded by
`looplab.checks.Quiz`."""

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
    "q1": "Revise the running averages Adam keeps: how an exponential moving average that starts "
          "at zero weights the gradients seen so far, what those weights add up to after t steps "
          "and how 1 - beta1^t changes as t grows, and which parts of Adam and AdamW deal with "
          "the scale of the gradients and with weight decay (lesson 3.1, 'Adam' and 'L2 against "
          "decoupled weight decay (AdamW)', and the demonstration of adaptive steps, bias "
          "correction and AdamW's decay); also what a learning-rate schedule is for (lesson 3.2, "
          "'The update with a schedule'). Then work out m_1 and m_2, with and without the "
          "division, for a gradient that stays constant.",
    "q2": "Revise the state of training at its very first steps: how large and how reliable the "
          "gradients of freshly initialised weights are, how much history an adaptive "
          "optimiser's statistics hold after one or two updates, and what one overly large step "
          "can do to a network; then what the noise of a large rate does to the final loss, and "
          "how each of the lesson's schedules is defined step by step (lesson 3.2, 'Linear "
          "warm-up, then cosine (`LinearLR` then `CosineAnnealingLR`, in `SequentialLR`)', 'Why "
          "decay: the noise ball' and 'Why warm up'; lesson 3.1, 'Adam'; lesson 3.3, 'Why not "
          "start from zero: symmetry').",
    "q3": "Revise the variance of one layer's output in terms of its fan-in, the variance of its "
          "weights and the mean square of its input; what a ReLU does to the mean square of a "
          "signal symmetric around zero (the gain); how one factor per layer compounds over many "
          "layers; and which initialisation is matched to which activation (lesson 3.3, 'The "
          "variance of one layer's output', 'The gain: what the nonlinearity does to the "
          "signal', 'Forward and backward: fan-in, fan-out and Xavier', and the demonstration "
          "'50 layers deep'). Then follow the mean square through two layers with the variance "
          "of the question.",
    "q4": "Revise how the backward pass carries a gradient through a stack of blocks, as a "
          "product of their Jacobians, and when that product vanishes or explodes; the "
          "Jacobian of a block whose output is its input plus F(x); what in such a block stays "
          "nonlinear; how a skip connection differs from a normalisation layer; and where a "
          "learning rate is set (lesson 3.4, 'Why the gradient vanishes or explodes', 'Skip "
          "connections' and 'Batch normalisation'; lesson 3.1, 'What an optimiser remembers, "
          "and how PyTorch stores it'). Then check each option against that product.",
    "q5": "Revise what BatchNorm computes in each of its two modes and which statistics each "
          "mode uses, what can make one example's output depend on the other examples of its "
          "batch, how LayerNorm's statistics differ from BatchNorm's, and what the learning "
          "rate and eps can and cannot change once training is over (lesson 3.4, 'Batch "
          "normalisation', 'Layer normalisation' and 'BatchNorm: statistics of the batch, "
          "state in the layer'; lesson 3.7, the paragraphs 'Normalisation layers in two modes' "
          "of 'Mathematical foundations' and 'Train mode and eval mode' of 'In depth').",
    "q6": "Revise how to read a training curve and a validation curve side by side: how a "
          "learning rate that is too small, gradients that vanish, a loader that serves the "
          "same batches again and overfitting each show on the two curves (lesson 3.6, 'What "
          "each fault looks like' and the paragraph 'Overfitting' of 'Mathematical "
          "foundations'); then what early stopping, regularisation and data augmentation each "
          "do, and when each helps (lesson 3.7, the paragraphs 'Early stopping', 'Data "
          "augmentation' and 'Why stop early works'; lesson 2.6, 'Training loss, validation "
          "loss and the gap').",
    "q7": "Revise how the gradient of a mean loss over a batch relates to the gradients of the "
          "mean losses over its shards, for shards of equal and of unequal sizes; what an "
          "all-reduce leaves on every rank, and whether the data-parallel loop sums or "
          "averages; and how the noise of a gradient estimate depends on the number of samples "
          "behind it (lesson 3.5, 'Mathematical foundations' up to and including 'All-reduce', "
          "and the paragraph 'Why the copies stay identical' of 'In depth'; lesson 2.5, 'Why "
          "batching stabilises learning').",
    "q8": "Revise what the backbone and the head each hold when fine-tuning starts and how far "
          "each has to move, what the gradients that flow back into the backbone carry during "
          "the first steps, whether the size of an update to one weight depends on how many "
          "weights share its part of the network, what the cost of a step depends on, and what "
          "torch.optim's parameter groups allow (lesson 3.9, the paragraphs 'The network in two "
          "parts', 'Freezing' and 'Parameter groups' of 'Mathematical foundations' and 'Why "
          "reuse works' and 'Frozen, or fine-tuned?' of 'In depth').",
}

QUIZ = Quiz(KEY, TOPICS, EXPLANATIONS)
