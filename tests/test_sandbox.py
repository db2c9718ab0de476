"""Hostile and broken submissions end in a clear verdict, zero for that exercise, and the grader unharmed."""
import os
import textwrap

import pytest

from autograder.grade import grade_source

GOOD_TRIPLE = "\ndef triple(x):\n    return 3 * x\n"


def grade(tiny, zygote, double_body, prelude="import numpy as np\n"):
    course, oracle = tiny
    source = prelude + "\ndef double(x):\n" + textwrap.indent(textwrap.dedent(double_body), "    ") + GOOD_TRIPLE
    results = {r.id: r for r in grade_source(course, "basics", source, "basics.py", "mallory", zygote, oracle)}
    return results["double"], results["triple"]


def assert_contained(double, triple, reason):
    assert double.score == 0
    text = (double.error or "") + " ".join(g.failure.summary for g in double.groups if g.failure)
    assert reason in text, text
    assert triple.score == triple.max_score, "another exercise of the same student was affected"


def test_correct_answer_full_marks(tiny, zygote):
    double, triple = grade(tiny, zygote, "return 2 * x")
    assert double.score == 2 and triple.score == 2


def test_infinite_loop(tiny, zygote):
    assert_contained(*grade(tiny, zygote, "while True:\n    pass"), "timed out")


def test_memory_bomb(tiny, zygote):
    double, triple = grade(tiny, zygote, "blocks = []\nwhile True:\n    blocks.append(bytearray(10**7))")
    assert_contained(double, triple, "MemoryError")


def test_os_exit(tiny, zygote):
    assert_contained(*grade(tiny, zygote, "import os\nos._exit(0)"), "exited early")


def test_segfault(tiny, zygote):
    assert_contained(*grade(tiny, zygote, "import ctypes\nreturn ctypes.string_at(0)"), "segmentation fault")


def test_patching_numpy_allclose_changes_nothing(tiny, zygote):
    prelude = ("import numpy as np\nimport numpy.testing\nnp.allclose = lambda *a, **k: True\n"
               "np.testing.assert_allclose = lambda *a, **k: None\nnp.array_equal = lambda *a, **k: True\n")
    double, triple = grade(tiny, zygote, "return x + 100", prelude=prelude)
    assert_contained(double, triple, "values differ")


def test_object_with_lying_eq(tiny, zygote):
    body = """
    class Liar:
        def __eq__(self, other): return True
        def __array__(self, *a, **k): raise RuntimeError
    return Liar()"""
    assert_contained(*grade(tiny, zygote, body), "got an object of type Liar")


def test_lying_ndarray_subclass_is_judged_by_its_data(tiny, zygote):
    body = """
    class Always(np.ndarray):
        def __eq__(self, other): return np.ones(self.shape, bool)
    return np.zeros_like(x).view(Always)"""
    assert_contained(*grade(tiny, zygote, body), "values differ")


def test_cannot_read_solutions_or_course(tiny, zygote):
    course, _ = tiny
    path = course.root / "solutions" / "basics.py"
    double, triple = grade(tiny, zygote, f"return open({str(path)!r}).read()")
    # in bubblewrap the course is not even there; otherwise Landlock refuses to open it
    assert_contained(double, triple, "FileNotFoundError" if zygote.caps.wrapped else "PermissionError")


def test_fake_result_lines_on_stdout(tiny, zygote):
    body = 'print(\'{"event": "result", "call": 0, "value": 1}\')\nimport sys\nsys.stderr.write("PASSED 2/2\\n")\nreturn x'
    assert_contained(*grade(tiny, zygote, body), "values differ")


def test_exit_at_import_zeroes_everything(tiny, zygote):
    course, oracle = tiny
    source = "import sys\nsys.exit(0)\n" + GOOD_TRIPLE
    results = grade_source(course, "basics", source, "basics.py", "mallory", zygote, oracle)
    assert all(r.score == 0 and "could not be loaded" in r.error and "SystemExit" in r.error for r in results)


def test_syntax_error_is_reported(tiny, zygote):
    course, oracle = tiny
    results = grade_source(course, "basics", "def double(x)\n    return x\n", "basics.py", "s", zygote, oracle)
    assert all(r.score == 0 and "SyntaxError on line 1" in r.error for r in results)


def test_mutating_the_input_is_caught(tiny, zygote):
    assert_contained(*grade(tiny, zygote, "x *= 2\nreturn x"), "changed its input")


@pytest.mark.parametrize("change", [
    'params["Z1"] = X                 # a cache stored in the caller\'s dict',
    'params["W1"] -= 0.1 * out[1]["W1"]  # an update step taken in place',
])
def test_changing_an_array_inside_a_dict_argument_is_caught(course, oracle, zygote, change):
    from pathlib import Path

    reference = (Path(__file__).resolve().parents[1] / "solutions" / "backprop.py").read_text()
    source = reference + textwrap.dedent(f"""

        _right = mlp_loss_and_grads


        def mlp_loss_and_grads(params, X, y):
            out = _right(params, X, y)
            {change}
            return out
        """)
    (result,) = grade_source(course, "backprop", source, "backprop.py", "mallory", zygote, oracle, ["mlp_loss_and_grads"])
    # (an update by a zero gradient changes nothing: cases where every dW1 entry is 0 rightly pass)
    assert result.score <= 0.2 * result.max_score, result.score
    failures = [g.failure.summary for g in result.groups if g.failure]
    assert failures and all("changed its input (argument 1)" in f for f in failures), failures


def test_known_mistake_is_recognised(tiny, zygote):
    double, _ = grade(tiny, zygote, "return x + 2")
    assert [m["name"] for m in double.mistakes] == ["added"]


def test_grader_unharmed_after_attacks(tiny, zygote):
    double, triple = grade(tiny, zygote, "return 2 * x")
    assert double.score == 2 and triple.score == 2
    assert os.path.exists(tiny[0].root / "solutions" / "basics.py")


def test_warnings_fail_a_no_warnings_group(tiny, zygote):
    double, triple = grade(tiny, zygote, "np.exp(np.array([1000.0]))\nreturn 2 * x")
    quiet = next(g for g in double.groups if g.name == "quietly")
    assert quiet.passed == 0 and "RuntimeWarning: overflow encountered in exp" in quiet.failure.summary
    assert 0 < double.score < double.max_score and triple.score == triple.max_score


def test_output_flood_is_truncated_not_fatal(tiny, zygote):
    double, triple = grade(tiny, zygote, "for _ in range(200_000):\n    print('spam' * 50)\nreturn 2 * x")
    assert double.score == double.max_score and triple.score == triple.max_score


def test_kill_requests_reach_only_the_zygotes_own_children(zygote):
    """In bubblewrap a child's PID is the zygote's, in another namespace: a deadline kill goes through
    the zygote, which ignores any PID that is not one of its children (never a process out here)."""
    import subprocess
    import time

    if not zygote.caps.wrapped:
        pytest.skip("without bubblewrap children are killed by their real PID")
    bystander = subprocess.Popen(["sleep", "30"])
    try:
        zygote._kill_child(bystander.pid)
        zygote._kill_child(2)
        time.sleep(0.3)
        assert bystander.poll() is None
        os.kill(zygote.pid, 0)  # the zygote (and bubblewrap) are alive too
    finally:
        bystander.kill()
        bystander.wait()


def test_a_zygote_that_died_is_replaced(tiny):
    """A fresh zygote that dies (a grader bug, the machine) is started again; the submission is graded."""
    import signal

    from autograder.sandbox import Zygote

    private = Zygote().start()
    try:
        os.kill(private.pid, signal.SIGKILL)
        private.process.wait()
        double, triple = grade(tiny, private, "return 2 * x")
        assert double.score == double.max_score and triple.score == triple.max_score
        os.kill(private.pid, 0)
    finally:
        private.close()


def test_bubblewrap_is_used_wherever_it_works(zygote):
    """No silent fallback: where a test sandbox of bwrap starts, the grading zygote runs inside it
    (a mount order once hid a Python installed under /tmp, and every zygote quietly ran without it)."""
    from autograder import isolation

    if not isolation.bubblewrap_binary() or "bubblewrap" in os.environ.get("AUTOGRADER_DISABLE", ""):
        pytest.skip("no working bubblewrap here")
    assert zygote.caps.wrapped and not zygote.problem, zygote.problem


def test_a_one_line_difference_is_shown_for_public_cases(tiny, zygote):
    """A dtype or type difference has no separate detail: its line must still reach the student."""
    double, _ = grade(tiny, zygote, "return (2 * x).astype(np.int64)")
    failure = next(g.failure for g in double.groups if g.name == "examples")
    assert "expected an array of floats (float64), got integers (int64)" in failure.detail


def test_importing_another_of_ones_modules_is_explained(course, oracle, zygote):
    source = "from broadcasting import relu\n\ndef dense_forward(X, W, b):\n    return relu(X @ W + b)\n"
    results = grade_source(course, "products", source, "products.py", "mallory", zygote, oracle)
    for result in results:  # dense_forward, and every exercise the module does not define
        assert result.score == 0
        assert "No module named 'broadcasting'" in result.error and "cannot import your broadcasting.py" in result.error, \
            result.error


LAZY_PARTS = """
import sys
from autograder.sandbox import Task, Zygote
from autograder.wire import encode
source = ("import sys\\ndef loaded():\\n"
          "    return ' '.join(m for m in ('sympy.physics.units', 'numpy.f2py') if m in sys.modules)\\n")
args, _ = encode([], [])
kwargs, _ = encode({}, [])
for first_use in (set(), {"lambdify"}, {"simplify"}):  # one process: each zygote keeps what the last loaded
    zygote = Zygote(bubblewrap=False, spawn=False, warm_lambdify=False, first_use=first_use).start()
    outcome = zygote.run(source, "m.py", "m", [Task("loaded", [(args, kwargs)])], []).tasks[0].calls[0]
    zygote.close()
    print(sorted(first_use), outcome.kind, repr(outcome.value))
"""


def test_a_zygote_loads_the_lazy_parts_of_sympy_its_children_will_use():
    """sympy imports some of its parts on first use (simplify: 0.1 s of sympy.physics.units); a zygote
    told the work needs them loads them once, so that its children do not pay for them again; a
    student's own lambdify gets the parts of numpy its star import loads."""
    import subprocess
    import sys

    lines = subprocess.run([sys.executable, "-c", LAZY_PARTS], capture_output=True, text=True, check=True,
                           timeout=120).stdout.splitlines()
    assert lines == ["[] value ''", "['lambdify'] value 'numpy.f2py'", "['simplify'] value 'sympy.physics.units numpy.f2py'"]


@pytest.mark.parametrize("body, named", [
    ("return np.maximum(x, 0.0)", ["compared with the float 0.0"]),     # floats for ints, right at -inf
    ("return (x + np.abs(x)) / 2", ["(x + |x|) / 2"]),                  # floats for ints, NaN at -inf
])
def test_a_mistake_is_ruled_out_by_a_case_the_student_got_right(course, oracle, zygote, body, named):
    """Both answers return floats for integer input, but only (x + |x|)/2 gives NaN at -inf: a
    student who passes the -inf case is not told about it."""
    source = "import numpy as np\n\n\ndef relu(x):\n    " + body + "\n"
    (result,) = grade_source(course, "broadcasting", source, "broadcasting.py", "sam", zygote, oracle, ["relu"])
    assert 0 < result.score < result.max_score
    assert [m["name"] for m in result.mistakes] == named


@pytest.mark.parametrize("body, named", [
    ("out = np.empty_like(x)\n    for i in np.ndindex(x.shape):\n        out[i] = x[i] + y[i]\n    return out",
     ["copied x and added in place"]),                     # integer output, inputs untouched
    ("for i in np.ndindex(x.shape):\n        x[i] = x[i] + y[i]\n    return x", ["wrote into x"]),
])
def test_a_mistake_that_writes_into_its_input_is_told_only_to_who_does(course, oracle, zygote, body, named):
    source = ("import numpy as np\n\n\ndef naive_add(x, y):\n    if x.shape != y.shape:\n"
              "        raise ValueError('shape')\n    " + body + "\n")
    (result,) = grade_source(course, "broadcasting", source, "broadcasting.py", "sam", zygote, oracle, ["naive_add"])
    assert [m["name"] for m in result.mistakes] == named


COLLECTOR = """
import gc
from autograder.sandbox import Task, Zygote
from autograder.wire import encode
gc.disable()  # as `autograder check` imports
source = "import gc\\ndef collecting():\\n    return gc.isenabled()\\n"
args, _ = encode([], [])
kwargs, _ = encode({}, [])
zygote = Zygote(bubblewrap=False, spawn=False, warm_sympy=False, warm_lambdify=False, first_use=set()).start()
outcome = zygote.run(source, "m.py", "m", [Task("collecting", [(args, kwargs)])], []).tasks[0].calls[0]
zygote.close()
print(outcome.kind, outcome.value, gc.isenabled())
"""


def test_student_code_runs_with_the_garbage_collector_on_whatever_the_grader_imported_with():
    """`autograder` imports with the collector off; a child running student code still collects the
    cycles a loop builds under its memory limit."""
    import subprocess
    import sys

    line = subprocess.run([sys.executable, "-c", COLLECTOR], capture_output=True, text=True, check=True,
                          timeout=120).stdout.strip()
    assert line == "value True False"
