"""Static detection of a graded function that uses a reference implementation.

The grader parses the submission (it never imports it) and follows each graded function and the
helpers it calls. A name that resolves to a forbidden origin is reported:

* a :mod:`ce_course` function the question does not allow (``from ce_course import softmax``,
  ``ce_course.losses.cross_entropy(...)``, an alias ``sm = ce_course.softmax``), or any private
  ``ce_course`` helper;
* a SciPy function doing a forbidden reference's job (``scipy.special.logsumexp`` ...);
* anything from PyTorch, JAX, TensorFlow, autograd or scikit-learn;
* ``__import__``/``importlib.import_module`` (a dynamic import hides what is used) and
  ``sys.setprofile``/``sys.settrace`` (tampering with the run-time check).

:func:`live_reference_uses` does the same for a function object in the learner's own session
(``check()``), where the names can be looked up in the function's globals.
"""

from __future__ import annotations

import ast
import builtins
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .guard import ALWAYS_FORBIDDEN_PACKAGES, EXTERNAL_EQUIVALENTS

__all__ = [
    "Finding",
    "example_loops",
    "forbidden_origin",
    "live_example_loops",
    "live_reference_uses",
    "reference_uses",
]

_TAMPER = {
    "sys.setprofile",
    "sys.settrace",
    "threading.setprofile",
    "threading.settrace",
    "builtins.__import__",
    "importlib.import_module",
    "importlib.__import__",
}


@dataclass(frozen=True)
class Finding:
    """A forbidden use found in the source.

    Attributes
    ----------
    origin : str
        What is used, fully qualified (``"ce_course.softmax"``, ``"torch.softmax"``).
    chunk : str
        Where (``"code cell 3"``).
    line : int
        Line number within the chunk.
    """

    origin: str
    chunk: str
    line: int

    def describe(self) -> str:
        """``"ce_course.softmax (line 4 of code cell 3)"``."""
        return f"{self.origin} (line {self.line} of {self.chunk})"


def forbidden_origin(origin: str, forbidden: frozenset[str]) -> bool:
    """Whether using ``origin`` (a dotted name) is forbidden under the ``forbidden`` names.

    Examples
    --------
    >>> forbidden_origin("ce_course.softmax", frozenset({"softmax"}))
    True
    >>> forbidden_origin("ce_course.losses.one_hot", frozenset({"softmax"}))
    False
    >>> forbidden_origin("scipy.special.logsumexp", frozenset({"logsumexp"}))
    True
    >>> forbidden_origin("torch.nn.functional.softmax", frozenset())
    True
    """
    parts = origin.split(".")
    if parts[0] in ALWAYS_FORBIDDEN_PACKAGES:
        return True
    if origin in _TAMPER:
        return True
    if parts[0] == "ce_course":
        if len(parts) >= 2 and parts[1] == "grading":
            return False
        for part in parts[1:]:
            private = part.startswith("_") and not part.startswith("__")
            if part in forbidden or (private and part != "_validation"):
                return True
        return False
    equivalent = EXTERNAL_EQUIVALENTS.get(origin)
    return equivalent is not None and equivalent in forbidden


class _Bindings:
    """Module-level names and where they come from, in execution order."""

    def __init__(self) -> None:
        self.origin: dict[str, str | None] = {}
        self.defs: dict[str, tuple[ast.AST, str]] = {}
        self.star: list[str] = []

    def bind_import(self, node: ast.Import | ast.ImportFrom, into: dict[str, str | None]) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    into[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    into[top] = top
        else:
            module = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    self.star.append(module)
                    continue
                into[alias.asname or alias.name] = f"{module}.{alias.name}"

    def resolve(self, expr: ast.AST, local: dict[str, str | None]) -> str | None:
        """Dotted origin of a ``Name`` or ``Attribute`` chain, if it starts at an import."""
        attrs: list[str] = []
        while isinstance(expr, ast.Attribute):
            attrs.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        base = local.get(expr.id) if expr.id in local else self.origin.get(expr.id)
        if base is None and expr.id not in local and expr.id not in self.origin:
            if expr.id == "__import__":
                base = "builtins.__import__"
            elif not hasattr(builtins, expr.id):
                for module in self.star:
                    if module.split(".")[0] in ("ce_course", "scipy", *ALWAYS_FORBIDDEN_PACKAGES):
                        base = f"{module}.{expr.id}"
                        break
        if base is None:
            return None
        return ".".join([base, *reversed(attrs)])


def _top_level(tree: ast.Module) -> Iterable[ast.stmt]:
    """Statements that run at module level (inside if/try/with/for too, not in defs)."""
    stack = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        children = []
        for name in ("body", "orelse", "finalbody", "handlers"):
            children.extend(getattr(node, name, []) or [])
        stack.extend(reversed([c for c in children if isinstance(c, ast.AST)]))


def _collect(chunks: Sequence[tuple[str, str]]) -> _Bindings:
    b = _Bindings()
    for label, source in chunks:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in _top_level(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                b.bind_import(node, b.origin)
                for alias in node.names:
                    b.defs.pop(alias.asname or alias.name.split(".")[0], None)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                b.defs[node.name] = (node, label)
                b.origin.pop(node.name, None)
            elif isinstance(node, ast.Assign):
                value = b.resolve(node.value, {})
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        b.origin[target.id] = value
                        if value is None:
                            b.origin.pop(target.id, None)
                        b.defs.pop(target.id, None)
    return b


def _locals(fn: ast.AST) -> set[str]:
    names: set[str] = set()
    if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = fn.args
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
            if arg is not None:
                names.add(arg.arg)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def reference_uses(
    chunks: Sequence[tuple[str, str]], function: str, forbidden: frozenset[str]
) -> list[Finding]:
    """Forbidden uses reachable from the graded function ``function``.

    Parameters
    ----------
    chunks : sequence of (label, source)
        The submission's code, in execution order.
    function : str
        The graded function's name.
    forbidden : frozenset of str
        :mod:`ce_course` names the question forbids.

    Returns
    -------
    list of Finding
        Empty when nothing forbidden is used (or the function is not defined).

    Examples
    --------
    >>> src = "import ce_course as cc\\ndef softmax(x):\\n    return cc.softmax(x)\\n"
    >>> [f.describe() for f in reference_uses([("cell 1", src)], "softmax", frozenset({"softmax"}))]
    ['ce_course.softmax (line 3 of cell 1)']
    """
    b = _collect(chunks)
    if function not in b.defs:
        return []
    findings: list[Finding] = []
    seen: set[str] = set()
    queue = [function]
    while queue:
        name = queue.pop()
        if name in seen or name not in b.defs:
            continue
        seen.add(name)
        node, label = b.defs[name]
        local_imports: dict[str, str | None] = {}
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                b.bind_import(sub, local_imports)
        local_names = _locals(node) - set(local_imports)
        local = {**{n: None for n in local_names}, **local_imports}
        inner = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Attribute)}
        for sub in ast.walk(node):
            if id(sub) in inner:
                continue  # part of a longer attribute chain, checked as a whole
            origin = None
            if isinstance(sub, ast.Attribute):
                origin = b.resolve(sub, local)
            elif isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                if sub.id in b.defs and sub.id not in local:
                    queue.append(sub.id)
                    continue
                origin = b.resolve(sub, local)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                for alias in sub.names:
                    mod = alias.name if isinstance(sub, ast.Import) else f"{sub.module}"
                    if mod and mod.split(".")[0] in ALWAYS_FORBIDDEN_PACKAGES:
                        origin = mod
            if origin and forbidden_origin(origin, forbidden):
                top = origin.split(".")[0]
                if top in ALWAYS_FORBIDDEN_PACKAGES:
                    origin = top
                finding = Finding(origin, label, getattr(sub, "lineno", node.lineno))
                if finding.origin not in {f.origin for f in findings}:
                    findings.append(finding)
    return findings


def _object_origin(obj: Any) -> str | None:
    """Dotted origin of a live object (module, function, class), normalised for SciPy."""
    if isinstance(obj, types.ModuleType):
        return getattr(obj, "__name__", None)
    module = getattr(obj, "__module__", None)
    if module is None and isinstance(getattr(obj, "__self__", None), types.ModuleType):
        module = obj.__self__.__name__
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not isinstance(module, str) or not isinstance(name, str):
        return None
    if module.startswith(("scipy.special", "scipy.optimize")):
        return f"{'.'.join(module.split('.')[:2])}.{name}"
    return f"{module}.{name}"


def _is_learner_function(obj: Any) -> bool:
    if not isinstance(obj, (types.FunctionType, type)):
        return False
    top = (getattr(obj, "__module__", None) or "").split(".")[0]
    return top not in ("ce_course", "scipy", "numpy", *ALWAYS_FORBIDDEN_PACKAGES)


def live_reference_uses(fn: Any, forbidden: frozenset[str]) -> list[str]:
    """Forbidden objects that a live function (and the functions it calls) uses.

    Used by ``check()`` in the learner's session: the function's source (as IPython keeps it) is
    parsed, and each name is looked up in the function's globals, so aliases and imports made in
    other cells are resolved. Without a source, only the global objects the code names directly
    are checked.

    Examples
    --------
    >>> import ce_course
    >>> def softmax(x):
    ...     return ce_course.softmax(x)
    >>> live_reference_uses(softmax, frozenset({"softmax"}))
    ['ce_course.softmax']
    """
    import inspect
    import textwrap

    found: list[str] = []
    seen: set[int] = set()
    stack = [fn]

    def report(origin: str | None) -> None:
        if origin and forbidden_origin(origin, forbidden) and origin not in found:
            found.append(origin)

    while stack:
        f = stack.pop()
        if isinstance(f, type):
            stack.extend(v for v in vars(f).values() if isinstance(v, types.FunctionType))
            continue
        code = getattr(f, "__code__", None)
        if code is None or id(code) in seen:
            continue
        seen.add(id(code))
        g = getattr(f, "__globals__", {})

        free: dict[str, Any] = {}
        for var, cell in zip(code.co_freevars, getattr(f, "__closure__", None) or (), strict=False):
            try:
                free[var] = cell.cell_contents
            except ValueError:  # an empty cell
                continue

        def lookup(name: str, g: dict = g, free: dict = free) -> Any:
            if name in free:
                return free[name]
            return g[name] if name in g else getattr(builtins, name, None)

        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(f)))
        except (OSError, TypeError, SyntaxError, ValueError, RecursionError):
            tree = None
        if tree is None:
            codes, names = [code], set()
            while codes:
                c = codes.pop()
                names.update(c.co_names)
                codes.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
            for name in sorted(names | set(free)):
                obj = free.get(name, g.get(name))
                if obj is not None and _is_learner_function(obj):
                    stack.append(obj)
                elif obj is not None and not isinstance(obj, types.ModuleType):
                    report(_object_origin(obj))
            continue
        local = _locals(tree.body[0]) if tree.body else set()
        inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        for node in ast.walk(tree):
            if id(node) in inner:
                continue
            attrs: list[str] = []
            expr = node
            if isinstance(node, ast.Attribute):
                while isinstance(expr, ast.Attribute):
                    attrs.append(expr.attr)
                    expr = expr.value
            if not isinstance(expr, ast.Name) or expr.id in local:
                continue
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                continue
            obj = lookup(expr.id)
            if obj is None:
                continue
            if not attrs and _is_learner_function(obj):
                stack.append(obj)
                continue
            base = _object_origin(obj)
            if expr.id == "__import__":
                base = "builtins.__import__"
            if base:
                report(".".join([base, *reversed(attrs)]))
    return found


_BATCH_LEN_NAMES = frozenset({"num_train", "num_examples", "n_examples", "batch_size"})


def _sized(expr: ast.AST, arrays: set[str], sized: set[str], axis: int) -> bool:
    """Whether ``expr`` mentions the length of axis ``axis`` of one of ``arrays``."""
    for sub in ast.walk(expr):
        if isinstance(sub, ast.Name) and sub.id in sized:
            return True
        if (
            isinstance(sub, ast.Subscript)
            and isinstance(sub.value, ast.Attribute)
            and sub.value.attr == "shape"
            and isinstance(sub.value.value, ast.Name)
            and sub.value.value.id in arrays
            and isinstance(sub.slice, ast.Constant)
            and sub.slice.value in (axis, axis - 2 if axis else 0)
        ):
            return True
        if (
            axis == 0
            and isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Name)
            and sub.func.id == "len"
            and sub.args
            and isinstance(sub.args[0], ast.Name)
            and sub.args[0].id in arrays
        ):
            return True
    return False


def _rooted_in(expr: ast.AST, arrays: set[str]) -> bool:
    """``x.reshape(...)``, ``np.asarray(x)``, ``x.astype(...)``, ``x[...]``: built from ``x``."""
    while True:
        if isinstance(expr, ast.Name):
            return expr.id in arrays
        if isinstance(expr, ast.Attribute):
            expr = expr.value
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        elif isinstance(expr, ast.Call):
            if isinstance(expr.func, ast.Attribute) and isinstance(expr.func.value, ast.Name):
                if expr.func.value.id in ("np", "numpy") and expr.args:
                    expr = expr.args[0]
                    continue
            expr = expr.func
        else:
            return False


def _loops_in(fn: ast.AST, batch: set[str], classes: dict[str, int]) -> list[tuple[str, int, str]]:
    """``(what, line, source-ish)`` for each loop over examples (or classes) in ``fn``."""
    sized_n: set[str] = set(_BATCH_LEN_NAMES)
    sized_c: set[str] = {"num_classes", "n_classes"}
    batch = set(batch)
    for node in ast.walk(fn):  # x = np.asarray(x), rows = x.reshape(-1, C): still the batch
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _rooted_in(node.value, batch):
                batch.add(target.id)
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Name):
                if _sized(value, batch, sized_n, 0):
                    sized_n.add(target.id)
                elif any(_sized(value, {a}, sized_c, ax) for a, ax in classes.items()):
                    sized_c.add(target.id)
            elif isinstance(target, ast.Tuple) and isinstance(value, ast.Attribute):
                if value.attr == "shape" and isinstance(value.value, ast.Name):
                    names = [t.id if isinstance(t, ast.Name) else None for t in target.elts]
                    if value.value.id in batch and names and names[0]:
                        sized_n.add(names[0])
                    ax = classes.get(value.value.id)
                    if ax is not None and len(names) > ax and names[ax]:
                        sized_c.add(names[ax])
    found = []
    for node in ast.walk(fn):
        if isinstance(node, (ast.For, ast.comprehension)):
            it = node.iter
            what = None
            if isinstance(it, ast.Call) and isinstance(it.func, ast.Name):
                if it.func.id in ("range", "xrange") and it.args:
                    bound = it.args[1] if len(it.args) > 1 else it.args[0]
                    if _sized(bound, batch, sized_n, 0):
                        what = "examples"
                    elif any(_sized(bound, {a}, sized_c, ax) for a, ax in classes.items()):
                        what = "classes"
                elif it.func.id in ("enumerate", "zip") and any(
                    isinstance(a, ast.Name) and a.id in batch for a in it.args
                ):
                    what = "examples"
            elif isinstance(it, ast.Name) and it.id in batch:
                what = "examples"
            if what:
                line = getattr(node, "lineno", getattr(it, "lineno", 0))
                found.append((what, line, ast.unparse(it)[:60]))
        elif isinstance(node, ast.While):
            test = node.test
            if _sized(test, batch, sized_n, 0):
                found.append(("examples", node.lineno, ast.unparse(test)[:60]))
    return found


def _loop_message(what: str, line: int, where: str, it: str) -> str:
    return (
        f"loops over the {what} (line {line}{where}: over {it}); the contract asks for "
        "vectorized code: one NumPy expression for the whole batch (X @ W, "
        "p[np.arange(N), y], sums with axis=)"
    )


def example_loops(
    chunks: Sequence[tuple[str, str]],
    function: str,
    batch: Sequence[str],
    classes: dict[str, int] | None = None,
) -> list[str]:
    """Loops over the examples (or classes) in ``function`` and the helpers it calls.

    Parameters
    ----------
    chunks : sequence of (label, source)
    function : str
    batch : sequence of str
        Names of the arguments whose first axis is the batch (``("X", "y")``).
    classes : dict, optional
        Argument name to its class axis (``{"W": 1}``): loops over it are reported too.

    Returns
    -------
    list of str
        One message per loop found, naming its line.

    Examples
    --------
    >>> src = "def f(W, X, y):\\n    for i in range(X.shape[0]):\\n        pass\\n"
    >>> example_loops([("cell 1", src)], "f", ("X", "y"))[0][:44]
    'loops over the examples (line 2 of cell 1: o'
    """
    b = _collect(chunks)
    out: list[str] = []
    seen: set[str] = set()
    queue = [function]
    while queue:
        name = queue.pop()
        if name in seen or name not in b.defs:
            continue
        seen.add(name)
        node, label = b.defs[name]
        args = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = {a.arg for a in (*node.args.posonlyargs, *node.args.args)}
        names = set(batch) if name == function else (args & set(batch)) | {"X", "x", "y"}
        for what, line, it in _loops_in(node, names, dict(classes or {})):
            out.append(_loop_message(what, line, f" of {label}", it))
        local = _locals(node)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                if sub.id in b.defs and sub.id not in local:
                    queue.append(sub.id)
    return out


def live_example_loops(fn: Any, batch: Sequence[str], classes: dict[str, int] | None) -> list[str]:
    """:func:`example_loops` for a function object of the learner's session (``check()``)."""
    import inspect
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, ValueError):
        return []
    node = next((n for n in tree.body if isinstance(n, ast.FunctionDef)), None)
    if node is None:
        return []
    first = getattr(getattr(fn, "__code__", None), "co_firstlineno", 1)
    out = []
    for what, line, it in _loops_in(node, set(batch), dict(classes or {})):
        out.append(
            _loop_message(what, line, f" of {fn.__name__}, file line {first + line - 1}", it)
        )
    return out
