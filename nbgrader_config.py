# nbgrader configuration for the looplab course directory (this repository).
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "learn-the-training-loop"

# Students see which function the stub belongs to from the traceback; the message says what to do.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("replace this line with your code")'
}

# A hidden test cell runs `looplab check` on the whole notebook (once, then cached), which
# takes seconds to tens of seconds on a busy machine: more than nbgrader's default of 30 s.
# Student code itself is limited by looplab's own time limits inside that check.
c.Execute.timeout = 120
