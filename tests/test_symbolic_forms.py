"""Symbolic exercises grade the mathematics: every equivalent form passes, a different answer fails."""
import pytest

from autograder.grade import grade_source

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WRAPPERS = {
    "factored": "sympy.factor(answer)",
    "expanded": "sympy.expand(answer)",
    "trigonometric identity": "answer + sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1",
    "exponential form": "answer.rewrite(sympy.exp)",
}


def graded(course, oracle, zygote, wrapper):
    source = (ROOT / "solutions" / "derivatives.py").read_text()
    source += ("\n\nimport sympy\n_by_the_rules = differentiate\n\n\ndef differentiate(expr, x):\n"
               f"    answer = _by_the_rules(expr, x)\n    return {wrapper}\n")
    (result,) = grade_source(course, "derivatives", source, "derivatives.py", "forms", zygote, oracle, ["differentiate"])
    return result


@pytest.mark.parametrize("form", list(WRAPPERS))
def test_equivalent_forms_pass(course, oracle, zygote, form):
    result = graded(course, oracle, zygote, WRAPPERS[form])
    assert result.score == result.max_score, result.first_failure()


def test_a_different_answer_fails_and_names_a_point(course, oracle, zygote):
    result = graded(course, oracle, zygote, "answer + x / 1000")
    assert result.score == 0
    group, failure = result.first_failure()
    assert "not equivalent" in failure.summary
