"""The derivation answers' grammar: parsing, refusals, limits, LaTeX, the SymPy bridge."""

from __future__ import annotations

import builtins
import time

import pytest
from derivation_corpus import INJECTIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ce_course.grading.symbolic import ParseError, check_answer, get_derivation, parse
from ce_course.grading.symbolic.evaluate import evaluate, to_latex
from ce_course.grading.symbolic.parser import MAX_LENGTH, tokenize
from ce_course.grading.symbolic.sympy_bridge import prove_in_subprocess, to_sympy

JAC = get_derivation("jacobian_delta").vocab
LIN = get_derivation("linear_dW").vocab


def test_precedence_and_associativity() -> None:
    kinds = {"i": "class", "j": "class", "k": "class"}
    values = {"p": [0.2, 0.3, 0.5], "z": [0.0, 1.0, 2.0]}

    def value(text: str, **index: int) -> float:
        return evaluate(parse(text, JAC), values, index or {"i": 0, "j": 1}, {"class": 3}, kinds)

    assert value("2^3^2") == 2.0**9  # right-associative
    assert value("2**3**2") == value("2^3^2")
    assert value("-2^2") == -4.0  # unary minus below the power
    assert value("2^-1") == 0.5
    assert value("1 - 2 - 3") == -4.0
    assert value("8/4/2") == 1.0
    assert value("2p_i") == pytest.approx(0.4)  # a number before a symbol multiplies it
    assert value("2(1 - p_i)") == pytest.approx(1.6)
    assert value("sum_k(p_k)") == pytest.approx(1.0)
    assert value("sum(k, p_k)") == value("sum_{k}(p_k)") == value("sum_k(p_k)")
    assert value("delta(i,j)") == 0.0 and value("delta_ij", i=1, j=1) == 1.0
    assert value("delta_{i,j}", i=2, j=2) == 1.0
    assert value("exp(z_j)", i=0, j=2) == pytest.approx(2.718281828459045**2)
    assert value("ln(exp(p_i))") == pytest.approx(0.2)


def test_matrix_subscripts_and_aliases() -> None:
    a = parse("sum_n(x_nd*(p_nc - y_nc))/N", LIN)
    b = parse("sum_n(X_{n,d}*(P_{n,c} - Y_{n,c}))/N", LIN)
    assert a == b
    assert parse("W_dc", LIN) == parse("W_{d,c}", LIN) == ("sym", "W", ("d", "c"))


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("p_i*(1 - p_j))", "unexpected ')' at column 14", 14),
        ("p_i*(1 - p_j", "expected ')' to close the '(' at column 5", 13),
        ("p_i p_j", "missing operator between 'p_i' and 'p_j'", 5),
        ("p_i(1 - p_j)", "p_i is not a function", 4),
        ("(p_i)(p_j)", "missing operator", 6),
        ("q_i", "unknown symbol 'q_i'", 1),
        ("p_k", "index k is not bound (column 1)", 1),
        ("p_x", "'x' (index 1 of p, column 1) is not an index", 1),
        ("p_i*", "unexpected end of the answer", 5),
        ("", "the answer is empty", None),
        ("p_i −p_j", "write '-'", 5),
        ("p_i·p_j", "write '*'", 4),
        ("p_{i", "'{' of a subscript is never closed", 3),
        ("p", "p needs 1 index", 1),
        ("p_{i,j}", "p_{i,j} has 2 index(es), p needs 1", 1),
        ("sum_i(p_i)", "i is this question's own index", 1),
        ("sum_k(sum_k(p_k))", "a sum over k inside another sum over k", 7),
        ("exp", "exp needs its argument in brackets", 1),
        ("max(p_i)", "max takes 2 argument(s)", 1),
        ("2^11", "exponent 11 at column 2 is too large", 2),
        ("1234567", "the number 1234567 is too large", 1),
        ("p_i[0]", "write indices as subscripts", 4),
    ],
)
def test_parse_errors_name_the_place(text: str, fragment: str, column: int | None) -> None:
    with pytest.raises(ParseError) as info:
        parse(text, JAC)
    assert fragment in info.value.message, info.value.message
    assert info.value.column == column
    if column is not None:  # the caret sits under the column
        caret_line = info.value.describe().splitlines()[-1]
        assert caret_line.index("^") - 4 == column - 1


def test_index_kinds_are_checked() -> None:
    with pytest.raises(ParseError, match="'c' runs over classes, but index 1 of x is a sample"):
        parse("x_{c,d}", LIN)
    with pytest.raises(ParseError, match="unknown symbol 'p_i' at column 1; this question's"):
        parse("p_i", get_derivation("chain_dz_db").vocab)
    with pytest.raises(ParseError, match="delta is not needed"):
        parse("delta(i,j)", get_derivation("central_error").vocab)


@pytest.mark.parametrize("text", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injections_are_refused_fast_and_run_nothing(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*args, **kwargs):
        raise AssertionError("the checker called eval/exec/compile/__import__")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    start = time.perf_counter()
    result = check_answer(get_derivation("jacobian_delta"), text)
    assert time.perf_counter() - start < 1.0
    assert result.status == "parse_error", (text[:40], result.status, result.message)
    assert result.credit == 0.0


def test_length_and_size_limits() -> None:
    with pytest.raises(ParseError, match=f"limit is {MAX_LENGTH}"):
        parse("p_i+" * 200 + "p_i", JAC)
    with pytest.raises(ParseError, match="more than 200 terms"):
        parse("+".join(["1"] * 201), JAC)
    with pytest.raises(ParseError, match="nested too deeply"):
        parse("(" * 45 + "p_i" + ")" * 45, JAC)
    assert parse("(" * 10 + "p_i" + ")" * 10, JAC) == ("sym", "p", ("i",))


def test_tokenizer_never_accepts_non_ascii_names() -> None:
    for text in ("pі_i", "p_і", "ｐ_i", "𝑝_i", "p_i\u200b", "p_i\x00"):
        with pytest.raises(ParseError, match=r"unexpected character|must be followed by an index"):
            tokenize(text)


def test_latex_keeps_the_learners_structure() -> None:
    assert to_latex(parse("-p_i*p_j", JAC)) == "-p_{i} p_{j}"
    assert to_latex(parse("p_i*(delta(i,j) - p_j)", JAC)) == (
        r"p_{i} \left(\delta_{i j} - p_{j}\right)"
    )
    assert (
        to_latex(parse("exp(z_i)/sum_k(exp(z_k))", JAC)) == r"\frac{e^{z_{i}}}{\sum_{k} e^{z_{k}}}"
    )
    assert to_latex(parse("p_i^2", JAC)) == "{p_{i}}^{2}"


def test_to_sympy_unrolls_sums_and_decides_deltas() -> None:
    import sympy

    p = sympy.symbols("p0:3", positive=True)
    tree = parse("p_i*(delta(i,j) - p_j) + sum_k(p_k)", JAC)
    kinds = {"i": "class", "j": "class", "k": "class"}
    got = to_sympy(tree, {"p": list(p)}, {"i": 1, "j": 1}, {"class": 3}, kinds)
    assert sympy.expand(got - (p[1] * (1 - p[1]) + sum(p))) == 0
    got = to_sympy(tree, {"p": list(p)}, {"i": 0, "j": 2}, {"class": 3}, kinds)
    assert sympy.expand(got - (-p[0] * p[2] + sum(p))) == 0


def test_a_proof_that_hangs_is_cut_off() -> None:
    def hang() -> bool:
        while True:
            pass

    start = time.monotonic()
    assert prove_in_subprocess(hang, 0.5) is None
    assert time.monotonic() - start < 3.0
    assert prove_in_subprocess(lambda: True, 5.0) is True
    assert prove_in_subprocess(lambda: False, 5.0) is False


def test_a_proof_that_explodes_leaves_the_verdict_to_the_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ce_course.grading.symbolic import checker

    d = get_derivation("jacobian_diag")
    monkeypatch.setattr(checker, "_prove", lambda *args: time.sleep(30) or True)
    checker._PROOFS.clear()
    start = time.monotonic()
    result = check_answer(d, "p_i - p_i*p_i", proof_seconds=0.3)
    assert time.monotonic() - start < 3.0
    assert result.correct and result.proved is None
    assert "equal at" in result.message


_ALPHABET = "pyzijkT_{},()+-*/^ 0123.9eNxsumdeltaexplog"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_any_text_gets_a_verdict_never_an_exception(text: str) -> None:
    d = get_derivation("ce_dz")
    result = check_answer(d, text, prove=False)
    assert result.status in ("correct", "anticipated", "wrong", "parse_error", "empty")
    assert 0.0 <= result.credit <= 1.0
    assert result.message
