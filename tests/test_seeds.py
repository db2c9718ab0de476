"""Every exercise on 20 students' hidden inputs: the reference passes and a stub fails, every case."""
import pytest

from autograder.validate import check_seeds

ASSIGNMENTS = ["tensors", "broadcasting", "products", "matrices", "derivatives", "descent", "backprop"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_passes_and_stub_fails_on_20_seeds(course, oracle, assignment):
    problems = {}
    for exercise in course.exercises_of(assignment):
        found = check_seeds(course, exercise, oracle, seeds=20)
        if found:
            problems[exercise.id] = found
    assert problems == {}
