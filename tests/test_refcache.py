"""The shared store of reference answers: it must never change a grade, only save time."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

from autograder.grade import Outcome, ReferenceOracle, prepare_cases
from autograder.refcache import ReferenceStore, identical

ROOT = Path(__file__).resolve().parents[1]
x = sympy.Symbol("x")


@pytest.mark.parametrize("a, b", [
    (1.0, np.float64(1.0)),                      # a float is not a numpy scalar
    (1, 1.0),
    (0.0, -0.0),                                 # the sign of zero can show in a message
    (np.array([1, 2]), np.array([1.0, 2.0])),    # dtype
    (np.zeros((2, 1)), np.zeros(2)),             # shape
    ([1, 2], (1, 2)),
    (sympy.Add(x, x, evaluate=False), 2 * x),    # equal in value, not in form
    (sympy.Symbol("x", positive=True), x),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}),        # order of keys
])
def test_identical_tells_apart_what_a_comparison_could_notice(a, b):
    assert not identical(a, b)


def test_identical_accepts_true_copies():
    assert identical([np.array([1.5, np.nan]), (sympy.sqrt(2) / 2, "s")], [np.array([1.5, np.nan]), (sympy.sqrt(2) / 2, "s")])
    assert identical(float("nan"), float("nan"))
    assert identical(sympy.Matrix([[x, 1]]), sympy.ImmutableMatrix([[x, 1]]))  # rebuilt matrices are immutable


def test_store_round_trip_versions_and_what_is_not_kept(tmp_path):
    path = tmp_path / "reference.db"
    store = ReferenceStore(path, "v1")
    value = [sympy.Rational(1, 3) - sympy.sqrt(2), np.arange(3.0), (sympy.Matrix([[x, 2]]), "minimum")]
    store.put("roots", Outcome("value", value), seconds=1.0)
    store.put("raised", Outcome("raised", exc_mro=["ValueError", "Exception"], message="no finite list"), seconds=1.0)
    store.put("cheap", Outcome("value", 3.0), seconds=1e-6)              # recomputing is cheaper than reading
    store.put("odd", Outcome("value", sympy.FiniteSet(1, 2)), seconds=1.0)  # cannot be carried: recomputed later
    store.close()

    again = ReferenceStore(path, "v1")
    got = again.get("roots")
    assert got.kind == "value" and identical(got.value, value)
    raised = again.get("raised")
    assert raised.kind == "raised" and raised.exc_mro[0] == "ValueError" and raised.message == "no finite list"
    assert again.get("cheap") is None and again.get("odd") is None and again.get("never") is None
    again.close()

    changed = ReferenceStore(path, "v2")  # the course changed: nothing of v1 may be used
    assert changed.get("roots") is None
    changed.close()


def test_an_oracle_reading_the_store_gives_exactly_the_fresh_answers(course, tmp_path):
    exercises = [course.exercises[e] for e in ("critical_points", "one_sided_derivatives", "hessian", "gradient_at")]
    cases = [c for e in exercises for c in prepare_cases(course, e, "someone")]
    fresh = ReferenceOracle(course)
    first = ReferenceOracle(course, ReferenceStore(tmp_path / "r.db", "v"))
    for case in cases:
        first.expected(case)
    first.store.close()
    second = ReferenceOracle(course, ReferenceStore(tmp_path / "r.db", "v"))
    for case in cases:
        stored, computed = second.expected(case), fresh.expected(case)
        assert stored.kind == computed.kind
        assert identical(computed.value, stored.value), case.label
    assert second.store.hits >= len(cases) // 2  # symbolic answers cost milliseconds: nearly all were kept


def test_a_regrade_from_the_store_writes_the_same_grades_and_feedback(sample_class_graded, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(sample_class_graded[0], out)  # the shared class stays as the other tests expect it
    assert (out / ".cache" / "reference.db").exists()
    before = {p.name: p.read_text() for p in [out / "grades.csv", *sorted((out / "feedback").glob("*.md"))]}
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(ROOT / "examples" / "submissions"),
                           "--out", str(out), "--regrade", "--assignment", "derivatives"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = {p.name: p.read_text() for p in [out / "grades.csv", *sorted((out / "feedback").glob("*.md"))]}
    assert after == before


def test_a_damaged_store_costs_time_never_a_grade(tmp_path, course):
    path = tmp_path / "reference.db"
    store = ReferenceStore(path, "v")
    store.db.execute("DROP TABLE answers")  # as if the file had been damaged under a running batch
    oracle = ReferenceOracle(course, store)
    case = prepare_cases(course, course.exercises["critical_points"], "someone")[0]
    assert identical(oracle.expected(case).value, ReferenceOracle(course).expected(case).value)
    store.flush()
    assert store.broken
