"""Safe serialisation of values between the trusted grader and the sandbox.

Values become a JSON tree plus a list of binary blobs (arrays as `.npy` bytes). Decoding output
that came from student code never unpickles, never `eval`s and never parses sympy text: arrays are
checked header-first (plain numeric dtypes, exact payload size, a size cap) and sympy expressions are
rebuilt node by node from a whitelist, unevaluated, so that decoding itself is cheap and bounded.
Callables and random generators only travel from the grader to the sandbox.
"""
from __future__ import annotations

import base64
import io
import json
import math
import re
import struct
import sys
from typing import Any

import numpy as np

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_STRING = 100_000
MAX_ARRAY_BYTES = 64 * 2**20
MAX_SYMPY_NODES = 20_000
_ARRAY_KINDS = "biufc"
_SYMPY_ASSUMPTIONS = ("real", "positive", "negative", "nonnegative", "nonpositive", "nonzero", "integer", "finite")


class WireError(ValueError):
    """The data cannot be read back safely; the message says why in student terms."""

    messages: list = []  # from unpack_messages: the complete messages before the unreadable one


def lambdify_numpy():
    """The modules lambdify should read for numpy code. Its "numpy" runs `from numpy import *`, which
    loads every lazily imported part of numpy (f2py, testing, ctypeslib, ...: ~0.05 s of a cold
    check, paid in the checker and again in a sandbox child); the module objects give the same
    printer, the same generated code and the same names (tests/test_wire_inputs.py compares them)."""
    return [np, np.linalg]


class Callable_:
    """A callable that can travel to the sandbox: trusted code or a sympy expression of some variables."""

    def __init__(self, code: str | None = None, expr=None, variables: list | None = None):
        self.code, self.expr, self.variables = code, expr, variables

    def build(self):
        if self.code is not None:
            scope = {"np": np, "numpy": np, "math": math}
            if "sympy" in self.code:
                import sympy

                scope["sympy"] = sympy
            return _described(eval(self.code, scope), " ".join(self.code.split()))  # trusted course code
        import sympy

        symbols = [sympy.Symbol(v) if isinstance(v, str) else v for v in self.variables]
        function = sympy.lambdify(symbols if len(symbols) > 1 else symbols[0], self.expr, lambdify_numpy())
        return _described(function, f"lambda {', '.join(map(str, symbols))}: {self.expr}")


def _described(function, text: str):
    """Let messages show a case's function as its code, not as `<function <lambda> at 0x7f...>`."""
    try:
        function.__autograder_text__ = text
    except (AttributeError, TypeError):  # a builtin or a ufunc (np.sin) has its own good name
        pass
    return function


class RngSeed:
    """A numpy Generator that is rebuilt fresh from its seed wherever it is decoded."""

    def __init__(self, seed: int):
        self.seed = int(seed)


# ---------------------------------------------------------------- encoding

def encode(value: Any, blobs: list | None = None) -> tuple[Any, list[bytes]]:
    """(tree, blobs) for a value. With blobs=None arrays are inlined as base64 (for JSON files)."""
    inline = blobs is None
    out_blobs: list[bytes] = [] if blobs is None else blobs
    tree = _encode(value, out_blobs, inline, 0)
    return tree, out_blobs


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _encode(value, blobs, inline, depth):
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > 10**300:
            return {"$": "unsupported", "type": "int", "repr": "an integer with more than 300 digits"}
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else {"$": "float", "v": repr(float(value))}
    if isinstance(value, np.ndarray):
        array = np.asarray(value.view(np.ndarray)) if type(value) is not np.ndarray else value
        if array.dtype.kind not in _ARRAY_KINDS or array.dtype.fields is not None:
            return {"$": "unsupported", "type": f"numpy array of dtype {array.dtype}", "repr": ""}
        if array.nbytes > MAX_ARRAY_BYTES:
            return {"$": "unsupported", "type": "numpy array", "repr": f"{array.nbytes} bytes, over the {MAX_ARRAY_BYTES} byte limit"}
        data = _npy_bytes(array)  # np.save writes C or Fortran order itself; 0-d stays 0-d
        node = {"$": "ndarray"}
        if type(value) is not np.ndarray:
            node["subclass"] = type(value).__name__[:80]
        if inline:
            node["npy"] = base64.b64encode(data).decode("ascii")
        else:
            node["blob"] = len(blobs)
            blobs.append(data)
        return node
    if isinstance(value, np.generic):
        if value.dtype.kind not in _ARRAY_KINDS:
            return {"$": "unsupported", "type": type(value).__name__, "repr": ""}
        if value.dtype.kind == "c":
            return {"$": "npscalar", "dtype": value.dtype.name, "re": _float(value.real), "im": _float(value.imag)}
        item = value.item()
        return {"$": "npscalar", "dtype": value.dtype.name, "v": _float(item) if isinstance(item, float) else item}
    if isinstance(value, complex):
        return {"$": "complex", "re": _float(value.real), "im": _float(value.imag)}
    if isinstance(value, tuple):
        return {"$": "tuple", "items": [_encode(v, blobs, inline, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_encode(v, blobs, inline, depth + 1) for v in value]
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                return {"$": "unsupported", "type": "dict", "repr": f"a dict key of type {type(key).__name__}"}
            items.append([key, _encode(item, blobs, inline, depth + 1)])
        return {"$": "dict", "items": items}
    if isinstance(value, RngSeed):
        return {"$": "rng", "seed": value.seed}
    if isinstance(value, Callable_):
        if value.code is not None:
            return {"$": "callable", "code": value.code}
        return {"$": "callable", "expr": _sympy_tree(value.expr, 0), "vars": [str(v) for v in value.variables]}
    sympy_node = _encode_sympy(value)
    if sympy_node is not None:
        return sympy_node
    return {"$": "unsupported", "type": type(value).__name__[:80], "repr": _safe_repr(value)}


def _float(x):
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def _safe_repr(value) -> str:
    try:
        return repr(value)[:200]
    except Exception:  # a student's __repr__ may raise; we are in the sandbox here
        return "<unprintable>"


def _encode_sympy(value):
    sympy = sys.modules.get("sympy")
    if sympy is None:  # nothing can be a sympy value before sympy is imported
        return None
    if isinstance(value, sympy.MatrixBase):
        rows, cols = value.shape
        return {"$": "matrix", "rows": rows, "cols": cols, "items": [_sympy_tree(v, 0) for v in value]}
    if isinstance(value, sympy.Basic):
        return {"$": "sympy", "tree": _sympy_tree(value, 0)}
    return None


_FUNCTIONS = (
    "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "sinh", "cosh", "tanh",
    "exp", "log", "Abs", "sign", "Max", "Min", "Heaviside", "atan2", "sqrt",
)
_CONSTANTS = ("pi", "E", "I", "oo", "-oo", "zoo", "nan", "true", "false")


def _sympy_tree(expr, depth):
    import sympy

    if depth > MAX_DEPTH * 4:
        raise WireError("the expression is nested too deeply")
    if isinstance(expr, sympy.Symbol):
        assumptions = {k: True for k in _SYMPY_ASSUMPTIONS if expr.assumptions0.get(k) is True}
        return ["Symbol", expr.name, assumptions]
    if isinstance(expr, sympy.Integer):
        return ["Integer", str(int(expr))]
    if isinstance(expr, sympy.Rational):
        return ["Rational", str(expr.p), str(expr.q)]
    if isinstance(expr, sympy.Float):
        return ["Float", str(expr), int(expr._prec)]
    constants = {sympy.pi: "pi", sympy.E: "E", sympy.I: "I", sympy.oo: "oo", -sympy.oo: "-oo",
                 sympy.zoo: "zoo", sympy.nan: "nan", sympy.true: "true", sympy.false: "false"}
    for constant, name in constants.items():
        if expr is constant:
            return [name]
    if isinstance(expr, sympy.Add):
        head = "Add"
    elif isinstance(expr, sympy.Mul):
        head = "Mul"
    elif isinstance(expr, sympy.Pow):
        head = "Pow"
    elif isinstance(expr, sympy.Tuple):
        head = "Tuple"
    else:
        head = type(expr).__name__
        if head not in _FUNCTIONS:
            return ["Unsupported", head[:80], _safe_repr(expr)]
    return [head, *(_sympy_tree(arg, depth + 1) for arg in expr.args)]


# ---------------------------------------------------------------- decoding

def decode(tree: Any, blobs: list[bytes] | None = None, trusted: bool = False) -> Any:
    """Rebuild a value. `trusted=False` (output of student code) refuses callables and generators."""
    counter = [0, [0]]  # nodes of the whole value; sympy nodes of all its expressions together
    if trusted:
        return _decode(tree, blobs or [], trusted, 0, counter)
    try:
        return _decode(tree, blobs or [], trusted, 0, counter)
    except WireError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError, AttributeError, ArithmeticError,
            struct.error) as exc:
        # whatever a hostile tree trips over is a refusal, never a crash of the grader
        raise WireError(f"malformed value ({type(exc).__name__})") from None


class Unsupported:
    """A value the sandbox could not send: its type name and (student-made) repr, shown as text only."""

    def __init__(self, type_name: str, text: str):
        self.type_name, self.text = str(type_name)[:80], str(text)[:200]

    def __repr__(self):
        return f"<{self.type_name} object>"


def _decode(tree, blobs, trusted, depth, counter):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise WireError("the value has too many parts")
    if depth > MAX_DEPTH + 2:
        raise WireError("the value is nested too deeply")
    if tree is None or isinstance(tree, (bool, int, float)):
        return tree
    if isinstance(tree, str):
        if len(tree) > MAX_STRING:
            raise WireError("a string in the value is too long")
        return tree
    if isinstance(tree, list):
        return [_decode(t, blobs, trusted, depth + 1, counter) for t in tree]
    if not isinstance(tree, dict) or not isinstance(tree.get("$"), str):
        raise WireError("malformed value")
    tag = tree["$"]
    if tag == "float":
        return _parse_float(tree.get("v"))
    if tag == "complex":
        return complex(_parse_float(tree.get("re")), _parse_float(tree.get("im")))
    if tag == "tuple":
        return tuple(_decode(t, blobs, trusted, depth + 1, counter) for t in _list(tree.get("items")))
    if tag == "dict":
        out = {}
        for pair in _list(tree.get("items")):
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))):
                raise WireError("malformed dict")
            out[pair[0]] = _decode(pair[1], blobs, trusted, depth + 1, counter)
        return out
    if tag == "ndarray":
        if "npy" in tree:
            data = base64.b64decode(_str(tree["npy"]), validate=True)
        else:
            index = tree.get("blob")
            if not isinstance(index, int) or not 0 <= index < len(blobs):
                raise WireError("malformed array reference")
            data = blobs[index]
        return read_npy(data)
    if tag == "npscalar":
        dtype = _dtype(tree.get("dtype"))
        if dtype.kind == "c":
            return dtype.type(complex(_parse_float(tree.get("re")), _parse_float(tree.get("im"))))
        value = tree.get("v")
        if isinstance(value, str):
            value = _parse_float(value)
        if not isinstance(value, (bool, int, float)):
            raise WireError("malformed numpy scalar")
        try:
            return dtype.type(value)
        except (OverflowError, ValueError) as exc:
            raise WireError(f"malformed numpy scalar: {exc}") from None
    if tag == "sympy":
        return build_sympy(tree.get("tree"), counter[1])
    if tag == "matrix":
        import sympy

        rows, cols = tree.get("rows"), tree.get("cols")
        items = _list(tree.get("items"))
        if not (isinstance(rows, int) and isinstance(cols, int) and 0 <= rows and 0 <= cols and rows * cols == len(items)):
            raise WireError("malformed matrix")
        return sympy.ImmutableMatrix(rows, cols, [build_sympy(t, counter[1]) for t in items])
    if tag == "unsupported":
        return Unsupported(tree.get("type", "?"), tree.get("repr", ""))
    if trusted and tag == "rng":
        return np.random.default_rng(int(tree["seed"]))
    if trusted and tag == "callable":
        if "code" in tree:
            return Callable_(code=tree["code"]).build()
        return Callable_(expr=build_sympy(tree["expr"], counter[1]), variables=tree["vars"]).build()
    raise WireError(f"a value of kind {tag[:40]!r} cannot come back from a submission")


def _list(x):
    if not isinstance(x, list):
        raise WireError("malformed value")
    return x


def _str(x):
    if not isinstance(x, str):
        raise WireError("malformed value")
    return x


def _parse_float(x):
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return float(x)
    if x in ("nan", "inf", "-inf"):
        return float(x)
    raise WireError("malformed number")


def _dtype(name) -> np.dtype:
    if not isinstance(name, str):
        raise WireError("malformed numpy scalar")
    allowed = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
               "float16", "float32", "float64", "longdouble", "complex64", "complex128", "clongdouble"}
    if name not in allowed:
        raise WireError(f"numpy scalars of dtype {str(name)[:40]!r} are not accepted")
    return np.dtype(name)


_NPY_HEADER = re.compile(
    rb"\{'descr': '([<>|=]?[biufc]\d{1,2})', 'fortran_order': (True|False), 'shape': \(((?:\d+, ?)*\d*)\), \}\s*\n")


def read_npy(data: bytes) -> np.ndarray:
    """Read `.npy` bytes without ever unpickling: header checked before any data is touched.

    Only the plain header numpy writes for numeric arrays is accepted (parsed by a regular
    expression, not evaluated): a numeric dtype, C or Fortran order, and a shape of integers.
    """
    if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_ARRAY_BYTES + 4096:
        raise WireError("array too large")
    if data[:6] != b"\x93NUMPY" or len(data) < 10:
        raise WireError("malformed array: not .npy data")
    major = data[6]
    if major == 1:
        (length,), start = struct.unpack_from("<H", data, 8), 10
    elif major in (2, 3):
        if len(data) < 12:
            raise WireError("malformed array: truncated header")
        (length,), start = struct.unpack_from("<I", data, 8), 12
    else:
        raise WireError("malformed array: unknown .npy version")
    if length > 4096:
        raise WireError("malformed array: header too long")
    match = _NPY_HEADER.fullmatch(bytes(data[start:start + length]))
    if not match:
        raise WireError("arrays of this dtype or header are not accepted (plain numeric arrays only)")
    dtype = np.dtype(match.group(1).decode())
    if dtype.kind not in _ARRAY_KINDS or dtype.hasobject:
        raise WireError(f"arrays of dtype {dtype} are not accepted")
    shape = tuple(int(n) for n in match.group(3).split(b",") if n.strip())
    count = math.prod(shape)
    payload = memoryview(data)[start + length:]
    if count * dtype.itemsize != len(payload):
        raise WireError("array payload does not match its header")
    array = np.frombuffer(payload, dtype=dtype, count=count).reshape(shape, order="F" if match.group(2) == b"True" else "C")
    return array.copy()


_FLOAT_TEXT = re.compile(r"[+-]?(?:\d{1,400}(?:\.\d{0,400})?|\.\d{1,400})(?:[eE][+-]?\d{1,6})?")


_SETS = {"FiniteSet", "Interval", "Union", "Intersection", "Complement", "ConditionSet", "ImageSet", "EmptySet",
         "Reals", "Integers", "Naturals", "Naturals0", "Complexes", "ProductSet", "SymmetricDifference"}


def build_sympy(tree, count):
    """Rebuild a sympy expression from a whitelisted JSON tree, unevaluated (cheap and bounded).
    `count` is shared by every expression of one decoded value, so their sizes add up."""
    import sympy

    count[0] += 1
    if count[0] > MAX_SYMPY_NODES:
        raise WireError("the expression is too large")
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], str):
        raise WireError("malformed expression")
    head, args = tree[0], tree[1:]
    if head == "Symbol":
        name = _str(args[0]) if args else ""
        if not 0 < len(name) <= 100:
            raise WireError("malformed symbol")
        assumptions = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        return sympy.Symbol(name, **{k: True for k in _SYMPY_ASSUMPTIONS if assumptions.get(k) is True})
    if head == "Integer":
        digits = _str(args[0]) if args else ""
        if len(digits) > 400 or not digits.lstrip("-").isdigit():
            raise WireError("malformed or too large integer in an expression")
        return sympy.Integer(int(digits))
    if head == "Rational":
        p, q = (_str(a) for a in args[:2])
        if len(p) > 400 or len(q) > 400 or not p.lstrip("-").isdigit() or not q.isdigit() or int(q) == 0:
            raise WireError("malformed rational in an expression")
        return sympy.Rational(int(p), int(q))
    if head == "Float":
        text = _str(args[0]) if args else ""
        if not _FLOAT_TEXT.fullmatch(text):  # a small exponent: parsing 1e999999999 costs the grader a while
            raise WireError("malformed float in an expression")
        precision = args[1] if len(args) > 1 and isinstance(args[1], int) and 1 <= args[1] <= 2000 else 53
        try:
            return sympy.Float(text, precision=precision)
        except (ValueError, TypeError):
            raise WireError("malformed float in an expression") from None
    constants = {"pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo, "-oo": -sympy.oo,
                 "zoo": sympy.zoo, "nan": sympy.nan, "true": sympy.true, "false": sympy.false}
    if head in constants and not args:
        return constants[head]
    if head == "Unsupported":
        what = str(args[0])[:60] if args else "something"
        if what in _SETS:
            raise WireError(f"the answer is (or holds) a sympy set, {what}, where an expression or a list was expected: "
                            "`solveset` returns a set; turn it into what the exercise asks, e.g. `sorted(s, key=...)` "
                            "for a list of its elements")
        if what in ("Equality", "Unequality", "StrictLessThan", "LessThan", "StrictGreaterThan", "GreaterThan"):
            raise WireError(f"the answer is an equation or inequality ({what}), where an expression was expected: "
                            "return the expression itself (for `Eq(y, e)`, return `e`)")
        raise WireError(f"the answer uses {what}, which the grader does not accept in an expression")
    children = [build_sympy(a, count) for a in args]
    if head == "Add":
        return sympy.Add(*children, evaluate=False)
    if head == "Mul":
        return sympy.Mul(*children, evaluate=False)
    if head == "Pow" and len(children) == 2:
        return sympy.Pow(*children, evaluate=False)
    if head == "Tuple":
        return sympy.Tuple(*children)
    if head in _FUNCTIONS and head != "sqrt":
        function = getattr(sympy, head)
        try:
            return function(*children, evaluate=False)
        except (TypeError, ValueError):
            raise WireError(f"malformed {head} in an expression") from None
    raise WireError(f"the grader does not accept {head[:40]!r} in an expression")


# ---------------------------------------------------------------- framing over pipes

def pack_message(header: dict, blobs: list[bytes]) -> bytes:
    """One message: header length, JSON header (with the blob count), then each blob with its length."""
    body = json.dumps(dict(header, blobs=len(blobs)), separators=(",", ":")).encode()
    parts = [struct.pack("<I", len(body)), body]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    return b"".join(parts)


class MessageReader:
    """Incremental reader of packed messages from a stream that may stop anywhere."""

    def __init__(self):
        self.buffer = bytearray()
        self.error: WireError | None = None  # set when the stream turned unreadable

    def feed(self, data: bytes) -> list[tuple[dict, list[bytes]]]:
        """The complete messages so far. Those before a malformed one are still returned, and
        `error` says what broke (everything after it is dropped)."""
        if self.error is not None:
            return []
        self.buffer += data
        try:
            messages, consumed = unpack_messages(self.buffer)
        except WireError as exc:
            self.error, self.buffer = exc, bytearray()
            return exc.messages
        del self.buffer[:consumed]
        return messages


def unpack_messages(data, max_header: int = 16 * 2**20) -> tuple[list[tuple[dict, list[bytes]]], int]:
    """Split bytes into complete messages; returns them and how many bytes they used. A malformed
    message raises WireError, which carries the messages before it."""
    messages = []
    try:
        return _unpack(data, max_header, messages)
    except WireError as exc:
        exc.messages = messages
        raise


def _unpack(data, max_header: int, messages: list) -> tuple[list, int]:
    pos = 0
    while pos + 4 <= len(data):
        (size,) = struct.unpack_from("<I", data, pos)
        if size > max_header:
            raise WireError("a message header is too large")
        if pos + 4 + size > len(data):
            break
        try:
            header = json.loads(data[pos + 4:pos + 4 + size])
        except (ValueError, RecursionError):
            raise WireError("a message header is not valid JSON") from None
        if not isinstance(header, dict) or not isinstance(header.get("blobs"), int):
            raise WireError("malformed message header")
        cursor, blobs, complete = pos + 4 + size, [], True
        for _ in range(header["blobs"]):
            if cursor + 8 > len(data):
                complete = False
                break
            (length,) = struct.unpack_from("<Q", data, cursor)
            if cursor + 8 + length > len(data):
                complete = False
                break
            blobs.append(bytes(data[cursor + 8:cursor + 8 + length]))
            cursor += 8 + length
        if not complete:
            break
        messages.append((header, blobs))
        pos = cursor
    return messages, pos
