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
