"""Derivation questions: the learner's formula, parsed safely and judged like a mathematician.

The learner writes a derivative in plain text with the book's notation (``"-p_i*p_j"``,
``"p_i*(delta(i,j) - p_j)"``, ``"sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N"``) and gets a verdict:

:mod:`.parser`
    a closed grammar and its recursive-descent parser (no ``eval``, no ``sympify``);
:mod:`.evaluate`
    numeric evaluation of a parsed answer, and its LaTeX;
:mod:`.sympy_bridge`
    the answer as a SymPy expression, and a proof with a wall-clock limit;
:mod:`.checker`
    the verdict: equivalence under the question's facts, anticipated mistakes, feedback;
:mod:`.questions`
    the questions of the exercise notebooks;
:mod:`.grading`
    the bridge to the autograder (questions, ``check()``, ``ce-course grade``).

:func:`check_derivation` is the book's self-check.
"""

from __future__ import annotations

from .checker import AnticipatedMistake, Derivation, DerivationResult, check_answer
from .parser import ParseError, Vocabulary, parse
from .questions import DERIVATIONS, derivations_of, get_derivation

__all__ = [
    "DERIVATIONS",
    "AnticipatedMistake",
    "Derivation",
    "DerivationResult",
    "ParseError",
    "Vocabulary",
    "check_answer",
    "check_derivation",
    "derivations_of",
    "get_derivation",
    "parse",
]


def check_derivation(name: str, answer: str, *, show: bool = True) -> DerivationResult:
    """Check a derivation answer and print (or display) the verdict with the answer in LaTeX.

    Parameters
    ----------
    name : str
        The question (``"jacobian_offdiag"``; see ``exercises/README.md``).
    answer : str
        The formula, in the book's notation.
    show : bool
        Print the verdict (as Markdown with rendered math in a notebook).

    Returns
    -------
    DerivationResult

    Examples
    --------
    >>> r = check_derivation("jacobian_offdiag", "-p_i*p_j", show=False)
    >>> r.correct, r.credit
    (True, 1.0)
    >>> check_derivation("jacobian_offdiag", "p_i*(1 - p_j)", show=False).key
    'numerator-as-zj'
    """
    from .grading import show_result

    question = get_derivation(name)
    result = check_answer(question, answer)
    if show:
        show_result(question, result)
    return result
