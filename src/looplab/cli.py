"""The `looplab` command: parse arguments, call plain functions, print.

Errors: `error: ...` and `hint: ...` on stderr, exit status 2 for usage errors;
tracebacks only with -v. A report that was produced exits 0, whatever its score.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from looplab import __version__
from looplab.errors import UsageError


DESCRIPTION = ("Exercises of the course Learn the Training Loop with PyTorch: check your "
               "notebook against a lesson's hidden checks (`looplab check 1.3 work/lesson-1.3.ipynb`), "
               "or, as an instructor, grade a class and release lessons.")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="looplab", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"looplab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks and passed checks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="check one submission and print its report")
    p.add_argument("lesson", help="lesson id, e.g. 1.3 (see `looplab lessons`)")
    p.add_argument("file", type=Path, help="the notebook (.ipynb) or Python file (.py)")
    p.add_argument("--json", action="store_true", help="print the machine-readable report")
    p.add_argument("--html", type=Path, metavar="FILE", help="also write the feedback page to FILE")

    p = sub.add_parser("start", help="copy a lesson's student notebook here to work on it")
    p.add_argument("lesson", help="lesson id, e.g. 1.3 (see `looplab lessons`)")

    p = sub.add_parser("demo", help="check the bundled example submissions of a lesson")
    p.add_argument("lesson", nargs="?", default="1.3")
    p.add_argument("--json", action="store_true")

    sub.add_parser("lessons", help="list the lessons that have assignments")

    p = sub.add_parser("lab", help="open JupyterLab without nbgrader's instructor tools (for students)",
                       description="Start JupyterLab as a student should see it: nbgrader's Create "
                                   "Assignment, Formgrader and course list are hidden; Validate stays. "
                                   "Arguments go to `jupyter lab`, e.g. `looplab lab work/lesson-1.3.ipynb`.")
    p.add_argument("arguments", nargs=argparse.REMAINDER, help="passed to `jupyter lab`")

    p = sub.add_parser("grade", help="grade every submission of an assignment (nbgrader layout)")
    p.add_argument("assignment", help="lesson-1.3 or 1.3")
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--shard", metavar="K/N", help="grade only the K-th of N slices (then `looplab merge`)")
    p.add_argument("--json", action="store_true", help="one JSON line per submission on stdout")
    p.add_argument("--force", action="store_true", help="grade again even where a current result exists")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run student code without bubblewrap (not recommended)")
    p.add_argument("--course", type=Path, default=None,
                   help="course directory with submitted/ and the gradebook "
                        "(default: the current directory, which holds nbgrader_config.py)")

    p = sub.add_parser("merge", help="fold stored results into the gradebook and grades CSV")
    p.add_argument("assignment")
    p.add_argument("--course", type=Path, default=None,
                   help="course directory (default: the current directory, which holds nbgrader_config.py)")

    p = sub.add_parser("report", help="write a class report (HTML) from what `looplab grade` stored")
    p.add_argument("assignment", help="lesson-1.3 or 1.3")
    p.add_argument("--course", type=Path, default=None,
                   help="course directory with autograded/ (default: the current directory, "
                        "which holds nbgrader_config.py)")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                   help="where to write the page (default: exports/<assignment>/class-report.html)")

    p = sub.add_parser("gradescope", help="write a lesson's autograder zip for Gradescope")
    p.add_argument("lesson", help="lesson-1.3 or 1.3")
    p.add_argument("-o", "--output", type=Path, default=None,
                   help="the zip to write (default: gradescope-lesson-M.L.zip here)")

    p = sub.add_parser("new", help="scaffold a new lesson's files (checks, catalogue, notebook)")
    p.add_argument("lesson", help="the new lesson's id, e.g. 2.1")
    p.add_argument("title", help="the lesson's title, quoted")
    p.add_argument("tasks", nargs="+", help="the functions students write (1 to 5), in report order")

    p = sub.add_parser("release", help="regenerate release/ and solutions/ from source/")
    p.add_argument("lesson", nargs="*", help="lesson ids (default: all)")
    p.add_argument("--check", action="store_true",
                   help="only report whether the committed files are up to date (exit 1 if not)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; without `argv` (run as the program) the process also exits here, quickly."""
    if argv is None:
        _exit_quickly(_main(sys.argv[1:]))
    return _main(argv)


def _exit_quickly(code: int) -> None:
    """End the process as Python would, without its last step, which was slow.

    Python's exit joins the threads, runs the atexit handlers, flushes the standard streams
    and then tears every module down with a last garbage collection over everything still
    alive. With torch loaded that step alone took 0.4-0.9 s, after the work was done and
    printed, and it frees nothing the operating system would not. So the first three are
    done here, in Python's order, and the process ends.
    """
    import atexit
    import threading
    try:
        threading._shutdown()  # noqa: SLF001 - what Python's exit calls: joins non-daemon threads
    except AttributeError:  # pragma: no cover - a Python without it
        pass
    atexit._run_exitfuncs()  # noqa: SLF001
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`looplab check | head`) or stream
            pass
    os._exit(code)


def _main(argv: list[str]) -> int:
    if argv[:1] == ["lab"] and argv[1:2] not in (["-h"], ["--help"]):
        from looplab.lab import lab
        lab(argv[1:])  # jupyter lab's own options pass through untouched; does not return
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except UsageError as err:
        print(f"error: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `looplab check ... | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug in looplab, not in how it was called
        if args.verbose:
            traceback.print_exc()
        print(f"error: looplab failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        if not args.verbose:
            print("hint: rerun with -v for the traceback, and report it with that output",
                  file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "lessons":
        from looplab.lessons import LESSONS
        for lesson in LESSONS.values():
            print(f"{lesson.id}  {lesson.title}  ({', '.join(lesson.tasks)})")
        return 0
    if args.command == "check":
        from looplab import lessons
        lessons.get(args.lesson)  # fail fast, before importing torch
        from looplab.check import check
        from looplab.report import render_text
        report = check(args.lesson, args.file)
        report.file = str(args.file)
        print(report.to_json() if args.json else render_text(report, verbose=args.verbose))
        if args.html:
            from looplab.feedback import render_html
            args.html.write_text(render_html(report, assignment=f"lesson-{report.lesson}"))
            print(f"feedback page: {args.html}", file=sys.stderr)
        return 0
    if args.command == "start":
        from looplab.start import next_steps, start
        print(next_steps(args.lesson, start(args.lesson)))
        return 0
    if args.command == "grade":
        from looplab.grading.run import grade
        return grade(args.assignment, jobs=args.jobs, shard=args.shard, as_json=args.json,
                     force=args.force, sandbox=not args.no_sandbox, course=args.course)
    if args.command == "merge":
        from looplab.grading.run import merge
        return merge(args.assignment, course=args.course)
    if args.command == "report":
        from looplab.class_report import class_report
        text, page = class_report(args.assignment, course=args.course, output=args.output)
        print(text)
        print(f"class report: {page}", file=sys.stderr)
        return 0
    if args.command == "demo":
        from looplab.demo import demo
        from looplab.report import render_text
        print(f"checking the example submissions of lesson {args.lesson.removeprefix('lesson-')}, "
              f"one at a time...", file=sys.stderr, flush=True)
        for kind, shown, report in demo(args.lesson):
            if args.json:
                print(json.dumps({"example": kind, **report.to_dict()}), flush=True)
            else:
                print(f"\n=== {kind}: {shown} ===\n{render_text(report)}", flush=True)
        return 0
    if args.command == "gradescope":
        from looplab.gradescope.bundle import build
        bundle = build(args.lesson, args.output)
        print(f"wrote {bundle.path} ({len(bundle.files)} files, {bundle.size // 1024} KiB)")
        print(f"next: on Gradescope, make a Programming Assignment worth {bundle.max_score:g} points "
              f"and upload {bundle.path.name} as its autograder (Configure Autograder > Zip file)",
              file=sys.stderr)
        return 0
    if args.command == "new":
        from looplab.scaffold import new
        for path in new(args.lesson, args.title, args.tasks):
            print(f"created {path}")
        print(f"next: fill them in, then `uv run looplab release {args.lesson}`", file=sys.stderr)
        return 0
    if args.command == "release":
        from looplab.release import release
        return release(args.lesson, check_only=args.check)
    raise AssertionError(args.command)
