"""Grading a whole class: find submissions, grade them in parallel workers,
store one result file per submission, then fold results into nbgrader's
gradebook and the exports. Each step is a module of its own."""
