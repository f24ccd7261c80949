"""Hidden checks for `quiz_answers`: one check per question of the module 3 quiz."""

from looplab.checks import points

from .quiz import QUIZ


@points("quiz_answers", 1)
def test_q1_adams_bias_correction(student):
    QUIZ.expect_answer(student, "q1")


@points("quiz_answers", 1)
def test_q2_warmup(student):
    QUIZ.expect_answer(student, "q2")


@points("quiz_answers", 1)
def test_q3_relu_initialisation(student):
    QUIZ.expect_answer(student, "q3")


@points("quiz_answers", 1)
def test_q4_skip_connections(student):
    QUIZ.expect_answer(student, "q4")


@points("quiz_answers", 1)
def test_q5_batch_norm_at_evaluation(student):
    QUIZ.expect_answer(student, "q5")


@points("quiz_answers", 1)
def test_q6_rising_validation_loss(student):
    QUIZ.expect_answer(student, "q6")


@points("quiz_answers", 1)
def test_q7_data_parallel_average(student):
    QUIZ.expect_answer(student, "q7")


@points("quiz_answers", 1)
def test_q8_backbone_learning_rate(student):
    QUIZ.expect_answer(student, "q8")
