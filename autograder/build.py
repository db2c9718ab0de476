"""The student release: stub modules, public cases with their expected outputs, hints.

The release holds no reference code and no hidden case. Its `.autograder/release.json` carries what
local checks need: the exercise specs minus hidden groups and mistake code, the public cases'
expected outputs (and known mistakes' outputs on them, so a matched mistake's feedback can be shown
offline), and the self-verifying groups (gradient and property checks run on fresh random inputs).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .checks.compare import show
from .grade import PreparedCase, ReferenceOracle, prepare_cases
from .course import Course
from .wire import encode

if TYPE_CHECKING:
    from .spec import CheckGroup, Exercise

RELEASE_DATA = Path(".autograder") / "release.json"
# its SHA-256: the specs in it are read back unvalidated (course.Record), so an edited or damaged file
# is refused with one message instead of failing somewhere inside a check
RELEASE_DIGEST = Path(".autograder") / "release.sha256"
# 2: every field of every spec is written, None included (course.Record reads them without pydantic)
RELEASE_FORMAT = 2


def shipped(group: CheckGroup) -> bool:
    """Groups that go to students: public ones, and self-verifying ones (no answer key needed)."""
    return group.visibility == "public" or (group.self_check and group.kind in ("gradient", "property"))


def stub_source(course: Course, assignment_id: str, oracle: ReferenceOracle | None = None) -> str:
    assignment = course.assignment(assignment_id)
    lines = [
        f'"""{assignment.title}.',
        "",
        f"Assignment `{assignment_id}` of {course.spec.name}. Replace each `raise NotImplementedError`",
        "with your code, then run `autograder check` (or `autograder check EXERCISE`).",
        '"""',
        "from __future__ import annotations",
        "",
        "from typing import Callable",
        "",
        "import numpy as np",
    ]
    if any(e.uses_sympy for e in course.exercises_of(assignment_id)):
        lines.append("import sympy")
    lines.append("")
    for exercise in course.exercises_of(assignment_id):
        lines += ["", stub_function(exercise, examples(course, exercise, oracle) if oracle else []), ""]
    return "\n".join(lines).rstrip() + "\n"


def examples(course: Course, exercise: Exercise, oracle: ReferenceOracle, limit: int = 3) -> list[str]:
    """A few public cases as text, `call  ->  result`, for the stub's docstring."""
    public = [g for g in exercise.checks if g.visibility == "public" and g.cases is not None]
    lines = []
    for case in prepare_cases(course, exercise, "release", public)[:limit]:
        outcome = oracle.expected(case) if case.group.kind != "raises" else None
        call = f"{exercise.id}({case.describe_inputs()})"
        result = f"raises {case.group.raises}" if outcome is None else (
            show(outcome.value, 200) if outcome.kind == "value" else f"raises {outcome.exc_mro[0]}")
        lines.append(" ".join(f"{call}  ->  {result}".split()))
    return lines


def stub_function(exercise: Exercise, example_lines: list[str] = ()) -> str:
    signature = exercise.function.strip().rstrip(":")
    doc = exercise.prompt.strip().replace('"""', '\\"\\"\\"')
    extra = ["", "Examples:", *(f"    {line}" for text in example_lines for line in text.splitlines())] if example_lines else []
    body = "\n".join(("    " + line).rstrip() for line in [f"{exercise.title}.", "", *doc.splitlines(), *extra])
    return f'{signature}:\n    r"""{body.strip()}\n    """\n    raise NotImplementedError("{exercise.id}")'


def release_data(course: Course, oracle: ReferenceOracle) -> dict:
    exercises = {}
    for assignment in course.assignments:
        for exercise in course.exercises_of(assignment.id):
            groups = [g for g in exercise.checks if shipped(g)]
            cases = prepare_cases(course, exercise, "release", [g for g in groups if g.cases is not None])
            expectations = [_expectation(case, exercise, oracle) for case in cases]
            spec = exercise.model_dump()
            spec["checks"] = [g.model_dump() for g in groups]
            spec["mistakes"] = [{"name": m.name, "feedback": m.feedback, "code": ""} for m in exercise.mistakes]
            spec["path"] = ""
            exercises[exercise.id] = {"spec": spec, "expectations": expectations}
    return {
        "format": RELEASE_FORMAT,
        "course": {"name": course.spec.name, "seed": course.spec.seed, "defaults": course.spec.defaults.model_dump(),
                   "assignments": [a.model_dump() for a in course.assignments]},
        "exercises": exercises,
    }


def _expectation(case: PreparedCase, exercise: Exercise, oracle: ReferenceOracle) -> dict:
    # the encoded inputs too: a local check then skips re-generating them (parsing a sympy expression
    # from its text costs more than the whole check of a numeric exercise)
    entry = {"group": case.group.name, "index": case.index,
             "inputs": {"args": _inline(case.args, case.blobs), "kwargs": _inline(case.kwargs, case.blobs)}}
    if case.group.kind in ("compare", "symbolic"):
        entry["expected"] = _outcome_tree(oracle.expected(case))
    if case.group.kind != "raises":
        entry["mistakes"] = [_outcome_tree(oracle.mistake(case, i)) for i in range(len(exercise.mistakes))]
    return entry


def _inline(tree, blobs: list[bytes]):
    """An encoded tree with its array references replaced by the arrays' bytes (for a JSON file)."""
    import base64

    if isinstance(tree, dict):
        if tree.get("$") == "ndarray" and "blob" in tree:
            return {"$": "ndarray", "npy": base64.b64encode(blobs[tree["blob"]]).decode("ascii")}
        return {k: _inline(v, blobs) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_inline(v, blobs) for v in tree]
    return tree


def _outcome_tree(outcome) -> dict:
    if outcome.kind == "raised":
        return {"raised": outcome.exc_mro[:1], "warned": outcome.warned, "mutated": outcome.mutated}
    tree, _ = encode(outcome.value)
    return {"value": tree, "warned": outcome.warned, "mutated": outcome.mutated}


def build_release(course: Course, out: Path, oracle: ReferenceOracle) -> list[Path]:
    """Write the release folder; returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment in course.assignments:
        path = out / f"{assignment.id}.py"
        path.write_text(stub_source(course, assignment.id, oracle), encoding="utf-8")
        written.append(path)
    data_path = out / RELEASE_DATA
    data_path.parent.mkdir(exist_ok=True)
    data = json.dumps(release_data(course, oracle)).encode("utf-8")
    data_path.write_bytes(data)
    (out / RELEASE_DIGEST).write_text(hashlib.sha256(data).hexdigest() + "\n", encoding="ascii")
    written += [data_path, out / RELEASE_DIGEST]
    readme = out / "README.md"
    readme.write_text(_release_readme(course), encoding="utf-8")
    written.append(readme)
    written += write_notebooks(course, out, oracle)
    for assignment in course.assignments:  # written together: neither counts as the one saved last
        module = out / f"{assignment.id}.py"
        stat = module.stat()
        os.utime(out / f"{assignment.id}.ipynb", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return written


def _release_readme(course: Course) -> str:
    lines = [f"# {course.spec.name}", "", "Fill in the functions of each module, then check your work:", "",
             "```", "autograder check            # every exercise", "autograder check relu       # one exercise",
             "```", "", "| module | exercises |", "|---|---|"]
    for assignment in course.assignments:
        lines.append(f"| `{assignment.id}.py` — {assignment.title} | {', '.join(assignment.exercises)} |")
    lines += ["", "`.autograder/` holds the checks' data (`release.json`, which checks refuse once it is edited) "
              "and your progress (`progress.json`, yours to delete)."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- notebooks

def _header_source(course: Course, assignment_id: str) -> str:
    lines = ["import numpy as np"]
    if any(e.uses_sympy for e in course.exercises_of(assignment_id)):
        lines.append("import sympy")
    lines.append("from typing import Callable")
    return "\n".join(lines)


def student_notebook(course: Course, assignment_id: str, oracle: ReferenceOracle | None = None):
    """Per exercise: the prompt (Markdown, LaTeX renders), a stub cell, and a check cell."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    assignment = course.assignment(assignment_id)
    cells = [new_markdown_cell(f"# {assignment.title}\n\nFill in each function, run its cell, then run the check "
                               "cell below it. `autograder check` in a terminal gives the same verdicts."),
             new_code_cell(_header_source(course, assignment_id))]
    for exercise in course.exercises_of(assignment_id):
        cells.append(new_markdown_cell(f"## {exercise.title} — `{exercise.id}` ({exercise.points:g} points)\n\n{exercise.prompt.strip()}"))
        signature = exercise.function.strip().rstrip(":")
        cells.append(new_code_cell(f"{signature}:\n    # your code here\n    raise NotImplementedError(\"{exercise.id}\")"))
        cells.append(new_code_cell(f'from autograder import check\ncheck("{exercise.id}")',
                                   metadata={"autograder": {"check": exercise.id}}))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def write_notebooks(course: Course, out: Path, oracle: ReferenceOracle | None = None) -> list[Path]:
    import nbformat

    written = []
    for assignment in course.assignments:
        path = Path(out) / f"{assignment.id}.ipynb"
        nbformat.write(student_notebook(course, assignment.id, oracle), path)
        written.append(path)
    return written


def _reference_cell(course: Course, exercise: Exercise) -> str:
    """The reference function with its body inside nbgrader's solution markers; helpers it calls are
    nested inside, so the released stub keeps only the signature."""
    import ast
    import textwrap

    source = course.solution_path(exercise.assignment).read_text(encoding="utf-8")
    tree = ast.parse(source)
    top = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    function = top[exercise.id]
    needed, queue = [], [function]
    while queue:
        node = queue.pop()
        for name in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
            if name in top and name != exercise.id and top[name] not in needed:
                needed.append(top[name])
                queue.append(top[name])
    lines = source.splitlines()
    body_start = function.body[0].lineno - 1
    if isinstance(function.body[0], ast.Expr) and isinstance(getattr(function.body[0], "value", None), ast.Constant):
        body_start = function.body[0].end_lineno  # leave the docstring out
    body = "\n".join(lines[body_start:function.end_lineno])
    helpers = "\n\n".join(textwrap.indent(ast.get_source_segment(source, h), "    ") for h in needed)
    signature = exercise.function.strip().rstrip(":")
    inner = (helpers + "\n\n" if helpers else "") + textwrap.indent(textwrap.dedent(body), "    ")
    return f"{signature}:\n    ### BEGIN SOLUTION\n{inner}\n    ### END SOLUTION"


def nbgrader_source_notebook(course: Course, assignment_id: str):
    """nbgrader's source notebook: solution cells (autograded answers) and autograder-test cells that
    call this package's grader, so nbgrader records exactly the points `autograder grade` gives."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def meta(grade_id, solution=False, grade=False, points=None, locked=False):
        data = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
        if points is not None:
            data["points"] = points
        return {"nbgrader": data}

    assignment = course.assignment(assignment_id)
    cells = [new_markdown_cell(f"# {assignment.title}", metadata=meta("title", locked=True)),
             new_code_cell(_header_source(course, assignment_id), metadata=meta("imports", locked=True))]
    for exercise in course.exercises_of(assignment_id):
        cells.append(new_markdown_cell(f"## {exercise.title} — `{exercise.id}`\n\n{exercise.prompt.strip()}",
                                       metadata=meta(f"{exercise.id}_prompt", locked=True)))
        cells.append(new_code_cell(_reference_cell(course, exercise), metadata=meta(exercise.id, solution=True)))
        cells.append(new_code_cell(f'from autograder.notebook import grade_cell\ngrade_cell("{exercise.id}")',
                                   metadata=meta(f"test_{exercise.id}", grade=True, points=exercise.points, locked=True)))
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def export_nbgrader(course: Course, out: Path) -> list[Path]:
    import nbformat

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    config = out / "nbgrader_config.py"
    config.write_text(f"c = get_config()\nc.CourseDirectory.root = r\"{out}\"\nc.CourseDirectory.course_id = \"{course.root.name}\"\n"
                      "# test cells call autograder's grader: allow it the time a whole assignment may take\n"
                      "c.ExecutePreprocessor.timeout = 600\n", encoding="utf-8")
    written.append(config)
    pointer = out / "autograder.json"
    pointer.write_text(json.dumps({"course": str(course.root), "assignments": {
        e: a.id for a in course.assignments for e in a.exercises}}, indent=2), encoding="utf-8")
    written.append(pointer)
    for assignment in course.assignments:
        path = out / "source" / assignment.id / f"{assignment.id}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_source_notebook(course, assignment.id), path)
        written.append(path)
    return written
