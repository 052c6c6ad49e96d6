"""A small, closed grammar for the learner's derivation answers, and its parser.

Nothing here evaluates the learner's text as Python: a hand-written tokenizer and a
recursive-descent parser turn the string into a tree of plain tuples (see :data:`Node`), and only
names declared by the question (a :class:`Vocabulary`) are accepted. The tree is then evaluated at
numeric points (:mod:`.evaluate`) or converted to SymPy (:mod:`.sympy_bridge`).

Grammar (whitespace is ignored)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary | <implicit product after a number>)*
    unary  := ("-" | "+") unary | power
    power  := atom (("^" | "**") unary)?            (right-associative: 2^3^2 = 2^9)
    atom   := NUMBER | SYMBOL | FUNC "(" args ")" | "(" expr ")"
    SYMBOL := name | name "_" index | name "_{" index ("," index)* "}" | name "_" letters
    FUNC   := exp | log | ln | sqrt | abs | max | step | delta | sum

``sum_k(body)``, ``sum_{k}(body)`` and ``sum(k, body)`` sum over every value of the index ``k``;
``delta(i, j)`` (also ``delta_ij``, ``delta_{i,j}``) is the Kronecker delta. A number directly
before a name or a bracket multiplies it (``2a``, ``2(1 - p_i)``); any other juxtaposition
(``p_i p_j``, ``p_i(1 - p_j)``, ``(a)(b)``) is refused with a message asking for ``*``.

Limits: 500 characters, 200 tree nodes, nesting depth 40, numbers of at most 12 digits and at most
10**6, constant exponents at most 10 in absolute value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "Family",
    "Node",
    "ParseError",
    "Vocabulary",
    "count_nodes",
    "free_indices",
    "parse",
]

MAX_LENGTH = 500
MAX_NODES = 200
MAX_DEPTH = 40
MAX_NUMBER = 10**6
MAX_EXPONENT = 10

Node = tuple
"""A parsed expression: ``("num", Fraction)``, ``("sym", name, (index, ...))``,
``("add", (a, b, ...))``, ``("mul", (a, b, ...))``, ``("pow", base, exponent)``,
``("neg", a)``, ``("fn", name, (arg, ...))``, ``("delta", i, j)`` or ``("sum", k, body)``."""

FUNCTIONS: dict[str, int] = {"exp": 1, "log": 1, "ln": 1, "sqrt": 1, "abs": 1, "step": 1, "max": 2}
"""Functions of the grammar and their number of arguments (``ln`` is ``log``)."""


class ParseError(ValueError):
    """An answer that is not in the grammar, with where it fails.

    Attributes
    ----------
    message : str
        What is wrong.
    column : int or None
        1-based column of the problem in the answer, if it has one.
    text : str
        The answer (at most its first 120 characters).
    """

    def __init__(self, message: str, column: int | None = None, text: str = "") -> None:
        self.message = message
        self.column = column
        self.text = text[:120]
        super().__init__(self.describe())

    def describe(self) -> str:
        """The message, and the answer with a caret under the column (when it has one)."""
        if self.column is None or not self.text or self.column > len(self.text) + 1:
            return self.message
        return f"{self.message}\n    {self.text}\n    {' ' * (self.column - 1)}^"


@dataclass(frozen=True)
class Family:
    """A declared quantity: a scalar (``N``), a vector (``p_i``) or a matrix (``W_dc``).

    Parameters
    ----------
    name : str
        The name the learner writes (``"p"``).
    domains : tuple of str
        The kind of each index (``("class",)``, ``("sample", "feature")``); ``()`` for a scalar.
    meaning : str
        How the notebook describes it.
    aliases : tuple of str
        Other spellings of the name (``("P",)``).
    """

    name: str
    domains: tuple[str, ...] = ()
    meaning: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """What an answer to one question may use.

    Parameters
    ----------
    families : tuple of Family
    indices : dict of str to str
        Index letters and their kind (``{"i": "class", "k": "class", "n": "sample"}``).
    free : tuple of str
        The question's own indices (``("i", "j")``): they may appear anywhere, but may not be
        summed over. Every other index letter may only appear inside a sum over it.
    functions : frozenset of str
        Allowed functions (``delta`` and ``sum`` included, when allowed).
    """

    families: tuple[Family, ...]
    indices: dict[str, str] = field(default_factory=dict)
    free: tuple[str, ...] = ()
    functions: frozenset[str] = frozenset({"exp", "log", "ln", "sqrt", "abs", "max"})

    def family(self, name: str) -> Family | None:
        """The family spelt ``name``, or None."""
        for fam in self.families:
            if name == fam.name or name in fam.aliases:
                return fam
        return None

    def describe(self) -> str:
        """The symbols, for an error message (``p_i, y_i, N``)."""
        shown = []
        for fam in self.families:
            if not fam.domains:
                shown.append(fam.name)
            else:
                letters = [self._letter(d, k) for k, d in enumerate(fam.domains)]
                sub = letters[0] if len(letters) == 1 else "{" + ",".join(letters) + "}"
                shown.append(f"{fam.name}_{sub}")
        return ", ".join(shown)

    def _letter(self, domain: str, position: int) -> str:
        free = [i for i in self.free if self.indices.get(i) == domain]
        others = [i for i, d in self.indices.items() if d == domain]
        pool = free or others
        return pool[min(position, len(pool) - 1)] if pool else "?"


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # "num", "name", "op", "end"
    text: str
    col: int  # 1-based
    sub: tuple[str, ...] | None = None  # for a name with a subscript
    sub_raw: str = ""


_OPS = ("**", "+", "-", "*", "/", "^", "(", ")", ",")
_UNICODE_HINTS = {
    "−": "-",
    "–": "-",
    "·": "*",
    "×": "*",
    "⋅": "*",
    "δ": "delta",
    "Σ": "sum",
    "∑": "sum",
    "²": "^2",
    "³": "^3",
    "÷": "/",
    "½": "1/2",
    "√": "sqrt",
    "ε": "eps",
    "ϵ": "eps",
    "—": "-",
}


def _is_name_start(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _is_name_char(c: str) -> bool:
    return c.isascii() and c.isalnum()


def tokenize(text: str) -> list[_Tok]:
    """Split ``text`` into tokens; :class:`ParseError` at the first character not in the grammar."""
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\n\r":
            i += 1
            continue
        if c.isascii() and (c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit())):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            literal = text[i:j]
            if sum(ch.isdigit() for ch in literal) > 12:
                raise ParseError(f"the number {literal[:20]}... has too many digits", i + 1, text)
            toks.append(_Tok("num", literal, i + 1))
            i = j
            continue
        if _is_name_start(c):
            j = i
            while j < n and _is_name_char(text[j]):
                j += 1
            name = text[i:j]
            sub: tuple[str, ...] | None = None
            raw = ""
            if j < n and text[j] == "_":
                k = j + 1
                if k < n and text[k] == "{":
                    close = text.find("}", k)
                    if close < 0:
                        raise ParseError("'{' of a subscript is never closed", k + 1, text)
                    raw = text[k + 1 : close]
                    parts = [s.strip() for s in raw.split(",")]
                    if not all(p and all(_is_name_char(ch) for ch in p) for p in parts):
                        raise ParseError(
                            f"subscript {{{raw}}} must be index letters separated by commas",
                            k + 1,
                            text,
                        )
                    sub = tuple(parts)
                    j = close + 1
                else:
                    m = k
                    while m < n and _is_name_char(text[m]):
                        m += 1
                    if m == k:
                        raise ParseError(f"'_' after {name} must be followed by an index", k, text)
                    raw = text[k:m]
                    sub = (raw,)
                    j = m
            toks.append(_Tok("name", name, i + 1, sub, raw))
            i = j
            continue
        op = next((o for o in _OPS if text.startswith(o, i)), None)
        if op is not None:
            toks.append(_Tok("op", op, i + 1))
            i += len(op)
            continue
        if c in _UNICODE_HINTS:
            raise ParseError(
                f"unexpected character {c!r} at column {i + 1}: write {_UNICODE_HINTS[c]!r}",
                i + 1,
                text,
            )
        if c == "[" or c == "]":
            raise ParseError(
                f"unexpected {c!r} at column {i + 1}: write indices as subscripts, p_{{n,i}}",
                i + 1,
                text,
            )
        shown = c if c.isprintable() else f"U+{ord(c):04X}"
        raise ParseError(f"unexpected character {shown!r} at column {i + 1}", i + 1, text)
    toks.append(_Tok("end", "", n + 1))
    return toks


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


def _plural(kind: str) -> str:
    return kind + ("es" if kind.endswith("s") else "s")


class _Parser:
    def __init__(self, text: str, vocab: Vocabulary) -> None:
        self.text = text
        self.vocab = vocab
        self.toks = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.bound: list[str] = []

    # helpers
    def peek(self) -> _Tok:
        return self.toks[self.pos]

    def next(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def error(self, message: str, tok: _Tok | None = None) -> ParseError:
        tok = tok or self.peek()
        return ParseError(message, tok.col, self.text)

    def unexpected(self, tok: _Tok | None = None, expecting: str = "") -> ParseError:
        tok = tok or self.peek()
        what = "end of the answer" if tok.kind == "end" else f"{tok.text!r}"
        more = f" (expected {expecting})" if expecting else ""
        return self.error(f"unexpected {what} at column {tok.col}{more}", tok)

    def expect(self, op: str) -> _Tok:
        tok = self.peek()
        if tok.kind == "op" and tok.text == op:
            return self.next()
        raise self.unexpected(tok, f"{op!r}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the answer is nested too deeply (more than {MAX_DEPTH} levels)")

    # grammar
    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ParseError("the answer is empty", None, self.text)
        node = self.expr()
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind == "op" and tok.text == ")":
                raise self.error(f"unexpected ')' at column {tok.col}: no '(' to close", tok)
            raise self.unexpected(tok, "an operator such as + or *")
        return node

    def expr(self) -> Node:
        self.enter()
        terms = [self.term()]
        while self.peek().kind == "op" and self.peek().text in "+-":
            op = self.next().text
            t = self.term()
            terms.append(t if op == "+" else ("neg", t))
        self.depth -= 1
        return terms[0] if len(terms) == 1 else ("add", tuple(terms))

    def term(self) -> Node:
        self.enter()
        first_tok = self.peek()
        factors = [self.unary()]
        last_was_number = first_tok.kind == "num" and factors[-1][0] == "num"
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("*", "/"):
                self.next()
                start = self.peek()
                f = self.unary()
                factors.append(f if tok.text == "*" else ("pow", f, ("num", Fraction(-1))))
                last_was_number = start.kind == "num" and f[0] == "num"
                continue
            if tok.kind in ("name", "num") or (tok.kind == "op" and tok.text == "("):
                prev = self.toks[self.pos - 1]
                if last_was_number and tok.kind != "num":
                    factors.append(self.unary())
                    last_was_number = False
                    continue
                left = prev.text if prev.kind != "name" else _spell(prev)
                right = tok.text if tok.kind != "name" else _spell(tok)
                if tok.kind == "op" and prev.kind == "name":
                    hint = f"write {left}*(...) for a product; {left} is not a function"
                else:
                    hint = f"write {left}*{right} for a product"
                raise self.error(
                    f"missing operator between {left!r} and {right!r} at column {tok.col}: {hint}",
                    tok,
                )
            break
        self.depth -= 1
        return factors[0] if len(factors) == 1 else ("mul", tuple(factors))

    def unary(self) -> Node:
        self.enter()
        tok = self.peek()
        if tok.kind == "op" and tok.text in "+-":
            self.next()
            inner = self.unary()
            self.depth -= 1
            return inner if tok.text == "+" else ("neg", inner)
        node = self.power()
        self.depth -= 1
        return node

    def power(self) -> Node:
        base = self.atom()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("^", "**"):
            self.next()
            exponent = self.unary()
            value = _constant(exponent)
            if value is not None and abs(value) > MAX_EXPONENT:
                raise self.error(
                    f"exponent {_fmt_const(value)} at column {tok.col} is too large (the limit "
                    f"is {MAX_EXPONENT})",
                    tok,
                )
            return ("pow", base, exponent)
        return base

    def atom(self) -> Node:
        tok = self.next()
        if tok.kind == "num":
            value = Fraction(tok.text)
            if value > MAX_NUMBER:
                raise self.error(f"the number {tok.text} is too large (limit {MAX_NUMBER})", tok)
            return ("num", value)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            close = self.peek()
            if not (close.kind == "op" and close.text == ")"):
                raise self.unexpected(close, "')' to close the '(' at column " + str(tok.col))
            self.next()
            return inner
        if tok.kind == "name":
            return self.name(tok)
        raise self.unexpected(tok, "a number, a symbol or '('")

    def name(self, tok: _Tok) -> Node:
        name = tok.text
        after = self.peek()
        calls = after.kind == "op" and after.text == "("
        if name == "sum":
            return self.sum(tok)
        if name == "delta":
            return self.delta(tok)
        if name in FUNCTIONS and tok.sub is None:
            if name not in self.vocab.functions:
                raise self.error(f"{name} is not needed in this question", tok)
            if not calls:
                raise self.error(f"{name} needs its argument in brackets: {name}(...)", tok)
            self.next()
            args = [self.expr()]
            while self.peek().kind == "op" and self.peek().text == ",":
                self.next()
                args.append(self.expr())
            self.expect(")")
            if len(args) != FUNCTIONS[name]:
                raise self.error(
                    f"{name} takes {FUNCTIONS[name]} argument(s), got {len(args)}", tok
                )
            return ("fn", "log" if name == "ln" else name, tuple(args))
        fam = self.vocab.family(name)
        if fam is None:
            raise self.error(
                f"unknown symbol {_spell(tok)!r} at column {tok.col}; this question's symbols are "
                f"{self.vocab.describe()}",
                tok,
            )
        indices = self.subscript(tok, fam)
        return ("sym", fam.name, indices)

    def subscript(self, tok: _Tok, fam: Family) -> tuple[str, ...]:
        want = len(fam.domains)
        if tok.sub is None:
            if want:
                raise self.error(
                    f"{fam.name} needs {want} index(es), as in {self.vocab.describe()}", tok
                )
            return ()
        if not want:
            raise self.error(f"{fam.name} is a scalar: it takes no index", tok)
        parts = tok.sub
        if len(parts) == 1 and len(parts[0]) == want and want > 1:
            parts = tuple(parts[0])  # W_dc = W_{d,c}
        if len(parts) != want:
            raise self.error(
                f"{_spell(tok)} has {len(parts)} index(es), {fam.name} needs {want}", tok
            )
        for k, (letter, domain) in enumerate(zip(parts, fam.domains, strict=True)):
            self.check_index(letter, tok, f"index {k + 1} of {fam.name}", domain)
        return parts

    def check_index(self, letter: str, tok: _Tok, where: str, domain: str | None) -> None:
        kind = self.vocab.indices.get(letter)
        if kind is None:
            known = ", ".join(self.vocab.indices) or "none"
            raise self.error(
                f"{letter!r} ({where}, column {tok.col}) is not an index of this question; "
                f"the indices are {known}",
                tok,
            )
        if domain is not None and kind != domain:
            raise self.error(
                f"{letter!r} runs over {_plural(kind)}, but {where} is a {domain} index "
                f"(column {tok.col})",
                tok,
            )
        if where != "the sum" and letter not in self.vocab.free and letter not in self.bound:
            own = self.vocab.free
            raise self.error(
                f"the index {letter} is not bound (column {tok.col}): it may only appear inside "
                f"a sum over it, sum_{letter}(...)"
                + (f" (this question's own indices are {', '.join(own)})" if own else ""),
                tok,
            )

    def index_arg(self, what: str) -> tuple[str, _Tok]:
        tok = self.next()
        if tok.kind != "name" or tok.sub is not None:
            raise self.unexpected(tok, f"an index letter for {what}")
        self.check_index(tok.text, tok, what, None)
        return tok.text, tok

    def delta(self, tok: _Tok) -> Node:
        if "delta" not in self.vocab.functions:
            raise self.error("delta is not needed in this question", tok)
        if tok.sub is not None:
            parts = tok.sub if len(tok.sub) == 2 else tuple(tok.sub[0])
            if len(parts) != 2:
                raise self.error(f"delta takes two indices, as in delta(i,j); got {tok.sub_raw}")
            for p in parts:
                self.check_index(p, tok, "delta", None)
            i, j = parts
        else:
            self.expect("(")
            i, _ = self.index_arg("delta")
            self.expect(",")
            j, _ = self.index_arg("delta")
            self.expect(")")
        if self.vocab.indices[i] != self.vocab.indices[j]:
            raise self.error(f"delta({i},{j}) compares indices of different kinds", tok)
        return ("delta", i, j)

    def sum(self, tok: _Tok) -> Node:
        if "sum" not in self.vocab.functions:
            raise self.error("sum is not needed in this question", tok)
        if tok.sub is not None:
            if len(tok.sub) != 1 or len(tok.sub[0]) != 1:
                raise self.error(f"sum_{tok.sub_raw}: sum over one index letter, as in sum_k(...)")
            k = tok.sub[0]
            self.check_index(k, tok, "the sum", None)
            self.expect("(")
        else:
            self.expect("(")
            k, ktok = self.index_arg("the sum")
            tok = ktok
            self.expect(",")
        if k in self.vocab.free:
            raise self.error(
                f"{k} is this question's own index: sum over another letter (sum_k(...))", tok
            )
        if k in self.bound:
            raise self.error(f"a sum over {k} inside another sum over {k}", tok)
        self.bound.append(k)
        body = self.expr()
        self.bound.pop()
        self.expect(")")
        return ("sum", k, body)


def _spell(tok: _Tok) -> str:
    if tok.sub is None:
        return tok.text
    if len(tok.sub) == 1 and tok.sub_raw == tok.sub[0]:
        return f"{tok.text}_{tok.sub_raw}"
    return f"{tok.text}_{{{tok.sub_raw}}}"


def _fmt_const(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _constant(node: Node) -> Fraction | None:
    """The value of a constant subtree (small rationals only), else None."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "neg":
        v = _constant(node[1])
        return None if v is None else -v
    if kind in ("add", "mul"):
        vals = [_constant(a) for a in node[1]]
        if any(v is None for v in vals):
            return None
        out = Fraction(0) if kind == "add" else Fraction(1)
        for v in vals:
            out = out + v if kind == "add" else out * v
            if abs(out.numerator) > 10**15 or out.denominator > 10**15:
                return None
        return out
    if kind == "pow":
        b, e = _constant(node[1]), _constant(node[2])
        if b is None or e is None or e.denominator != 1 or abs(e) > MAX_EXPONENT:
            return None
        if b == 0 and e < 0:
            return None
        return b ** int(e)
    return None


def count_nodes(node: Node) -> int:
    """Number of nodes of a tree."""
    kind = node[0]
    if kind in ("add", "mul"):
        return 1 + sum(count_nodes(a) for a in node[1])
    if kind == "fn":
        return 1 + sum(count_nodes(a) for a in node[2])
    if kind == "pow":
        return 1 + count_nodes(node[1]) + count_nodes(node[2])
    if kind == "neg":
        return 1 + count_nodes(node[1])
    if kind == "sum":
        return 1 + count_nodes(node[2])
    return 1


def free_indices(node: Node) -> set[str]:
    """Index letters of ``node`` that no sum binds."""
    kind = node[0]
    if kind == "sym":
        return set(node[2])
    if kind == "delta":
        return {node[1], node[2]}
    if kind == "sum":
        return free_indices(node[2]) - {node[1]}
    if kind in ("add", "mul"):
        return set().union(*(free_indices(a) for a in node[1]))
    if kind == "fn":
        return set().union(*(free_indices(a) for a in node[2]))
    if kind == "pow":
        return free_indices(node[1]) | free_indices(node[2])
    if kind == "neg":
        return free_indices(node[1])
    return set()


def parse(text: Any, vocab: Vocabulary) -> Node:
    """Parse an answer of the grammar (module docstring) into a tree.

    Parameters
    ----------
    text : str
        The learner's answer.
    vocab : Vocabulary
        What the question allows.

    Returns
    -------
    Node

    Raises
    ------
    ParseError
        For anything outside the grammar or the limits, naming the column when there is one.

    Examples
    --------
    >>> v = Vocabulary((Family("p", ("class",)),), {"i": "class", "j": "class"}, ("i", "j"))
    >>> parse("p_i*p_j", v)
    ('mul', (('sym', 'p', ('i',)), ('sym', 'p', ('j',))))
    >>> parse("p_i*(1 - p_j))", v)
    Traceback (most recent call last):
    ...
    ce_course.grading.symbolic.parser.ParseError: unexpected ')' at column 14: no '(' to close
        p_i*(1 - p_j))
                     ^
    """
    if not isinstance(text, str):
        raise ParseError(f"the answer must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the answer is {len(text)} characters long; the limit is {MAX_LENGTH}")
    parser = _Parser(text, vocab)
    node = parser.parse()
    if count_nodes(node) > MAX_NODES:
        raise ParseError(f"the answer has more than {MAX_NODES} terms and factors; simplify it")
    loose = sorted(free_indices(node) - set(vocab.free))
    if loose:
        k = loose[0]
        raise ParseError(
            f"the index {k} is not bound: it may only appear inside a sum over it, sum_{k}(...)"
            + (f" (this question's own indices are {', '.join(vocab.free)})" if vocab.free else "")
        )
    return node
