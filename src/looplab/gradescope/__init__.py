"""Gradescope's route: an autograder bundle for one lesson, and what runs inside it.

- `bundle.build` writes the zip a Gradescope "Programming Assignment" takes:
  `setup.sh`, `run_autograder` and the project files they need.
- `autograde.main` is what `run_autograder` calls for every submission: it finds the
  uploaded notebook or `.py`, checks it like `looplab check`, and always leaves
  `results/results.json`.
- `results` turns a looplab report into Gradescope's results.json.

Gradescope's layout (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
`/autograder/source` holds the unpacked zip, `/autograder/submission` the student's
upload, `/autograder/results/results.json` the verdict. The root comes from
`LOOPLAB_AUTOGRADER_ROOT` (default `/autograder`), so the kit's tests need no root paths.
"""
