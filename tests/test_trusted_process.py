"""The trusted process never unpickles, evals, execs or sympifies anything a submission produced.

Every place in the package that evaluates code or parses sympy text is listed here with why its input
is trusted; a new one fails this test until it is reviewed and listed.
"""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"

# (file, enclosing function): why the evaluated text is trusted
ALLOWED = {
    ("inputs.py", "convert_literal"): "sympify of course YAML literals",
    ("inputs.py", "gen_sympy"): "sympify of course YAML text",
    ("inputs.py", "gen_python"): "eval of the course's `python:` generator",
    ("inputs.py", "gen_callable"): "sympify of a course callable's expression text",
    ("inputs.py", "_compiled"): "compile of the course's `python:` generator",
    ("wire.py", "build"): "eval of a course callable, in the grader or (for the student's call) in the sandbox",
    ("checks/gradient.py", "build_forward"): "the course's gradient forward",
    ("checks/gradient.py", "<lambda>"): "the course's gradient forward expression",
    ("checks/gradient.py", "_forward_code"): "compile of the course's gradient forward",
    ("checks/property.py", "evaluate"): "the course's property expression",
    ("checks/property.py", "_compiled"): "compile of the course's property expression",
    ("grade.py", "namespace"): "exec of solutions/<assignment>.py",
    ("grade.py", "mistake_function"): "exec of a mistake's code from the course YAML",
    ("validate.py", "_sympify_all"): "sympify of a pinned `expect:` from the course YAML",
    ("sandbox.py", "_run_tasks"): "exec of the student's module — inside the sandbox child only",
}
DANGEROUS_NAMES = {"eval", "exec", "sympify", "literal_eval", "compile", "parse_expr"}
DANGEROUS_MODULES = ("pickle", "marshal", "shelve", "dill", "cloudpickle")


def _calls(tree):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else None
            scope = parents.get(node)
            while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.Lambda)):
                scope = parents.get(scope)
            where = getattr(scope, "name", "<lambda>") if scope is not None else "<module>"
            yield node, name, owner, where


def test_no_unreviewed_evaluation_of_text_or_pickles():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(PACKAGE))
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
                assert not any(n.split(".")[0] in DANGEROUS_MODULES for n in names), f"{relative}:{node.lineno} imports a pickle-like module"
        for node, name, owner, where in _calls(tree):
            if owner == "re":
                continue  # regular expressions
            if name in DANGEROUS_NAMES and (relative, where) not in ALLOWED:
                found.append(f"{relative}:{node.lineno} {name}() in {where}")
            if name == "load" and owner in ("np", "numpy"):
                found.append(f"{relative}:{node.lineno} numpy.load (use wire.read_npy)")
    assert found == [], "evaluation of text outside the reviewed places:\n" + "\n".join(found)


def test_child_output_decoding_refuses_code():
    from autograder.wire import WireError, decode

    for tree in ({"$": "callable", "code": "0"}, {"$": "rng", "seed": 1},
                 {"$": "sympy", "tree": ["Function", ["Symbol", "x", {}]]}):
        try:
            decode(tree, trusted=False)
        except WireError:
            continue
        raise AssertionError(f"decoded {tree} from untrusted output")
