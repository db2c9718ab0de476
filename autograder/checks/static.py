"""static: forbidden names, attributes, operators and loops, found on the AST of the submission.

Rules apply to the exercise's function and to every module-level helper it calls. Imports are
resolved, so `np.linalg.inv`, `from numpy.linalg import inv` and `import numpy.linalg as la` are
all `numpy.linalg`.
"""
from __future__ import annotations

import ast
import functools

_OPERATORS = {"@": ast.MatMult, "*": ast.Mult, "**": ast.Pow, "+": ast.Add, "-": ast.Sub, "/": ast.Div,
              "//": ast.FloorDiv, "%": ast.Mod}
_LOOPS = {ast.For: "a for loop", ast.AsyncFor: "a for loop", ast.While: "a while loop",
          ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
          ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression"}


# the only node types any rule can match (most of a tree is constants, contexts and arguments)
_CAN_BREAK = (ast.BinOp, ast.AugAssign, ast.Attribute, ast.Name, ast.Import, ast.ImportFrom, ast.Call, *_LOOPS)


def _aliases(tree: ast.AST) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    names[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST, aliases: dict[str, str]) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(aliases.get(node.id, node.id))
        return ".".join(reversed(parts))
    return None


def _bindings(tree: ast.Module) -> dict[str, ast.AST]:
    """Each module-level name's last binding: a def, or an assignment (`f = helper`, `f = lambda ...`,
    `f = functools.partial(helper, ...)`), as at run time."""
    top: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            top[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    top[target.id] = node
    return top


def _local_names(function: ast.AST) -> set[str]:
    """Names a function binds itself (parameters, assignments): in its body they are not the module's."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return set()
    arguments = function.args
    names = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
    names.update(a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None)
    declared_global: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not function:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared_global.update(node.names)
    return names - declared_global


def _functions_reached(tree: ast.Module, name: str) -> list[ast.AST]:
    """The exercise's function and every module-level function or binding it refers to, transitively."""
    top = _bindings(tree)
    start = top.get(name)
    if start is None:
        return []
    seen, queue = {name}, [start]
    reached = []
    while queue:
        node = queue.pop()
        reached.append(node)
        local = _local_names(node)
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load) and inner.id in top
                    and inner.id not in seen and inner.id not in local):
                seen.add(inner.id)
                queue.append(top[inner.id])
    return reached


def names_used(source: str, functions: list[str]) -> set[str] | None:
    """Every identifier and attribute name that running these functions can touch: their bodies, the
    module-level functions and bindings they reach, and the module's top-level statements (run on
    import). None when the source does not parse."""
    tree, _ = _parsed(source)
    if tree is None:
        return None
    nodes = [node for node in tree.body if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for function in functions:
        nodes += _functions_reached(tree, function)
    names = set()
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                names.add(inner.id)
            elif isinstance(inner, ast.Attribute):
                names.add(inner.attr)
            elif isinstance(inner, ast.alias):
                names.update(inner.name.split("."))
    return names


@functools.lru_cache(maxsize=4)
def _parsed(source: str):
    """(tree, aliases) of a module, parsed once for all the exercises of a submission."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, {}
    return tree, _aliases(tree)


def violations(source: str, function: str, rules: list[str]) -> list[str]:
    """Messages like 'line 4: `np.linalg.inv` uses numpy.linalg, which this exercise forbids'."""
    if not rules:
        return []
    tree, aliases = _parsed(source)
    if tree is None:
        return []  # reported as a syntax error elsewhere
    found: list[tuple[int, str]] = []
    # a function the student wrote, at module level or nested, and named `diff` or `dot` is not
    # sympy's or numpy's (its body is checked itself)
    own = {name for name in _own_functions(tree) if name not in aliases}
    names = [r for r in rules if r != "loops" and r not in _OPERATORS]
    reported: list[tuple[int, str, int, int]] = []
    for root in _functions_reached(tree, function):
        for node in ast.walk(root):
            if not isinstance(node, _CAN_BREAK):
                continue
            line = getattr(node, "lineno", 0)
            for rule in rules:
                message = _breaks(node, rule, aliases, own)
                if message and not _inside_reported(node, rule, reported):  # `np.linalg.inv`, not again `np.linalg`
                    reported.append((line, rule, getattr(node, "col_offset", 0), getattr(node, "end_col_offset", 0)))
                    found.append((line, f"line {line}: {message}, which this exercise forbids ({rule!r})"))
            computed = _computed_name(node, aliases) if names else None
            if computed:
                found.append((line, f"line {line}: `{_source_text(node)}` {computed}, which this exercise does not "
                                    f"allow: it forbids {', '.join(map(repr, names))}, so every name the code uses "
                                    "must be written out"))
    return [m for _, m in sorted(set(found))]


def _inside_reported(node: ast.AST, rule: str, reported: list) -> bool:
    """Part of an expression already reported for the same rule (the walk meets outer nodes first)."""
    line, start, end = getattr(node, "lineno", 0), getattr(node, "col_offset", 0), getattr(node, "end_col_offset", 0)
    return any(l == line and r == rule and s <= start and end <= e for l, r, s, e in reported)


# calls that reach a function or module by a name built at run time (what a static rule cannot see)
_BY_NAME = {"getattr": 1, "builtins.getattr": 1, "operator.attrgetter": 0, "operator.methodcaller": 0,
            "importlib.import_module": 0, "__import__": 0, "builtins.__import__": 0}
_RUNS_TEXT = {"eval", "exec", "compile", "builtins.eval", "builtins.exec", "builtins.compile"}
_NAMESPACES = {"vars", "globals", "locals", "builtins.vars", "builtins.globals"}


def _computed_name(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr in ("__getattribute__", "__dict__", "__builtins__", "__globals__"):
        return f"reaches names through {node.attr}"
    if not isinstance(node, ast.Call):
        return None
    called = _dotted(node.func, aliases)
    if called in _RUNS_TEXT:
        return "runs code given as text"
    if called in _NAMESPACES:
        return "looks names up in a namespace"
    position = _BY_NAME.get(called or "")
    if position is not None:
        name = node.args[position] if len(node.args) > position else None
        if name is None or not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return "looks up a name computed at run time"
    return None


def _own_functions(tree: ast.AST) -> set[str]:
    """Names the module binds to functions it writes itself: defs anywhere, and `name = lambda ...`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _breaks(node: ast.AST, rule: str, aliases: dict[str, str], own: set[str] = frozenset()) -> str | None:
    if rule == "loops":
        for kind, text in _LOOPS.items():
            if isinstance(node, kind):
                return f"uses {text}"
        return None
    if rule in _OPERATORS:
        op = _OPERATORS[rule]
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, op):
            return f"uses the operator {rule}"
        return None
    if "." in rule:
        name = None
        if isinstance(node, (ast.Attribute, ast.Name)):
            name = _dotted(node, aliases)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            name = next((n for n in names if n == rule or n.startswith(rule + ".")), None)
        elif isinstance(node, ast.Import):
            name = next((a.name for a in node.names if a.name == rule or a.name.startswith(rule + ".")), None)
        if name and (name == rule or name.startswith(rule + ".")):
            return f"`{_source_text(node)}` uses {rule}"
        return None
    # a bare name: a builtin or function call, an attribute or method, or an imported name
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == rule and rule not in own:
        return f"calls `{rule}`"
    if isinstance(node, ast.Name) and node.id in aliases and aliases[node.id].split(".")[-1] == rule:
        return f"`{node.id}` is {aliases[node.id]}"
    if isinstance(node, ast.Attribute) and node.attr == rule:
        return f"`{_source_text(node)}` uses {rule}"
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "__import__")
            and any(isinstance(a, ast.Constant) and a.value == rule for a in node.args)):
        return f"`{_source_text(node)}` reaches {rule}"
    return None


def _source_text(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # noqa: BLE001
        return "?"
    return text if len(text) <= 60 else text[:57] + "..."


def missing_requirements(source: str, function: str, rules: list[str]) -> list[str]:
    """`require: [loops]`: the function (or a helper it calls) must contain an explicit loop."""
    if "loops" not in rules:
        return []
    tree, _ = _parsed(source)
    if tree is None:
        return []
    for root in _functions_reached(tree, function):
        if any(isinstance(node, tuple(_LOOPS)) for node in ast.walk(root)):
            return []
    return ["this exercise asks for explicit loops (for or while), and your function has none"]
