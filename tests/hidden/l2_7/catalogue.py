"""Lesson 2.7's proof that its checks work: realistic mistakes and correct alternative styles.

`compare_models`: the ways a comparison goes wrong (scored on the wrong data, a network started
from zeros, the generator used twice, a summed loss, ...). `quiz_answers`: a wrong answer costs
that question only, and answers in the wrong form are told the form. `fixed_train`: each of
broken_train's six bugs, put back one at a time into the reference, must cost points and be
named; so must broken_train itself (all six named at once) and the mistakes a repair commonly
introduces.
"""

import re

from looplab.catalogue import Alternative, Mistake, edit, mutate, reference_source, replace_body

REFERENCE = reference_source("2.7")

# --- compare_models ---------------------------------------------------------------------------

LINEAR_START = "[(torch.zeros(d, 1), torch.zeros(1))]"
MLP_START = "init_mlp([d, hidden, 1], generator)}"
TRAIN_LOSS = "loss = mse(mlp_forward(X_train, layers, activation), y_train)  # mean over N samples"
CLEAR = "                    W.grad, b.grad = None, None\n"
SCORE_TRAIN = 'scores[f"{name}_train"] = mse(mlp_forward(X_train, layers, activation), y_train).item()'
SCORE_TEST = 'scores[f"{name}_test"] = mse(mlp_forward(X_test, layers, activation), y_test).item()'
EPOCH_LOOP = "        for _ in range(epochs):\n            loss = mse("

NO_ACTIVATION = '''

def stacked(x: Tensor, layers: Layers) -> Tensor:
    """The layers one after the other."""
    h = x
    for W, b in layers:
        h = h @ W + b
    return h


def compare_models('''

COMPARE_MODELS = [
    Mistake("test_scored_on_training_data", "compare_models",
            mutate(REFERENCE, SCORE_TEST, SCORE_TEST.replace("X_test", "X_train").replace("y_test)", "y_train)")),
            "the test scores are measured on the training data"),
    Mistake("trained_on_the_held_out_data", "compare_models",
            mutate(REFERENCE, TRAIN_LOSS, TRAIN_LOSS.replace("X_train", "X_test").replace("y_train", "y_test")),
            "the models are trained on the held-out data"),
    Mistake("mlp_started_from_zeros", "compare_models",
            mutate(REFERENCE, MLP_START, "[(torch.zeros(d, hidden), torch.zeros(hidden)), "
                                         "(torch.zeros(hidden, 1), torch.zeros(1))]}"),
            "the MLP starts from zeros"),
    Mistake("linear_model_drawn_from_the_generator", "compare_models",
            mutate(REFERENCE, LINEAR_START, "init_mlp([d, 1], generator)"),
            "the linear model starts from init_mlp([d, 1], generator)"),
    Mistake("no_activation_between_layers", "compare_models",
            edit(REFERENCE, ("\n\ndef compare_models(", NO_ACTIVATION),
                 (TRAIN_LOSS, "loss = mse(stacked(X_train, layers), y_train)"),
                 (SCORE_TRAIN, SCORE_TRAIN.replace("mlp_forward(X_train, layers, activation)", "stacked(X_train, layers)")),
                 (SCORE_TEST, SCORE_TEST.replace("mlp_forward(X_test, layers, activation)", "stacked(X_test, layers)"))),
            "collapses into a linear model"),
    Mistake("loss_summed_over_samples", "compare_models",
            mutate(REFERENCE, TRAIN_LOSS, "loss = ((mlp_forward(X_train, layers, activation) - y_train) ** 2).sum()"),
            "the loss is summed over the samples instead of averaged"),
    Mistake("gradients_never_cleared", "compare_models", mutate(REFERENCE, CLEAR, ""),
            "the gradients are never cleared"),
    Mistake("train_and_test_keys_swapped", "compare_models",
            edit(REFERENCE, ('scores[f"{name}_train"] =', 'scores[f"{name}_TEST"] ='),
                 ('scores[f"{name}_test"] =', 'scores[f"{name}_train"] ='),
                 ('scores[f"{name}_TEST"] =', 'scores[f"{name}_test"] =')),
            "the training and test scores are swapped"),
    Mistake("one_update_too_many", "compare_models",
            mutate(REFERENCE, EPOCH_LOOP, EPOCH_LOOP.replace("range(epochs)", "range(epochs + 1)")),
            "each model makes epochs + 1 updates"),
    Mistake("hidden_not_checked", "compare_models",
            mutate(REFERENCE, '    if hidden < 1:\n        raise ValueError(f"the hidden layer needs at '
                              'least one unit, got hidden={hidden}")\n', ""),
            "the contract asks for ValueError"),
    Mistake("scores_left_as_tensors", "compare_models",
            edit(REFERENCE, (SCORE_TRAIN, SCORE_TRAIN.replace(".item()", "")),
                 (SCORE_TEST, SCORE_TEST.replace(".item()", ""))),
            "the contract asks for a Python float (call .item() on the tensor)"),
]

# --- quiz_answers -----------------------------------------------------------------------------

KEY_LINE = ('return {"q1": "b", "q2": "d", "q3": "a", "q4": "c", "q5": "b", "q6": "a", '
            '"q7": "d", "q8": "c"}')


def with_answers(answers: str) -> str:
    return mutate(REFERENCE, KEY_LINE, f"return {answers}")


QUIZ_ANSWERS = [
    Mistake("one_wrong_answer", "quiz_answers", mutate(REFERENCE, '"q5": "b"', '"q5": "c"'),
            "q5 (softmax before a cross-entropy that expects logits): you chose 'c'"),
    Mistake("answers_given_as_numbers", "quiz_answers",
            with_answers("{" + ", ".join(f'"q{i}": {n}' for i, n in enumerate([2, 4, 1, 3, 2, 1, 4, 3], 1)) + "}"),
            ("q1: the answer 2 is of type int", "if 2 means the second option, write 'b'")),
    Mistake("a_question_left_out", "quiz_answers", mutate(REFERENCE, ', "q8": "c"}', "}"),
            "quiz_answers has no answer for 'q8'"),
    Mistake("upper_case_keys", "quiz_answers",
            mutate(REFERENCE, KEY_LINE, re.sub(r'"q(\d)"', r'"Q\1"', KEY_LINE)),
            "you have 'Q1': the keys are the strings 'q1' to 'q8', lower case"),
]

# --- fixed_train ------------------------------------------------------------------------------

RELU = "h = torch.relu(h @ W + b)  # (B, width), still in the graph"
DROPOUT = "h = dropout(h, p, training, generator)  # the identity in evaluation mode"
SHUFFLE = "        order = torch.randperm(n, generator=generator)  # a fresh shuffle every epoch\n"
LOSS = "loss = F.cross_entropy(forward(X[idx], True), y[idx])  # mean over the batch"
RECORD = "total += loss.item() * len(idx)  # recorded before the update, weighted by size"
RESET = "            zero_grad(layers)  # the next batch starts from a clean gradient\n"
COPIES = ("layers = [(W.detach().clone().requires_grad_(True), b.detach().clone().requires_grad_(True))\n"
          "              for W, b in layers0]  # copies: layers0 stays as it was")
SUM_LOSS = ((LOSS, 'loss = F.cross_entropy(forward(X[idx], True), y[idx], reduction="sum")'),
            (RECORD, "total += loss.item()"))
SOFTMAX = (LOSS, "loss = F.cross_entropy(torch.softmax(forward(X[idx], True), dim=1), y[idx])")

FIXED_TRAIN = [
    Mistake("planted_activations_detached", "fixed_train",
            mutate(REFERENCE, RELU, "h = torch.relu(h @ W + b).detach()  # (B, width)"),
            "the hidden activations are detached from the graph"),
    Mistake("planted_dropout_on_at_evaluation", "fixed_train",
            mutate(REFERENCE, DROPOUT, "h = dropout(h, p, True, generator)"),
            "dropout is left in training mode at evaluation"),
    Mistake("planted_data_never_shuffled", "fixed_train",
            mutate(REFERENCE, SHUFFLE, "        order = torch.arange(n)\n"),
            "the data is never shuffled"),
    Mistake("planted_softmax_before_cross_entropy", "fixed_train", edit(REFERENCE, SOFTMAX),
            "softmax is applied before F.cross_entropy, which expects logits"),
    Mistake("planted_loss_summed", "fixed_train", edit(REFERENCE, *SUM_LOSS),
            "the batch loss is summed (reduction=\"sum\") where it should be averaged"),
    Mistake("planted_gradients_never_cleared", "fixed_train", mutate(REFERENCE, RESET, ""),
            "the gradients are never cleared"),
    Mistake("broken_train_submitted_as_the_fix", "fixed_train",
            REFERENCE.split("def fixed_train(")[0]
            + "def fixed_train(X, y, X_val, y_val, layers0, p, batch_size, epochs, lr, generator):\n"
              "    return broken_train(X, y, X_val, y_val, layers0, p, batch_size, epochs, lr, generator)\n",
            ("likely mistakes, 6 at once", "the hidden activations are detached",
             "dropout is left in training mode at evaluation", "the data is never shuffled",
             "softmax is applied before F.cross_entropy", "the batch loss is summed",
             "the gradients are never cleared")),
    Mistake("two_bugs_left_softmax_and_gradients", "fixed_train",
            edit(REFERENCE, SOFTMAX, (RESET, "")),
            ("likely mistakes, 2 at once", "softmax is applied before F.cross_entropy",
             "the gradients are never cleared"), example="buggy"),
    Mistake("one_shuffle_for_every_epoch", "fixed_train",
            edit(REFERENCE, (SHUFFLE, ""),
                 ("    for _ in range(epochs):\n        total = 0.0\n        for idx in order",
                  "    order = torch.randperm(n, generator=generator)  # once\n"
                  "    for _ in range(epochs):\n        total = 0.0\n        for idx in order")),
            "one shuffle is reused for every epoch"),
    Mistake("batch_means_added_and_divided_by_n", "fixed_train",
            mutate(REFERENCE, RECORD, "total += loss.item()"),
            "each batch's mean loss is added up and divided by N"),
    Mistake("dropout_from_the_global_generator", "fixed_train",
            mutate(REFERENCE, DROPOUT, "h = F.dropout(h, p, training)"),
            "global seed changed"),
    Mistake("layers0_trained_in_place", "fixed_train",
            mutate(REFERENCE, COPIES, "layers = [(W.requires_grad_(True), b.requires_grad_(True)) "
                                      "for W, b in layers0]"),
            "changed layers0's W of layer 1"),
    Mistake("batch_size_not_checked", "fixed_train",
            mutate(REFERENCE, '    if batch_size < 1:\n        raise ValueError(f"batch_size must be '
                              'at least 1, got {batch_size}")\n', ""),
            "the contract asks for ValueError"),
    Mistake("losses_kept_as_tensors", "fixed_train",
            mutate(REFERENCE, RECORD, "total += loss.detach() * len(idx)"),
            "call .item() on the loss"),
]

MISTAKES = COMPARE_MODELS + QUIZ_ANSWERS + FIXED_TRAIN

# --- alternatives -----------------------------------------------------------------------------

OPTIM_COMPARE = '''
    if hidden < 1 or epochs < 0:
        raise ValueError("need hidden >= 1 and epochs >= 0")
    d = X_train.shape[1]
    linear = torch.nn.Linear(d, 1)
    with torch.no_grad():
        linear.weight.zero_()  # nn.Linear stores W transposed, (1, d)
        linear.bias.zero_()
    (W1, b1), (W2, b2) = init_mlp([d, hidden, 1], generator)
    mlp = torch.nn.Sequential(torch.nn.Linear(d, hidden), {"relu": torch.nn.ReLU(), "tanh": torch.nn.Tanh(),
                                                          "sigmoid": torch.nn.Sigmoid()}[activation],
                              torch.nn.Linear(hidden, 1))
    with torch.no_grad():
        mlp[0].weight.copy_(W1.T)
        mlp[0].bias.copy_(b1)
        mlp[2].weight.copy_(W2.T)
        mlp[2].bias.copy_(b2)
    out = {}
    for name, model in (("linear", linear), ("mlp", mlp)):
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(epochs):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(X_train), y_train).backward()
            optimizer.step()
        with torch.no_grad():
            out[name + "_train"] = float(torch.nn.functional.mse_loss(model(X_train), y_train))
            out[name + "_test"] = float(torch.nn.functional.mse_loss(model(X_test), y_test))
    return out
'''

OPTIM_FIXED = '''
    if batch_size < 1 or not 0 <= p < 1:
        raise ValueError("batch_size must be >= 1 and p in [0, 1)")
    params = [t.detach().clone().requires_grad_() for layer in layers0 for t in layer]
    layers = list(zip(params[0::2], params[1::2]))
    optimizer = torch.optim.SGD(params, lr=lr)

    def logits_of(inputs, training):
        h = inputs
        for k, (W, b) in enumerate(layers):
            h = h @ W + b
            if k < len(layers) - 1:
                h = dropout(torch.relu(h), p, training, generator)
        return h

    history, held_out = [], []
    for _ in range(epochs):
        seen = 0.0
        for idx in torch.randperm(len(X), generator=generator).split(batch_size):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(logits_of(X[idx], True), y[idx])
            seen += float(loss) * idx.numel()
            loss.backward()
            optimizer.step()
        history.append(seen / len(X))
        with torch.no_grad():
            held_out.append(float(torch.nn.functional.cross_entropy(logits_of(X_val, False), y_val)))
    return history, held_out
'''

HAND_COMPARE = '''
    if hidden < 1:
        raise ValueError("hidden < 1")
    if epochs < 0:
        raise ValueError("epochs < 0")
    n, d = X_train.shape
    w, b = torch.zeros(d, 1), torch.zeros(1)
    for _ in range(epochs):  # module 1: the gradients of lesson 1.2, by hand
        r = X_train @ w + b - y_train  # (N, 1)
        w, b = w - lr * 2 / n * X_train.T @ r, b - lr * 2 * r.mean(0)
    layers = [(W.requires_grad_(), c.requires_grad_()) for W, c in init_mlp([d, hidden, 1], generator)]
    for _ in range(epochs):
        grads = torch.autograd.grad(mse(mlp_forward(X_train, layers, activation), y_train),
                                    [t for layer in layers for t in layer])
        with torch.no_grad():
            layers = [((W - lr * gW).requires_grad_(), (c - lr * gc).requires_grad_())
                      for (W, c), gW, gc in zip(layers, grads[0::2], grads[1::2])]
    with torch.no_grad():
        return {"linear_train": ((X_train @ w + b - y_train) ** 2).mean().item(),
                "linear_test": ((X_test @ w + b - y_test) ** 2).mean().item(),
                "mlp_train": mse(mlp_forward(X_train, layers, activation), y_train).item(),
                "mlp_test": mse(mlp_forward(X_test, layers, activation), y_test).item()}
'''

LOG_SOFTMAX_FIXED = '''
    if batch_size <= 0:
        raise ValueError(f"batch_size={batch_size}")
    if p < 0 or p >= 1:
        raise ValueError(f"p={p}")
    N = len(X)
    net = [[W.clone().requires_grad_(True), b.clone().requires_grad_(True)] for W, b in layers0]

    def nll(inputs, labels, training):
        h = inputs
        for W, b in net[:-1]:
            h = dropout((h @ W + b).clamp(min=0), p, training, generator)
        z = h @ net[-1][0] + net[-1][1]
        return -(z.log_softmax(dim=1).gather(1, labels.unsqueeze(1))).mean()

    train_curve, val_curve = [], []
    for epoch in range(epochs):
        perm = torch.randperm(N, generator=generator)
        weighted = 0.0
        for start in range(0, N, batch_size):
            idx = perm[start:start + batch_size]
            loss = nll(X[idx], y[idx], True)
            weighted += loss.item() * len(idx)
            loss.backward()
            with torch.no_grad():
                for pair in net:
                    for t in pair:
                        t -= lr * t.grad
                        t.grad.zero_()
        train_curve.append(weighted / N)
        with torch.no_grad():
            val_curve.append(nll(X_val, y_val, False).item())
    return train_curve, val_curve
'''

FLOAT64 = '''
    if hidden < 1 or epochs < 0:
        raise ValueError("hidden must be >= 1 and epochs >= 0")
    d = X_train.shape[1]
    Xtr, ytr, Xte, yte = (t.double() for t in (X_train, y_train, X_test, y_test))
    results = {}
    for name, start in (("linear", [(torch.zeros(d, 1), torch.zeros(1))]),
                        ("mlp", init_mlp([d, hidden, 1], generator))):
        layers = [(W.double().requires_grad_(), b.double().requires_grad_()) for W, b in start]
        for _ in range(epochs):
            for t in [t for layer in layers for t in layer]:
                t.grad = None
            mse(mlp_forward(Xtr, layers, activation), ytr).backward()
            with torch.no_grad():
                for W, b in layers:
                    W.sub_(lr * W.grad)
                    b.sub_(lr * b.grad)
        with torch.no_grad():
            results[name + "_train"] = mse(mlp_forward(Xtr, layers, activation), ytr).item()
            results[name + "_test"] = mse(mlp_forward(Xte, layers, activation), yte).item()
    return results
'''

UPPER_CASE_ANSWERS = '''
    return {"q1": "B", "q2": " d", "q3": "A ", "q4": "c", "q5": "B", "q6": "a", "q7": "D", "q8": "c"}
'''

ALTERNATIVES = [
    Alternative("nn_modules_and_optim_sgd",
                replace_body(replace_body(REFERENCE, "compare_models", OPTIM_COMPARE), "fixed_train", OPTIM_FIXED),
                "nn.Linear / nn.Sequential and torch.optim.SGD, float(loss) instead of .item()",
                example="correct"),
    Alternative("hand_gradients_log_softmax_and_upper_case",
                replace_body(replace_body(replace_body(REFERENCE, "compare_models", HAND_COMPARE),
                                          "fixed_train", LOG_SOFTMAX_FIXED), "quiz_answers", UPPER_CASE_ANSWERS),
                "module 1's hand gradients and torch.autograd.grad; log_softmax + gather; sliced batches; "
                "answers in upper case with spaces"),
    Alternative("float64_scores", replace_body(REFERENCE, "compare_models", FLOAT64),
                "compare_models trained in float64, gradients cleared before backward()"),
]
