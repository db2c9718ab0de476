"""Notebooks: the release has one per assignment, `autograder check` reads a filled notebook, and the
nbgrader export round-trips through the real nbgrader with the same scores as `autograder grade`."""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.build import export_nbgrader, student_notebook

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "tensors"


def test_student_notebook_has_prompt_stub_and_check_cells(course):
    notebook = student_notebook(course, ASSIGNMENT)
    sources = [c.source for c in notebook.cells]
    for exercise in course.exercises_of(ASSIGNMENT):
        assert any(exercise.prompt.strip()[:40] in s for s in sources)
        assert any(s.startswith(exercise.function.strip().rstrip(":")) and "NotImplementedError" in s for s in sources)
        assert f'check("{exercise.id}")' in "\n".join(sources)


def test_check_reads_a_filled_notebook_from_the_terminal(course, oracle, tmp_path):
    from autograder.build import build_release

    build_release(course, tmp_path, oracle)
    notebook = nbformat.read(tmp_path / f"{ASSIGNMENT}.ipynb", as_version=4)
    reference = (ROOT / "solutions" / f"{ASSIGNMENT}.py").read_text()
    notebook.cells.insert(2, nbformat.v4.new_code_cell(reference))
    notebook.cells = [c for c in notebook.cells if "raise NotImplementedError" not in c.source]
    nbformat.write(notebook, tmp_path / f"{ASSIGNMENT}.ipynb")
    (tmp_path / f"{ASSIGNMENT}.py").unlink()  # the notebook is the student's work
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", "tensor_summary", "nth_batch"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "✓ tensor_summary" in proc.stdout and "✓ nth_batch" in proc.stdout


def _nbgrader_gradebook_scores(root: Path) -> dict:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for student in ("good", "bad"):
            submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            for grade in submission.grades:
                scores[(student, grade.name.removeprefix("test_"))] = grade.score
    return scores


@pytest.mark.skipif(shutil.which("nbgrader") is None, reason="the nbgrader extra is not installed")
def test_nbgrader_round_trip_gives_the_same_scores(course, tmp_path):
    root = tmp_path / "nbcourse"
    export_nbgrader(course, root)
    source = nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for cell in source.cells:
        assert "nbgrader" in cell.metadata and cell.metadata.nbgrader["schema_version"] == 3
    subprocess.run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=root, check=True,
                   capture_output=True, timeout=300)
    released = nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert "BEGIN SOLUTION" not in str(released) and "NotImplementedError" in str(released)
    good = nbformat.from_dict(source)  # the reference answers, markers and all
    bad = nbformat.from_dict(released)  # stubs, except one wrong answer
    for cell in bad.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "middle_rows":
            cell.source = "def middle_rows(x):\n    return x[1:-1]\n"
    for student, notebook in (("good", good), ("bad", bad)):
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    proc = subprocess.run(["nbgrader", "autograde", ASSIGNMENT, "--create", "--force"], cwd=root,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    theirs = _nbgrader_gradebook_scores(root)
    out = tmp_path / "ours"
    ours_proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root), "--out", str(out), "--jobs", "1"],
                               cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert ours_proc.returncode == 0, ours_proc.stderr
    import csv

    ours = {(r["student"], r["exercise"]): float(r["score"]) for r in csv.DictReader(open(out / "grades.csv"))
            if r["assignment"] == ASSIGNMENT}
    assert ours == pytest.approx(theirs)
    assert ours[("good", "middle_rows")] == course.exercises["middle_rows"].points
    assert 0 <= ours[("bad", "middle_rows")] < course.exercises["middle_rows"].points
    assert ours[("bad", "tensor_summary")] == 0


def test_check_cell_in_a_real_kernel_shows_html(course, oracle, tmp_path):
    nbclient = pytest.importorskip("nbclient")
    from autograder.build import build_release

    build_release(course, tmp_path, oracle)
    notebook = nbformat.read(tmp_path / f"{ASSIGNMENT}.ipynb", as_version=4)
    reference = (ROOT / "solutions" / f"{ASSIGNMENT}.py").read_text()
    notebook.cells = [c for c in notebook.cells if "raise NotImplementedError" not in c.source]
    notebook.cells.insert(2, nbformat.v4.new_code_cell(reference.replace("def middle_rows", "def _unused")))
    notebook.cells.append(nbformat.v4.new_code_cell('from autograder import check\ncheck("tensor_summary", "middle_rows")'))
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    html = [o["data"]["text/html"] for c in notebook.cells if c.cell_type == "code" and 'check("tensor_summary")' in c.source
            for o in c.outputs if "data" in o and "text/html" in o["data"]]
    assert html and "✓ tensor_summary" in html[0]
    last = notebook.cells[-1].outputs
    text = "".join(o["data"].get("text/plain", "") for o in last if "data" in o)
    assert "✓ tensor_summary" in text and "✗ middle_rows" in text
