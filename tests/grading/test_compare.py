"""The feedback for typical wrong outputs (``ce_course.grading.compare``)."""

from __future__ import annotations

import numpy as np
import pytest

from ce_course.grading.compare import allclose, evaluate_case
from ce_course.grading.exercises import get_exercise
from ce_course.grading.serialize import EncodedObject


def run(function: str, label_part: str, value, status: str = "ok", hidden=None, **raw):
    ex = next(
        e
        for e in (get_exercise(n) for n in ("02", "03", "05", "06", "08", "09"))
        if function in e.functions
    )
    q = ex.question(function)
    case = next(c for c in q.cases if label_part in c.label and hidden in (None, c.hidden))
    public = [q.expected(c) for c in q.public_cases()]
    return evaluate_case(
        q, case, q.expected(case), {"status": status, "value": value, **raw}, public_expected=public
    ), q.expected(case)


def test_allclose_handles_special_values() -> None:
    assert allclose(np.array([np.inf, np.nan]), np.array([np.inf, np.nan]), 1e-9, 0)
    assert not allclose(np.array([13.8]), np.array([np.inf]), 1e-9, 0)
    assert not allclose(np.array([np.inf]), np.array([-np.inf]), 1e-9, 0)
    assert not allclose(np.zeros(2), np.zeros(3), 1e-9, 0)


def test_transposed_output() -> None:
    _, e = run("cross_entropy_grad", "4 examples", None)
    out, _ = run("cross_entropy_grad", "4 examples", e.T.copy())
    assert "transposed" in out.message and out.score == 0


def test_factor_of_n() -> None:
    _, e = run("cross_entropy_grad", "4 examples", None)
    out, _ = run("cross_entropy_grad", "4 examples", 4 * e)
    assert "factor of N" in out.message


def test_float32_dtype_is_checked_where_relevant() -> None:
    _, e = run("softmax", "float32 batch", None)
    out, _ = run("softmax", "float32 batch", e.astype(np.float64))
    assert not out.passed and "float32" in out.message
    out, _ = run("softmax", "float32 batch", e)
    assert out.passed


def test_structure_problems() -> None:
    out, _ = run("linear_softmax_loss", "reg = 0.1", None)
    assert "returned None" in out.message
    out, e = run("linear_softmax_loss", "reg = 0.1", None)
    out, _ = run("linear_softmax_loss", "reg = 0.1", (e[0], e[1], 0))
    assert "returned 3 values" in out.message
    out, e = run("two_layer_loss", "reg = 0.05", None)
    grads = dict(e[1])
    del grads["b1"]
    out, _ = run("two_layer_loss", "reg = 0.05", (e[0], grads))
    assert "no entry 'b1'" in out.message
    assert out.score == pytest.approx(4 / 5 * 3)  # loss, W1, W2, b2 right: partial credit
    out, _ = run("softmax", "one example", EncodedObject("mod.FakeArray"))
    assert "FakeArray" in out.message


def test_errors() -> None:
    out, _ = run("softmax", "one example", None, status="not_implemented")
    assert out.message == "not implemented yet"
    err = {
        "type": "ValueError",
        "message": "operands could not be broadcast together",
        "where": "line 3 of code cell 5: e = np.exp(x - np.max(x, axis=1))",
    }
    out, _ = run("softmax", "two rows", None, status="error", error=err)
    assert "keepdims=True" in out.message
    # the hint comes from the type and the failing line, never from NumPy's wording
    index = {
        "type": "IndexError",
        "message": "shape mismatch: indexing arrays could not be broadcast together",
        "where": "line 4 of code cell 5: p = probs[np.arange(C), y]",
    }
    out, _ = run("cross_entropy", "two examples", None, status="error", error=index)
    assert "keepdims" not in out.message and "np.arange(N)" in out.message
    matmul = {**err, "where": "line 2 of code cell 5: dW = X @ (P - Y) / N"}
    out, _ = run("linear_softmax_loss", "reg = 0", None, status="error", error=matmul)
    assert "keepdims" not in out.message and "check the shapes" in out.message
    py2 = {"type": "NameError", "message": "name 'xrange' is not defined"}
    py2["where"] = "line 5 of code cell 5: for i in xrange(num_train):"
    out, _ = run("linear_softmax_loss", "reg = 0", None, status="error", error=py2)
    assert "use range" in out.message
    own = {"type": "ValueError", "message": "secret [1000. 1001.]", "learner_raised": True}
    out, _ = run("softmax", "large logits", None, status="error", error=own, hidden=True)
    assert "secret" not in out.message and "ValueError" in out.message


def test_hidden_inputs_are_never_printed() -> None:
    out, e = run("softmax", "large logits", None, hidden=True)
    out, _ = run("softmax", "large logits", np.full_like(e, 0.123456), hidden=True)
    assert "1000" not in out.message and "0.1235" not in out.message
    out, e = run("softmax", "one example", None)
    out, _ = run("softmax", "one example", np.array([0.2, 0.3, 0.5]))
    assert "expected [0.09" in out.message and "got [0.2" in out.message
