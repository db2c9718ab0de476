"""The student's loop inside a release: hints remembered, status, pytest items with the CLI's messages."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.build import build_release

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def release(course, oracle, tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    build_release(course, out, oracle)
    return out


def run(release, *args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=release, capture_output=True, text=True, timeout=300)


def test_hints_are_revealed_one_by_one_and_remembered(release, course):
    hints = course.exercises["relu"].hints
    first = run(release, "hint", "relu")
    assert first.returncode == 0 and "Hint 1/2" in first.stdout and "Hint 2/2" not in first.stdout
    second = run(release, "hint", "relu")
    assert "Hint 1/2" in second.stdout and "Hint 2/2" in second.stdout
    assert hints[1].strip()[:30] in second.stdout.replace("\n", " ")
    assert "last hint" in run(release, "hint", "relu").stdout
    check = run(release, "check", "relu")
    assert "Hint 2/2" in check.stdout and "autograder hint relu" in check.stdout


def test_a_check_that_showed_the_first_hint_makes_hint_reveal_the_second(release, course):
    """A failing check prints the first hint and says `autograder hint` shows the next one: it must
    then show the second, not the first again."""
    exercise = "standardize_columns"
    assert len(course.exercises[exercise].hints) >= 2
    check = run(release, "check", exercise)
    assert "Hint 1/" in check.stdout and f"autograder hint {exercise}` shows the next hint" in check.stdout
    revealed = run(release, "hint", exercise)
    assert "Hint 2/" in revealed.stdout
    again = run(release, "check", exercise)
    assert "Hint 2/" in again.stdout and "Hint 1/" not in again.stdout


def test_status_shows_progress_after_checks(release):
    shutil.copy(ROOT / "solutions" / "tensors.py", release / "tensors.py")
    assert run(release, "check", "tensor_summary").returncode == 0
    status = run(release, "status")
    assert status.returncode == 0
    assert "tensors" in status.stdout and "1/6" in status.stdout


def test_pytest_in_the_release_runs_the_same_checks(release):
    shutil.copy(ROOT / "solutions" / "tensors.py", release / "tensors.py")
    passing = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tensors.py"], cwd=release,
                             capture_output=True, text=True, timeout=300)
    assert passing.returncode == 0, passing.stdout[-2000:]
    assert " passed" in passing.stdout
    failing = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "broadcasting.py"], cwd=release,
                             capture_output=True, text=True, timeout=300)
    assert failing.returncode == 1
    assert "relu::textbook cases" in failing.stdout and "NotImplementedError" in failing.stdout
    assert "autograder hint relu" in failing.stdout
    # an item for an exercise's rules on the code only where it has some (relu forbids loops)
    listed = subprocess.run([sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider",
                             "broadcasting.py", "tensors.py"], cwd=release, capture_output=True, text=True, timeout=300).stdout
    assert "relu::rules" in listed and "naive_add::rules" in listed
    assert "tensor_summary::rules" not in listed and "tensor_summary::" in listed


def _read_until(proc, needle: str, lines: list, timeout: float = 120) -> None:
    """Collect the watcher's output lines until one contains needle (or the watcher stops). A thread
    reads the pipe: select() on it would miss lines already sitting in Python's read buffer."""
    import queue
    import threading
    import time

    if not hasattr(proc, "lines"):
        proc.lines = queue.Queue()
        threading.Thread(target=lambda: [proc.lines.put(line) for line in proc.stdout] + [proc.lines.put(None)],
                         daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = proc.lines.get(timeout=1.0)
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line)
        if needle in line:
            return
    raise AssertionError(f"{needle!r} never came; the watcher said:\n{''.join(lines)}")


def test_watch_rechecks_on_save_and_moves_on_to_the_next_unsolved_exercise(course, oracle, tmp_path):
    build_release(course, tmp_path, oracle)
    reference = (ROOT / "solutions" / "broadcasting.py").read_text()
    wrong = reference.replace("def broadcast_shape(a_shape, b_shape):",
                              "def broadcast_shape(a_shape, b_shape):\n    return tuple(a_shape)\n\n\ndef _unused(a_shape, b_shape):")
    assert wrong != reference
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "watch", "broadcasting", "--interval", "0.1"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**__import__("os").environ, "NO_COLOR": "1", "COLUMNS": "100"})
    lines: list[str] = []
    try:
        _read_until(proc, "watching broadcasting", lines)           # the untouched stub of the first exercise
        assert any("✗ naive_add" in line for line in lines)
        del lines[:]
        (tmp_path / "broadcasting.py").write_text(wrong)             # a save: two right, the third wrong
        _read_until(proc, "watching broadcasting", lines)
        text = "".join(lines)
        assert "✓ naive_add " in text and "✓ naive_add_matrix_vector" in text and "✗ broadcast_shape" in text
        assert "relu" not in text                                    # it stops at the first unsolved one
        del lines[:]
        elsewhere = wrong.replace("def relu(x):", "def relu(x):\n    return x\n\n\ndef _old_relu(x):")
        (tmp_path / "broadcasting.py").write_text(elsewhere)         # a save that changes relu only
        _read_until(proc, "watching broadcasting", lines)
        text = "".join(lines)
        assert "changed: relu" in text and "✗ relu" in text and "✗ broadcast_shape" in text
        del lines[:]
        (tmp_path / "broadcasting.py").write_text(reference)         # fixed: on to the end of the assignment
        _read_until(proc, "every exercise passes", lines)
        text = "".join(lines)
        assert "naive_add " not in text                              # solved ones are not checked again
        for exercise in ("broadcast_shape", "relu", "standardize_columns", "pairwise_sq_distances"):
            assert f"✓ {exercise}" in text
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()


def test_a_local_check_loads_up_front_what_the_checked_code_will_use(release, course):
    """Before forking its one child, a local check loads sympy only for code that needs it, the
    lambdify printers only for expression callables, and sympy's lazily imported parts only for
    the functions checked (the rest of the module may call simplify or integrate)."""
    from autograder import cli
    from autograder.release import load_release

    shutil.copy(ROOT / "solutions" / "derivatives.py", release / "derivatives.py")
    shutil.copy(ROOT / "solutions" / "broadcasting.py", release / "broadcasting.py")
    local, _ = load_release(release)
    needs = {e: cli._local_needs(local, cli._local_work(release, local, [e]))
             for e in ("relu", "differentiate", "numerical_derivative", "classify_critical_point", "critical_points")}
    assert needs["relu"] == (False, False, set())
    assert needs["differentiate"] == (True, False, set())
    assert needs["numerical_derivative"] == (True, True, set())          # f is lambdified from x**3
    assert needs["classify_critical_point"] == (True, False, {"simplify"})
    assert "integrate" in needs["critical_points"][2]                    # its inputs are integrated


def test_names_on_the_command_line_are_forgiving(release, tmp_path):
    """A typo gets the closest names; an assignment stands for its exercises; outside a release the
    message says where to run, not that the course files have problems."""
    typo = run(release, "check", "rleu")
    assert typo.returncode == 2 and "did you mean 'relu'?" in typo.stderr
    assert "did you mean 'relu'?" in run(release, "hint", "rleu").stderr
    whole = run(release, "check", "descent")
    assert whole.returncode == 1 and "/4 exercises pass" in whole.stdout
    outside = subprocess.run([sys.executable, "-m", "autograder", "check", "relu"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert outside.returncode == 2 and "not inside a student release" in outside.stderr
    assert "course files" not in outside.stderr + outside.stdout


def test_check_reads_the_notebook_when_it_was_saved_last(course, oracle, tmp_path):
    import os

    import nbformat

    build_release(course, tmp_path, oracle)
    assert "saved after" not in run(tmp_path, "check", "relu").stderr     # as built: the module
    notebook = nbformat.read(tmp_path / "broadcasting.ipynb", as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and "def relu(" in c.source)
    cell.source = "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n"
    nbformat.write(notebook, tmp_path / "broadcasting.ipynb")
    later = (tmp_path / "broadcasting.py").stat().st_mtime + 10
    os.utime(tmp_path / "broadcasting.ipynb", (later, later))
    checked = run(tmp_path, "check", "relu")
    assert checked.returncode == 0 and "broadcasting.ipynb: it was saved after broadcasting.py" in checked.stderr


def test_a_notebook_check_grades_the_cells_that_ran_without_the_check_calls():
    """What `check()` sends from a kernel: failed cells (and cells that do not parse) left out, the
    check calls and autograder imports blanked wherever they are, and line numbers told by cell."""
    from autograder.notebook import cell_lines, cells_source

    inputs = ["", "import numpy as np\nfrom autograder import check",
              "def relu(x):\n    return np.maximum(x, 0",                 # a syntax error, fixed below
              "def relu(x):\n    return np.maximum(x, 0)",
              "print(undefined_name)",                                     # raised when it ran
              "check('relu')",                                             # no 'autograder' in this cell
              "scale = 2\ncheck('relu')\nresult = check('relu')",
              "%timeit relu(1)\noffset = 3"]
    source, starts = cells_source(inputs, failed={4})
    compile(source, "notebook", "exec")
    assert "undefined_name" not in source and "check(" not in source and "autograder" not in source
    assert "maximum(x, 0)\n" in source and "scale = 2" in source and "offset = 3" in source and "%" not in source
    assert [n for _, n in starts] == [1, 3, 6, 7]
    line = source.splitlines().index("    return np.maximum(x, 0)") + 1
    assert cell_lines(f"raised (line {line}: return ...)", starts) == "raised (line 2 of cell In[3]: return ...)"


def test_an_untouched_stub_is_told_to_replace_it_not_to_add_loops(course, oracle, tmp_path):
    build_release(course, tmp_path, oracle)
    checked = run(tmp_path, "check", "naive_add")
    assert "replace the stub" in checked.stdout and "your function has none" not in checked.stdout


def test_an_edited_or_outdated_release_is_refused_in_one_message(release, tmp_path):
    """The specs in release.json are read back unvalidated, so a file changed after the build (or
    from an older build) is refused before any check runs: by `check`, and by the notebook's
    `grade-one`, whose error reaches the notebook as the message, not as unparsable output."""
    import json

    from autograder.notebook import _run

    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    data_path = copy / ".autograder" / "release.json"
    data = json.loads(data_path.read_text())
    data["exercises"]["relu"]["spec"]["points"] = "3"
    data_path.write_text(json.dumps(data))
    for args in (["check", "relu"], ["grade-one", "--source", "broadcasting.py", "--release", ".", "--json"]):
        refused = run(copy, *args)
        assert refused.returncode == 2 and refused.stdout == "", (args, refused.stdout)
        assert "the release data was changed after `autograder build` wrote it" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=copy,
                           capture_output=True, text=True, timeout=300)
    assert tests.returncode == 4 and "changed after `autograder build` wrote it" in tests.stderr + tests.stdout
    data["format"] = 1
    data_path.write_text(json.dumps(data))
    assert "built by another version of autograder (format 1)" in run(copy, "check", "relu").stderr
    import os

    here = os.getcwd()
    os.chdir(copy)
    try:
        with pytest.raises(RuntimeError, match="built by another version of autograder"):
            _run(["--release", "."], "def relu(x):\n    return x\n")
    finally:
        os.chdir(here)
