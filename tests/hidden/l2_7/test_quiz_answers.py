"""Hidden checks for `quiz_answers`: one check per question of the module 2 quiz."""

from looplab.checks import points

from .quiz import QUIZ


@points("quiz_answers", 1)
def test_q1_layers_without_an_activation(student):
    QUIZ.expect_answer(student, "q1")


@points("quiz_answers", 1)
def test_q2_a_value_used_twice(student):
    QUIZ.expect_answer(student, "q2")


@points("quiz_answers", 1)
def test_q3_cross_entropy_gradient_of_the_logits(student):
    QUIZ.expect_answer(student, "q3")


@points("quiz_answers", 1)
def test_q4_a_deep_stack_of_sigmoids(student):
    QUIZ.expect_answer(student, "q4")


@points("quiz_answers", 1)
def test_q5_softmax_before_cross_entropy(student):
    QUIZ.expect_answer(student, "q5")


@points("quiz_answers", 1)
def test_q6_a_summed_loss(student):
    QUIZ.expect_answer(student, "q6")


@points("quiz_answers", 1)
def test_q7_dropout_at_evaluation(student):
    QUIZ.expect_answer(student, "q7")


@points("quiz_answers", 1)
def test_q8_weight_decay(student):
    QUIZ.expect_answer(student, "q8")
