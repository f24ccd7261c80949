"""Which tasks a change to a submission can reach, by comparing its code with the reference's.

The kit's catalogue tests grade hundreds of mistaken submissions, each the reference with one
function changed. A task's checks call some of the student's functions (recorded from grading
the reference: `Checker.check(calls=...)`); a task can only score differently from the
reference when one of those functions, or a top-level name they use (transitively), is
defined differently. Every other task runs the reference's own code and so scores what the
reference scores: grading it again proves nothing new.

Conservative by construction: a changed top-level statement that defines no name (a call, a
loop at module level) reaches every task, and so does source that does not parse.
"""

from __future__ import annotations

import ast


def reachable_tasks(source: str, reference: str, calls: dict[str, set[str]],
                    tasks: tuple[str, ...]) -> set[str]:
    """The tasks whose checks can see the difference between `source` and `reference`."""
    try:
        mine, theirs = _top_level(source), _top_level(reference)
    except SyntaxError:
        return set(tasks)
    if mine[1] != theirs[1]:
        return set(tasks)  # module-level code changed: it runs before every call
    defs, ref_defs = mine[0], theirs[0]
    changed = {n for n in defs.keys() | ref_defs.keys() if defs.get(n) != ref_defs.get(n)}
    uses = _merge(_uses(source), _uses(reference))
    return {t for t in tasks if _closure(calls.get(t, set()) | {t}, uses) & changed}


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return []


def _top_level(source: str) -> tuple[dict[str, str], list[str]]:
    """(name -> the dump of the statements defining it, dumps of the statements defining none)."""
    defs: dict[str, str] = {}
    other: list[str] = []
    for node in ast.parse(source).body:
        names = _defined(node)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a module docstring or a bare string: runs nothing
        for name in names:
            defs[name] = defs.get(name, "") + ast.dump(node)
        if not names:
            other.append(ast.dump(node))
    return defs, other


def _uses(source: str) -> dict[str, set[str]]:
    """Top-level name -> every name its definition mentions."""
    found: dict[str, set[str]] = {}
    for node in ast.parse(source).body:
        mentioned = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for name in _defined(node):
            found.setdefault(name, set()).update(mentioned)
    return found


def _merge(a: dict[str, set[str]], b: dict[str, set[str]]) -> dict[str, set[str]]:
    return {k: a.get(k, set()) | b.get(k, set()) for k in a.keys() | b.keys()}


def _closure(start: set[str], uses: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(uses.get(name, ()))
    return seen
