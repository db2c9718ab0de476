"""Property-based fuzzing: no input crashes the loader, the submission readers or the wire decoder;
every failure is a clear, expected error."""
import json
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autograder.spec import Exercise, SpecError, _validate_file
from autograder.submissions import read_text
from autograder.wire import WireError, decode, read_npy

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

yaml_ish = st.text(alphabet=string.printable, max_size=400)
keys = st.sampled_from(["id", "title", "points", "function", "prompt", "checks", "hints", "mistakes", "forbid",
                        "tolerance", "cases", "args", "count", "raises", "gradient", "name", "visibility", "zzz"])
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
                           max_leaves=30)


@FUZZ
@given(text=yaml_ish)
def test_any_text_as_an_exercise_file_loads_or_is_a_spec_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "x.yml"
    path.write_text(text)
    try:
        _validate_file(path, Exercise, {"assignment": "a", "path": str(path)})
    except SpecError as exc:
        assert exc.problems and all(p.startswith(str(path) + ":") for p in exc.problems)


@FUZZ
@given(data=st.dictionaries(keys, json_values, max_size=8))
def test_any_structure_as_an_exercise_loads_or_is_a_spec_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "x.yml"
    path.write_text(json.dumps(data))  # JSON is YAML
    try:
        _validate_file(path, Exercise, {"assignment": "a", "path": str(path)})
    except SpecError as exc:
        assert all(":" in p for p in exc.problems)


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".py", ".ipynb"]))
def test_any_bytes_as_a_submission_are_read_or_refused(data, suffix):
    source, problem = read_text(data, "work" + suffix)
    assert isinstance(source, str) and (problem is None or isinstance(problem, str))


@FUZZ
@given(cells=st.lists(st.tuples(st.sampled_from(["code", "markdown", "raw"]), st.text(max_size=200), json_values), max_size=6))
def test_any_notebook_structure_is_read_or_refused(cells):
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": kind, "source": source, "metadata": {"nbgrader": meta} if isinstance(meta, dict) else {},
                           **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                          for kind, source, meta in cells]}
    source, problem = read_text(json.dumps(notebook).encode(), "work.ipynb")
    assert problem is None or "not a readable notebook" in problem
    if problem is None:
        assert isinstance(source, str)


@FUZZ
@given(tree=json_values)
def test_any_tree_from_a_child_decodes_or_is_a_wire_error(tree):
    try:
        decode(tree, [], trusted=False)
    except WireError:
        pass


@FUZZ
@given(tag=st.sampled_from(["ndarray", "npscalar", "sympy", "matrix", "tuple", "dict", "float", "callable", "rng"]),
       body=st.dictionaries(st.sampled_from(["blob", "npy", "dtype", "v", "tree", "rows", "cols", "items", "re", "im"]),
                            json_values, max_size=4))
def test_tagged_trees_decode_or_are_wire_errors(tag, body):
    try:
        decode(dict(body, **{"$": tag}), [b"\x93NUMPY junk"], trusted=False)
    except WireError:
        pass


@FUZZ
@given(data=st.binary(max_size=300))
@example(data=b"\x02\x00\x00\x00")  # a version-2 header cut short once crashed the grader (struct.error)
def test_any_bytes_as_npy_are_an_array_or_a_wire_error(data):
    try:
        read_npy(b"\x93NUMPY" + data)
    except WireError:
        pass
