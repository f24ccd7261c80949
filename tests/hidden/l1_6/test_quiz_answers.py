"""Hidden checks for `quiz_answers`: one check per question of the module 1 quiz."""

from looplab.checks import points

from .quiz import QUIZ


@points("quiz_answers", 1)
def test_q1_order_of_the_steps_in_one_iteration(student):
    QUIZ.expect_answer(student, "q1")


@points("quiz_answers", 1)
def test_q2_gradient_of_the_loss_with_respect_to_b(student):
    QUIZ.expect_answer(student, "q2")


@points("quiz_answers", 1)
def test_q3_a_loss_that_grows_faster_and_faster(student):
    QUIZ.expect_answer(student, "q3")


@points("quiz_answers", 1)
def test_q4_one_batch_of_all_the_samples(student):
    QUIZ.expect_answer(student, "q4")


@points("quiz_answers", 1)
def test_q5_the_loss_recorded_for_an_epoch(student):
    QUIZ.expect_answer(student, "q5")


@points("quiz_answers", 1)
def test_q6_a_fresh_permutation_every_epoch(student):
    QUIZ.expect_answer(student, "q6")


@points("quiz_answers", 1)
def test_q7_zig_zag_across_a_narrow_valley(student):
    QUIZ.expect_answer(student, "q7")


@points("quiz_answers", 1)
def test_q8_central_differences_with_a_tiny_h(student):
    QUIZ.expect_answer(student, "q8")
