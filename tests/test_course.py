"""The whole course validates; the student release holds no answers; `check` works inside it."""
import ast
import json
import shutil
import subprocess
import sys

import pytest

from autograder.build import build_release
from autograder.validate import validate_course

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_whole_course_validates(course, zygote):
    report = validate_course(course, zygote)
    assert report.problems == []
    assert len(report.exercises) == 51


@pytest.fixture(scope="module")
def release(course, oracle, tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    build_release(course, out, oracle)
    return out


def test_release_has_stubs_but_no_reference_code_or_hidden_cases(course, release):
    text = "\n".join(p.read_text() for p in release.rglob("*") if p.is_file())
    for assignment in course.assignments:
        reference = ast.parse((ROOT / "solutions" / f"{assignment.id}.py").read_text())
        for node in reference.body:
            if isinstance(node, ast.FunctionDef):
                body = ast.unparse(node.body[-1])
                if len(body) > 30:
                    assert body not in text, f"reference code of {node.name} leaked into the release"
        stub = (release / f"{assignment.id}.py").read_text()
        for exercise in course.exercises_of(assignment.id):
            assert f"def {exercise.id}(" in stub
            assert f'raise NotImplementedError("{exercise.id}")' in stub
    data = json.loads((release / ".autograder" / "release.json").read_text())
    for exercise in course.exercises.values():
        shipped = {g["name"] for g in data["exercises"][exercise.id]["spec"]["checks"]}
        for group in exercise.checks:
            if group.visibility == "hidden" and group.kind not in ("gradient", "property"):
                assert group.name not in shipped, f"hidden group {exercise.id}/{group.name} shipped"
        for mistake in exercise.mistakes:
            assert mistake.code.strip() not in text


def run_check(release, *args):
    return subprocess.run([sys.executable, "-m", "autograder", "check", *args], cwd=release,
                          capture_output=True, text=True, timeout=300)


def test_check_in_release_stub_fails_then_reference_passes(release):
    proc = run_check(release, "relu")
    assert proc.returncode == 1
    assert "✗ relu" in proc.stdout and "NotImplementedError" in proc.stdout and "Hint 1/" in proc.stdout
    shutil.copy(ROOT / "solutions" / "broadcasting.py", release / "broadcasting.py")
    proc = run_check(release, "relu", "broadcast_shape")
    assert proc.returncode == 0, proc.stdout
    assert "✓ relu" in proc.stdout and "2/2 exercises pass" in proc.stdout


def test_check_shows_a_known_mistake(release):
    source = (ROOT / "solutions" / "products.py").read_text()
    source += "\n\ndef matmul_shape(a_shape, b_shape):\n    return tuple(a_shape[:-1]) + (b_shape[-1],)\n"
    (release / "products.py").write_text(source)
    proc = run_check(release, "matmul_shape")
    assert proc.returncode == 1
    assert "✗ matmul_shape" in proc.stdout
