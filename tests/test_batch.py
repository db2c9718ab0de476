"""`autograder grade`: the sample class graded as expected, every output written, kill -9 and resume."""
import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"


def run_grade(submissions, out, *extra, env=None, timeout=900):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


def read_grades(out) -> dict:
    with open(Path(out) / "grades.csv", newline="") as handle:
        return {(r["student"], r["assignment"], r["exercise"]): (float(r["score"]), float(r["max_score"]))
                for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(sample_class_graded):
    return sample_class_graded


def test_sample_class_gets_the_expected_outcomes(graded):
    out, _ = graded
    grades = read_grades(out)
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())
    wrong = []
    for student, assignments in expected.items():
        for assignment, exercises in assignments.items():
            for exercise, outcome in exercises.items():
                score, best = grades[(student, assignment, exercise)]
                got = "full" if score >= best - 1e-9 else "zero" if score == 0 else "partial"
                if got != outcome:
                    wrong.append(f"{student}/{exercise}: expected {outcome}, got {got} ({score:g}/{best:g})")
    assert wrong == []


def test_grades_csv_columns_and_missing_modules(graded):
    out, _ = graded
    with open(out / "grades.csv", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:5] == ["student", "assignment", "exercise", "score", "max_score"]
    rows = list(csv.DictReader(open(out / "grades.csv", newline="")))
    tensors_of_max = [r for r in rows if r["student"] == "max" and r["assignment"] == "tensors"]
    assert tensors_of_max and all(float(r["score"]) == 0 and "Tensors.py" in r["error"] for r in tensors_of_max)


def test_feedback_results_and_report_are_written(graded):
    out, proc = graded
    students = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
    for student in students:
        assert (out / "feedback" / f"{student}.md").exists() and (out / "feedback" / f"{student}.html").exists()
        results = json.loads((out / "results" / f"{student}.json").read_text())
        assert {"score", "execution_time", "tests"} <= set(results)
        for test in results["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
            assert test["visibility"] in ("visible", "after_published")
    report = (out / "report.html").read_text()
    assert "Most frequent known mistakes" in report and "Checks most students fail" in report
    assert "class summary" in proc.stdout and "report.html" in proc.stdout


def test_feedback_names_mistakes_and_hides_hidden_inputs(graded):
    out, _ = graded
    text = (out / "feedback" / "jon.md").read_text()
    assert "Known mistake — transposed dW" in text or "Known mistake" in text
    assert "a hidden case" in text
    hidden_failures = [line for line in text.splitlines() if line.startswith("First failing case: a hidden case")]
    assert hidden_failures and all(" with " not in line.split(":", 2)[1] for line in hidden_failures)
    gradescope = json.loads((out / "results" / "jon.json").read_text())
    assert any(t["visibility"] == "after_published" for t in gradescope["tests"])


def test_hostile_students_do_not_affect_others(graded):
    out, _ = graded
    grades = read_grades(out)
    assert all(score == best for (student, _, _), (score, best) in grades.items() if student in ("ada", "ben", "chloe", "dev")
               and (EXAMPLES / student).exists() and any((EXAMPLES / student).glob(f"{_}.*")))
    assert (EXAMPLES / "rosa").exists()
    assert not (EXAMPLES / "other_student").exists()


def _light_class(tmp_path) -> Path:
    """A small class (fast assignments only), in the three accepted layouts."""
    root = tmp_path / "subs"
    root.mkdir()
    for student in ("ada", "ben", "dev", "eva", "tara", "nico", "pia", "kai"):
        target = root / student
        target.mkdir()
        for module in ("tensors.py", "broadcasting.py"):
            if (EXAMPLES / student / module).exists():
                shutil.copy(EXAMPLES / student / module, target / module)
    with zipfile.ZipFile(root / "zed.zip", "w") as archive:
        archive.write(EXAMPLES / "ada" / "tensors.py", "homework/tensors.py")
    return root


def wait_for_attempts(database: Path, count: int, process, timeout: float = 300) -> int:
    """Until the gradebook holds `count` attempts (or the process ends); returns how many it holds."""
    deadline, done = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            done = sqlite3.connect(database).execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
        except sqlite3.Error:
            done = 0
        if done >= count:
            break
        time.sleep(0.05)
    return done


def test_kill_minus_nine_and_resume(tmp_path):
    subs = _light_class(tmp_path)
    clean = tmp_path / "clean"
    assert run_grade(subs, clean, "--jobs", "2").returncode == 0
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--jobs", "2"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    database = out / "gradebook.db"
    wait_for_attempts(database, 3, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = sqlite3.connect(database).execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    total = len(read_grades(clean))
    assert 3 <= partial
    resumed = run_grade(subs, out, "--jobs", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert "unchanged since they were graded: skipped" in resumed.stdout
    assert read_grades(out) == read_grades(clean)
    db = sqlite3.connect(database)
    submissions = db.execute("SELECT COUNT(*) FROM attempts WHERE current=1").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == submissions  # nothing graded twice
    assert db.execute("SELECT COUNT(*) FROM exercises e JOIN attempts a ON a.id=e.attempt_id WHERE a.current=1").fetchone()[0] == total
    duplicates = db.execute("SELECT COUNT(*) FROM (SELECT student, assignment FROM attempts WHERE current=1"
                            " GROUP BY student, assignment HAVING COUNT(*) > 1)").fetchone()[0]
    assert duplicates == 0
    regraded = run_grade(subs, out, "--jobs", "2", "--regrade")
    assert regraded.returncode == 0
    assert db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 2 * submissions  # history kept
    assert read_grades(out) == read_grades(clean)


def test_zip_notebook_and_nbgrader_layouts_grade_like_py(tmp_path, zygote):
    source = (EXAMPLES / "ada" / "tensors.py").read_text()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# my work"),
                                               nbformat.v4.new_code_cell("%matplotlib inline\n" + source)])
    nb_root = tmp_path / "nb" / "submitted" / "ada" / "tensors"
    nb_root.mkdir(parents=True)
    nbformat.write(notebook, nb_root / "tensors.ipynb")
    out_nb, out_zip = tmp_path / "out_nb", tmp_path / "out_zip"
    zipped = tmp_path / "zipped"
    zipped.mkdir()
    with zipfile.ZipFile(zipped / "ada.zip", "w") as archive:
        archive.writestr("ada/tensors.py", source)
    assert run_grade(tmp_path / "nb", out_nb, "--jobs", "1").returncode == 0
    assert run_grade(zipped, out_zip, "--jobs", "1").returncode == 0
    nb_grades = {k: v for k, v in read_grades(out_nb).items() if k[1] == "tensors"}
    zip_grades = {k: v for k, v in read_grades(out_zip).items() if k[1] == "tensors"}
    assert nb_grades == zip_grades and all(score == best for score, best in nb_grades.values()) and len(nb_grades) == 6


def test_require_sandbox_refuses_below_the_level(tmp_path):
    env = dict(os.environ, AUTOGRADER_DISABLE="uid,network,landlock,bubblewrap")
    proc = run_grade(_light_class(tmp_path), tmp_path / "out", "--require-sandbox", "strong", env=env)
    assert proc.returncode == 3
    assert "refusing to grade: --require-sandbox strong, but this machine reaches basic" in proc.stderr.replace("\n", "")
    assert not (tmp_path / "out" / "gradebook.db").exists()


def test_grading_one_assignment_keeps_the_others(tmp_path):
    subs = _light_class(tmp_path)
    out = tmp_path / "out"
    first = run_grade(subs, out, "--assignment", "tensors")
    assert first.returncode == 0, first.stderr
    assert {a for _, a, _ in read_grades(out)} == {"tensors"}
    second = run_grade(subs, out, "--assignment", "broadcasting")
    assert {a for _, a, _ in read_grades(out)} == {"tensors", "broadcasting"}  # the earlier one is still there
    assert "graded 9" in second.stdout  # 8 folders and a zip, one broadcasting module (or its absence) each
    wrong = run_grade(subs, out, "--assignment", "tensorz")
    assert wrong.returncode == 2 and "unknown assignment 'tensorz'" in wrong.stderr
