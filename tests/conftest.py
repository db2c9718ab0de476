from pathlib import Path

import pytest

from autograder.sandbox import Zygote

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def zygote():
    """One warmed zygote for the whole run, started before any test loads reference solutions.
    A canary in the environment lets the attack suite check that children never see the grader's."""
    import os

    os.environ["AUTOGRADER_CANARY_TOKEN"] = "do-not-leak"
    z = Zygote().start()
    yield z
    z.close()


@pytest.fixture(scope="session")
def course():
    from autograder.spec import load_course

    return load_course(ROOT)


@pytest.fixture(scope="session")
def oracle(course):
    from autograder.grade import ReferenceOracle

    return ReferenceOracle(course)


TINY_EXERCISE = """\
id: {id}
title: {id}
points: 2
function: "def {id}(x: np.ndarray) -> np.ndarray"
prompt: Return {factor} times the array.
limits: {{timeout: 1.5, memory_mb: 300}}
checks:
  - name: examples
    visibility: public
    cases:
      - args: [[1.0, 2.0]]
  - name: random
    count: 3
    args: {{x: {{array: {{shape: [3]}}}}}}
  - name: quietly
    no_warnings: true
    cases:
      - args: [[0.5]]
hints: [a, b]
mistakes:
  - name: added
    feedback: You added instead of multiplying.
    code: |
      def {id}(x):
          return x + {factor}
"""
TINY_SOLUTIONS = "def double(x):\n    return 2 * x\n\n\ndef triple(x):\n    return 3 * x\n"


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A two-exercise course (double, triple) with short limits, for sandbox and attack tests."""
    from autograder.grade import ReferenceOracle
    from autograder.spec import load_course

    root = tmp_path_factory.mktemp("tiny")
    (root / "course.yml").write_text("name: Tiny\nseed: 3\nassignments:\n  - id: basics\n    title: Basics\n"
                                     "    exercises: [double, triple]\n")
    (root / "exercises" / "basics").mkdir(parents=True)
    for name, factor in (("double", 2), ("triple", 3)):
        (root / "exercises" / "basics" / f"{name}.yml").write_text(TINY_EXERCISE.format(id=name, factor=factor))
    (root / "solutions").mkdir()
    (root / "solutions" / "basics.py").write_text(TINY_SOLUTIONS)
    course = load_course(root)
    return course, ReferenceOracle(course)


@pytest.fixture(scope="session")
def sample_class_graded(tmp_path_factory):
    """examples/submissions graded locally with `autograder grade` (shared by the batch and cluster tests)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("class")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(ROOT / "examples" / "submissions"),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc
