# nbgrader configuration for the looplab course directory (this repository).
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "learn-the-training-loop"

# Students see which function the stub belongs to from the traceback; the message says what to do.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("replace this line with your code")'
}
