"""Broken course files: every problem is reported as path:line:col: message, with no traceback."""
import subprocess
import sys

import pytest

from autograder.spec import SpecError, load_course

GOOD_EXERCISE = """\
id: double
title: Double it
points: 2
function: "def double(x: float) -> float"
prompt: Return twice the number you are given.
checks:
  - name: examples
    visibility: public
    cases:
      - args: [1.5]
hints: [one, two]
mistakes:
  - name: added one
    feedback: You added one instead of multiplying by two.
    code: |
      def double(x):
          return x + 1
"""

COURSE = """\
name: Tiny
seed: 1
assignments:
  - id: basics
    title: Basics
    exercises: [double]
"""

SOLUTION = "def double(x):\n    return 2 * x\n"


def make_course(tmp_path, exercise=GOOD_EXERCISE, course=COURSE, solution=SOLUTION, name="double"):
    (tmp_path / "course.yml").write_text(course)
    (tmp_path / "exercises" / "basics").mkdir(parents=True)
    (tmp_path / "exercises" / "basics" / f"{name}.yml").write_text(exercise)
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "basics.py").write_text(solution)
    return tmp_path


def problems_of(tmp_path, **kwargs):
    make_course(tmp_path, **kwargs)
    with pytest.raises(SpecError) as caught:
        load_course(tmp_path)
    return caught.value.problems


def test_good_course_loads(tmp_path):
    course = load_course(make_course(tmp_path))
    assert list(course.exercises) == ["double"]
    assert course.exercises["double"].parameters == [("x", "float")]


BROKEN = [
    ("bad yaml syntax", GOOD_EXERCISE.replace("hints: [one, two]", "hints: [one, two"), "double.yml:12:", "invalid YAML"),
    ("missing field", GOOD_EXERCISE.replace("points: 2\n", ""), "double.yml:1:1:", "points: Field required"),
    ("wrong type", GOOD_EXERCISE.replace("points: 2", "points: many"), "double.yml:3:9:", "points: Input should be a valid number"),
    ("unknown check kind", GOOD_EXERCISE.replace("    visibility: public\n", "    visibility: public\n    fuzzy: {}\n"),
     "double.yml:7:", "unknown key 'fuzzy' in check group"),
    ("unknown generator", GOOD_EXERCISE.replace("      - args: [1.5]", "      - args: [{flaot: [0, 1]}]"),
     "double.yml:7:", "unknown input generator 'flaot'"),
    ("mistake does not parse", GOOD_EXERCISE.replace("return x + 1", "return x +"), "double.yml:17:", "Python code does not parse"),
    ("duplicate key", GOOD_EXERCISE.replace("title: Double it", "title: Double it\ntitle: Again"), "double.yml:3:1:", "duplicate key 'title'"),
    ("function name differs from id", GOOD_EXERCISE.replace("def double(x: float)", "def twice(x: float)"),
     "double.yml:1:1:", "function is named 'twice' but the exercise id is 'double'"),
    ("bad signature", GOOD_EXERCISE.replace('"def double(x: float) -> float"', '"double(x)"'), "double.yml:4:11:", "signature line"),
    ("bad visibility", GOOD_EXERCISE.replace("visibility: public", "visibility: secret"), "double.yml:8:17:", "visibility: Input should be 'public' or 'hidden'"),
    ("bad forbid rule", GOOD_EXERCISE.replace("checks:", "forbid: ['no loops!']\nchecks:"), "double.yml:6:", "forbid rule 'no loops!'"),
    ("raises not an exception", GOOD_EXERCISE.replace("    visibility: public\n", "    visibility: public\n    raises: value error\n"),
     "double.yml:7:", "is not an exception name"),
    ("cases and args together", GOOD_EXERCISE.replace("    cases:", "    count: 3\n    args: {x: {float: [0, 1]}}\n    cases:"),
     "double.yml:7:", "either `cases` or `count` + `args`"),
    ("unknown argument", GOOD_EXERCISE.replace("    cases:\n      - args: [1.5]", "    count: 2\n    args: {y: {float: [0, 1]}}"),
     "double.yml:1:1:", "argument 'y' is not a parameter"),
    ("gradient wrt and grads differ", GOOD_EXERCISE.replace("    visibility: public\n",
     "    visibility: public\n    gradient: {forward: 'x * 2', wrt: [x], grads: ['0', '1']}\n"), "double.yml:9:15:", "wrt has 1 entries but grads has 2"),
    ("top level not a mapping", "- just\n- a list\n", "double.yml:1:1:", "expected a mapping"),
]


@pytest.mark.parametrize("label, text, where, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_exercise_file(tmp_path, label, text, where, message):
    problems = problems_of(tmp_path, exercise=text)
    joined = "\n".join(problems)
    assert where in joined, joined
    assert message in joined, joined


def test_duplicate_exercise_id_in_course(tmp_path):
    course = COURSE.replace("exercises: [double]", "exercises: [double, double]")
    problems = problems_of(tmp_path, course=course)
    assert any("course.yml:1:1" in p and "listed in both 'basics' and 'basics'" in p for p in problems), problems


def test_exercise_without_reference_function(tmp_path):
    problems = problems_of(tmp_path, solution="def triple(x):\n    return 3 * x\n")
    assert any("double.yml:1:1: no reference function 'double' in solutions/basics.py" in p for p in problems), problems


def test_missing_exercise_file_points_at_course_yml(tmp_path):
    course = COURSE.replace("exercises: [double]", "exercises: [double, halve]")
    problems = problems_of(tmp_path, course=course)
    assert any("course.yml:6:25:" in p and "'halve'" in p and "has no file" in p for p in problems), problems


def test_file_name_must_match_id(tmp_path):
    make_course(tmp_path, exercise=GOOD_EXERCISE.replace("id: double", "id: twice").replace("def double", "def twice"))
    with pytest.raises(SpecError) as caught:
        load_course(tmp_path)
    assert any("id is 'twice' but the file is named double.yml" in p for p in caught.value.problems)


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD_EXERCISE.replace("points: 2", "points: -1").replace("visibility: public", "visibility: secret")
    problems = problems_of(tmp_path, exercise=text)
    assert len(problems) == 2


def test_cli_prints_problems_without_traceback(tmp_path):
    make_course(tmp_path, exercise=GOOD_EXERCISE.replace("points: 2", "points: many"))
    proc = subprocess.run([sys.executable, "-m", "autograder", "validate", "--course", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "double.yml:3:9: points: Input should be a valid number" in proc.stderr.replace("\n", "")


def test_exponent_numbers_are_numbers_as_authors_write_them(tmp_path):
    """YAML 1.1 (PyYAML) reads 1e-8 and 1.0e11 as strings: an array case of them would silently
    become an array of text. The course loader reads them as floats; text in quotes stays text."""
    from autograder.spec import load_yaml

    path = tmp_path / "numbers.yml"
    path.write_text('a: [1e-8, 1.0e11, 1.0e+11, -2E3, .5e1, 3, 1.5]\nb: "1e-8"\nc: 1e\n')
    data, _ = load_yaml(path)
    assert data["a"] == [1e-8, 1e11, 1e11, -2000.0, 5.0, 3, 1.5]
    assert all(isinstance(v, float) for v in data["a"][:5]) and isinstance(data["a"][5], int)
    assert data["b"] == "1e-8" and data["c"] == "1e"


def test_a_release_reads_back_what_the_models_hold(course):
    """A student release is read without pydantic (course.Record): each record has its model's
    fields, and every exercise of the course reads back from its JSON dump to the same fields and
    the same derived facts; a release with a field missing is refused with its place named."""
    import json

    from autograder import course as records
    from autograder import spec

    pairs = {records.ToleranceRecord: spec.Tolerance, records.LimitsRecord: spec.Limits, records.CaseRecord: spec.Case,
             records.PropertyRecord: spec.PropertySpec, records.GradientRecord: spec.GradientSpec,
             records.SymbolicRecord: spec.SymbolicSpec, records.CheckGroupRecord: spec.CheckGroup,
             records.MistakeRecord: spec.Mistake, records.ExerciseRecord: spec.Exercise,
             records.AssignmentRecord: spec.Assignment, records.DefaultsRecord: spec.Defaults,
             records.CourseRecord: spec.CourseSpec}
    for record, model in pairs.items():
        assert record.FIELDS == tuple(model.model_fields), record

    def same(back, model, where):
        if isinstance(model, spec.BaseModel):
            assert type(back) in pairs and pairs[type(back)] is type(model), where
            for name in type(model).model_fields:
                same(getattr(back, name), getattr(model, name), f"{where}.{name}")
        elif isinstance(model, (list, tuple)):
            assert isinstance(back, list) and len(back) == len(model), where
            for i, (b, m) in enumerate(zip(back, model)):
                same(b, m, f"{where}[{i}]")
        else:
            assert back == model or (back != back and model != model), where  # NaN in a literal case

    for exercise in course.exercises.values():
        back = records.ExerciseRecord.read(json.loads(json.dumps(exercise.model_dump())), exercise.id)
        same(back, exercise, exercise.id)
        for fact in ("uses_sympy", "inputs_text", "makes_callables_from_expressions", "parameters", "return_annotation"):
            assert getattr(back, fact) == getattr(exercise, fact), (exercise.id, fact)
        assert [g.kind for g in back.checks] == [g.kind for g in exercise.checks]
    assert any(e.uses_sympy for e in course.exercises.values()) and any(g.kind == "gradient" for e in course.exercises.values()
                                                                         for g in e.checks)

    broken = course.exercises["relu"].model_dump()
    del broken["checks"][0]["weight"]
    with pytest.raises(records.SpecError) as caught:
        records.ExerciseRecord.read(json.loads(json.dumps(broken)), "release.json: exercise relu")
    assert caught.value.problems == ["release.json: exercise relu.checks[0]: missing weight (rebuild the release with "
                                     "this version of autograder)"]
