"""The derivation questions of the exercise notebooks, one per step of the book's chain.

Each :class:`~.checker.Derivation` says what to derive, which symbols the answer may use, under
which facts it is judged, and the wrong answers a learner is likely to give (with the step each
one gets wrong and its partial credit). :data:`DERIVATIONS` lists them in course order.
"""

from __future__ import annotations

from .checker import AnticipatedMistake as M
from .checker import Derivation
from .parser import Family, Vocabulary

__all__ = ["DERIVATIONS", "derivations_of", "get_derivation"]

_CLASS = {"i": "class", "j": "class", "k": "class", "l": "class", "m": "class"}
_FN = frozenset({"exp", "log", "ln", "sqrt", "abs", "max", "sum", "delta"})


def _p(doms: tuple[str, ...] = ("class",)) -> Family:
    return Family("p", doms, "the softmax probabilities", ("P",))


def _z(doms: tuple[str, ...] = ("class",)) -> Family:
    return Family("z", doms, "the logits", ("Z",))


def _y(doms: tuple[str, ...] = ("class",)) -> Family:
    return Family("y", doms, "the target", ("Y",))


def _vocab(families: tuple[Family, ...], free: tuple[str, ...], indices=None, functions=_FN):
    return Vocabulary(families, dict(indices or _CLASS), free, frozenset(functions))


_P3 = (0.2, 0.3, 0.5)
_Y3 = (0.1, 0.6, 0.3)
_P23 = ((0.2, 0.3, 0.5), (0.6, 0.1, 0.3))
_Y23 = ((0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
_SUM0_Z = "the gradient of a loss with respect to the logits always sums to 0 over the classes"

# ---------------------------------------------------------------- 01 the chain rule
_CHAIN = _vocab(
    (Family("a", (), "input a"), Family("b", (), "input b"), Family("y", (), "input y")),
    (),
    indices={},
    functions={"exp", "log", "sqrt"},
)
CHAIN_DZ_DB = Derivation(
    name="chain_dz_db",
    exercise="01_chain_rule",
    title="dz/db for x = a·b − y, z = 2x + y",
    statement="With $x = a\\,b - y$ and $z = 2x + y$, give $\\partial z / \\partial b$ as a "
    "formula in `a`, `b`, `y`.",
    vocab=_CHAIN,
    answer="2*a",
    nice={"a": 10, "b": 1, "y": 3},
    mistakes=(
        M("outer-factor", "a", "that is ∂x/∂b = a; the chain rule multiplies it by ∂z/∂x = 2", 0.5),
        M(
            "wrong-input",
            "2*b",
            "2b is ∂z/∂a: x = a·b changes by a (not b) per unit of b",
            0.25,
        ),
        M("local-only", "2", "2 is ∂z/∂x only; multiply by ∂x/∂b = a", 0.25),
        M("dx-da", "b", "b is ∂x/∂a; you need ∂z/∂b = ∂z/∂x · ∂x/∂b", 0.0),
    ),
)
CHAIN_DZ_DY = Derivation(
    name="chain_dz_dy",
    exercise="01_chain_rule",
    title="dz/dy for x = a·b − y, z = 2x + y (two routes)",
    statement="With $x = a\\,b - y$ and $z = 2x + y$, give $\\partial z / \\partial y$. "
    "Careful: $y$ reaches $z$ by two routes.",
    vocab=_CHAIN,
    answer="-1",
    nice={"a": 10, "b": 1, "y": 3},
    mistakes=(
        M(
            "one-route-x",
            "-2",
            "counts only the route through x (2 · (−1)); y also enters z directly, which adds 1",
            0.5,
        ),
        M(
            "one-route-direct",
            "1",
            "counts only the direct route; y also changes x (∂x/∂y = −1), worth 2 · (−1)",
            0.5,
        ),
        M(
            "sign-dx-dy",
            "3",
            "∂x/∂y is −1 (x = ab − y), not +1: the route through x gives −2",
            0.25,
        ),
    ),
)

# ---------------------------------------------------------------- 02 softmax
TEMPERATURE_RATIO = Derivation(
    name="temperature_ratio",
    exercise="02_softmax",
    title="p_i / p_j for p = softmax(z / T)",
    statement="For $p = \\operatorname{softmax}(z / T)$, give the ratio $p_i / p_j$ in terms of "
    "the logits `z_i`, `z_j` and the temperature `T`.",
    vocab=_vocab((_z(), _p(), Family("T", (), "the temperature")), ("i", "j")),
    answer="exp((z_i - z_j)/T)",
    nice={"T": 2, "p": _P3},
    mistakes=(
        M(
            "no-temperature",
            "exp(z_i - z_j)",
            "the logits are divided by T before exp: the 1/T is missing",
            0.5,
        ),
        M(
            "times-temperature",
            "exp((z_i - z_j)*T)",
            "divide the logits by T, do not multiply",
            0.25,
        ),
        M("T-outside", "exp(z_i - z_j)/T", "T divides the logits inside exp, not the ratio", 0.25),
        M("log-ratio", "(z_i - z_j)/T", "that is log(p_i/p_j); the ratio itself is its exp", 0.25),
        M(
            "inverted",
            "exp((z_j - z_i)/T)",
            "that is p_j/p_i: numerator and denominator swapped",
            0.25,
        ),
    ),
)

# ---------------------------------------------------------------- 03 stability
LOGSUMEXP_GRAD = Derivation(
    name="logsumexp_grad",
    exercise="03_stability",
    title="∂ LSE(z) / ∂z_i",
    statement="Give $\\partial\\, \\mathrm{LSE}(z) / \\partial z_i$ for "
    "$\\mathrm{LSE}(z) = \\log \\sum_k e^{z_k}$ (symbols `z_i`, `z_k` inside a sum, `p_i` "
    "$= \\operatorname{softmax}(z)_i$).",
    vocab=_vocab((_z(), _p()), ("i",)),
    answer="exp(z_i)/sum_k(exp(z_k))",
    nice={"p": _P3},
    mistakes=(
        M(
            "no-outer-derivative",
            "exp(z_i)",
            "the derivative of log s is 1/s: divide by the sum Σ_k e^{z_k}",
            0.25,
        ),
        M(
            "no-inner-derivative",
            "1/sum_k(exp(z_k))",
            "chain rule: 1/Σ_k e^{z_k} times the derivative of the sum in z_i, which is e^{z_i}",
            0.25,
        ),
        M("log-p", "log(p_i)", "log p_i = z_i − LSE(z) is the log-softmax, not this gradient", 0.0),
        M(
            "one-level-too-far",
            "p_i*(1 - p_i)",
            "that is ∂p_i/∂z_i, the derivative of the gradient; LSE's gradient is p_i itself",
            0.0,
        ),
    ),
)
LOG_SOFTMAX_GRAD = Derivation(
    name="log_softmax_grad",
    exercise="03_stability",
    title="∂ log p_i / ∂z_j",
    statement="With $\\log p_i = z_i - \\mathrm{LSE}(z)$, give $\\partial \\log p_i / \\partial "
    "z_j$ for any $i, j$ (use `delta(i,j)`).",
    vocab=_vocab((_z(), _p()), ("i", "j")),
    answer="delta(i,j) - p_j",
    nice={"p": _P3},
    zero_sum="j",
    zero_sum_reason="adding the same number to every logit leaves log p_i unchanged, so its "
    "derivatives over j add up to 0",
    mistakes=(
        M(
            "inner-index",
            "delta(i,j) - p_i",
            "∂LSE/∂z_j is p_j, the probability of the input index j, not p_i",
            0.5,
        ),
        M(
            "no-delta",
            "1 - p_j",
            "∂z_i/∂z_j is δ_ij (1 only when i = j): the 1 must be delta(i,j)",
            0.5,
        ),
        M("offdiag-only", "-p_j", "misses ∂z_i/∂z_j = δ_ij, the 1 on the diagonal", 0.5),
        M(
            "not-log",
            "p_i*(delta(i,j) - p_j)",
            "that is ∂p_i/∂z_j; the derivative of log p_i divides it by p_i",
            0.25,
        ),
        M(
            "divided-twice",
            "(delta(i,j) - p_j)/p_i",
            "∂ log p_i = ∂p_i / p_i = δ_ij − p_j: you divided by p_i once too often",
            0.25,
        ),
    ),
)

# ---------------------------------------------------------------- 04 the Jacobian
_JAC = _vocab((_p(), _z()), ("i",))
JACOBIAN_DIAG = Derivation(
    name="jacobian_diag",
    exercise="04_jacobian",
    title="∂p_i/∂z_i (the diagonal of the softmax Jacobian)",
    statement="Give $\\partial p_i / \\partial z_i$ for $p = \\operatorname{softmax}(z)$, in `p_i` "
    "(or in `z_i` and a sum of `exp(z_k)`).",
    vocab=_JAC,
    answer="p_i*(1 - p_i)",
    nice={"p": _P3},
    mistakes=(
        M(
            "offdiag-for-diag",
            "-p_i^2",
            "that is the off-diagonal formula −p_i·p_j with j = i; on the diagonal the numerator "
            "e^{z_i} also depends on z_i, which adds p_i",
            0.5,
        ),
        M(
            "numerator-only",
            "p_i",
            "only the numerator's derivative; the denominator Σ_k e^{z_k} depends on z_i too "
            "(quotient rule): subtract p_i²",
            0.25,
        ),
        M(
            "quotient-sign",
            "p_i*(1 + p_i)",
            "the quotient rule subtracts: (u' S − u S') / S², so it is p_i − p_i²",
            0.25,
        ),
        M("dropped-p", "1 - p_i", "p_i(1 − p_i): the factor p_i is missing", 0.25),
    ),
)
JACOBIAN_OFFDIAG = Derivation(
    name="jacobian_offdiag",
    exercise="04_jacobian",
    title="∂p_i/∂z_j for i ≠ j",
    statement="Give $\\partial p_i / \\partial z_j$ for $i \\ne j$ and $p = "
    "\\operatorname{softmax}(z)$, in `p_i`, `p_j` (or in exponentials of the logits).",
    vocab=_vocab((_p(), _z()), ("i", "j")),
    answer="-p_i*p_j",
    distinct=(("i", "j"),),
    nice={"p": _P3},
    mistakes=(
        M(
            "diag-for-offdiag",
            "p_i*(1 - p_i)",
            "that is the diagonal case i = j; for i ≠ j the numerator e^{z_i} does not depend on "
            "z_j",
            0.25,
        ),
        M(
            "numerator-as-zj",
            "p_i*(1 - p_j)",
            "e^{z_i} was differentiated in z_j as if it were e^{z_j}: for i ≠ j its derivative "
            "is 0, leaving only −e^{z_i} e^{z_j} / S²",
            0.5,
        ),
        M(
            "sign",
            "p_i*p_j",
            "the sign: the quotient rule gives (0 · S − e^{z_i} e^{z_j}) / S² < 0",
            0.5,
        ),
        M(
            "independent",
            "0",
            "p_i depends on z_j through the denominator S = Σ_k e^{z_k}, so the derivative is "
            "not 0",
            0.0,
        ),
        M(
            "same-index-twice",
            "-p_i^2",
            "the denominator's derivative in z_j is e^{z_j}, which brings p_j, not a second p_i",
            0.25,
        ),
        M("j-twice", "-p_j^2", "the numerator e^{z_i} brings p_i: −p_i·p_j", 0.25),
        M(
            "denominator-not-squared",
            "-exp(z_i)*exp(z_j)/sum_k(exp(z_k))",
            "the quotient rule divides by S² = (Σ_k e^{z_k})², not by S",
            0.25,
        ),
    ),
)
JACOBIAN_DELTA = Derivation(
    name="jacobian_delta",
    exercise="04_jacobian",
    title="∂p_i/∂z_j for all i, j, in δ form",
    statement="Give $\\partial p_i / \\partial z_j$ for all $i, j$ in one formula, with the "
    "Kronecker delta `delta(i,j)`.",
    vocab=_vocab((_p(), _z()), ("i", "j")),
    answer="p_i*(delta(i,j) - p_j)",
    nice={"p": _P3},
    zero_sum="i",
    zero_sum_reason="Σ_i p_i = 1 for every z, so Σ_i ∂p_i/∂z_j = 0",
    mistakes=(
        M(
            "bracket-index",
            "p_i*(delta(i,j) - p_i)",
            "the bracket holds p_j: the denominator's derivative in z_j is e^{z_j}",
            0.5,
        ),
        M(
            "delta-unscaled",
            "delta(i,j) - p_i*p_j",
            "the delta needs the factor p_i too: on the diagonal the value is p_i(1 − p_i)",
            0.5,
        ),
        M(
            "no-delta",
            "p_i*(1 - p_j)",
            "without the delta this is the diagonal case for every j, as if e^{z_i} were e^{z_j}",
            0.25,
        ),
        M("offdiag-only", "-p_i*p_j", "only the i ≠ j case: add p_i·delta(i,j)", 0.25),
        M(
            "numerator-only",
            "p_i*delta(i,j)",
            "only the numerator's derivative: the denominator gives −p_i·p_j for every j",
            0.25,
        ),
        M("sign", "p_i*(delta(i,j) + p_j)", "the quotient rule subtracts: p_i(δ_ij − p_j)", 0.5),
    ),
)

# ---------------------------------------------------------------- 05 cross-entropy
CE_DP = Derivation(
    name="ce_dp",
    exercise="05_cross_entropy",
    title="∂L/∂p_j for L = −Σ_k y_k log p_k",
    statement="Treat the $p_k$ as independent variables and give $\\partial L / \\partial p_j$ "
    "for $L = -\\sum_k y_k \\log p_k$ (any target distribution $y$).",
    vocab=_vocab((_p(), _y()), ("j",)),
    answer="-y_j/p_j",
    nice={"p": _P3, "y": _Y3},
    mistakes=(
        M("sign", "y_j/p_j", "the minus sign of L = −Σ_k y_k log p_k stays in the derivative", 0.5),
        M(
            "dropped-y",
            "-1/p_j",
            "the factor y_j is missing (−1/p_j holds only at the true class of a one-hot label)",
            0.25,
        ),
        M(
            "the-term",
            "-y_j*log(p_j)",
            "that is the j-th term of the loss, not its derivative",
            0.0,
        ),
        M("log-only", "-log(p_j)", "that is a term of the loss; differentiate log p_j: 1/p_j", 0.0),
        M("log-derivative", "-y_j/p_j^2", "the derivative of log p is 1/p, not 1/p²", 0.25),
        M("no-log-derivative", "-y_j", "the derivative of log p_j, 1/p_j, is missing", 0.25),
    ),
)
SMOOTHING_GRAD = Derivation(
    name="smoothing_grad",
    exercise="05_cross_entropy",
    title="∂L/∂z_i with label smoothing ε",
    statement="With a one-hot label $y$, label smoothing $\\varepsilon$ (`eps`) over $C$ classes "
    "(`C`) and $p = \\operatorname{softmax}(z)$, give $\\partial L / \\partial z_i$ for "
    "$L = -\\sum_k y^{\\text{smooth}}_k \\log p_k$, $y^{\\text{smooth}} = (1 - \\varepsilon) y "
    "+ \\varepsilon / C$.",
    vocab=_vocab(
        (_p(), _z(), _y(), Family("eps", (), "the smoothing ε"), Family("C", (), "classes")),
        ("i",),
    ),
    answer="p_i - (1 - eps)*y_i - eps/C",
    one_hot=True,
    nice={"p": _P3, "eps": 0.1},
    zero_sum="i",
    zero_sum_reason="Σ_i p_i = 1 and the smoothed target sums to 1 too; " + _SUM0_Z,
    mistakes=(
        M(
            "no-smoothing",
            "p_i - y_i",
            "the target is the smoothed (1 − ε)·y_i + ε/C, not y_i",
            0.25,
        ),
        M(
            "dropped-uniform",
            "p_i - (1 - eps)*y_i",
            "the uniform share ε/C of every class is missing",
            0.5,
        ),
        M("eps-not-eps-over-C", "p_i - (1 - eps)*y_i - eps", "each class gets ε/C, not ε", 0.5),
        M(
            "true-class-keeps-1",
            "p_i - y_i - eps/C",
            "the true class keeps 1 − ε, not 1: (1 − ε)·y_i",
            0.5,
        ),
        M(
            "scaled-gradient",
            "(1 - eps)*(p_i - y_i)",
            "smoothing changes the target, not the scale: p_i − y^smooth_i",
            0.25,
        ),
        M("uniform-only", "p_i - eps/C", "the (1 − ε)·y_i part of the target is missing", 0.25),
    ),
)

# ---------------------------------------------------------------- 06 the gradient
_CE = _vocab((_p(), _y(), _z()), ("i",))
CE_CHAIN_TERM = Derivation(
    name="ce_chain_term",
    exercise="06_gradient",
    title="the term (∂L/∂p_j)(∂p_j/∂z_i) of the chain rule",
    statement="Give one term of the sum over $j$ in the chain rule, "
    "$\\frac{\\partial L}{\\partial p_j}\\,\\frac{\\partial p_j}{\\partial z_i}$, for "
    "$L = -\\sum_k y_k \\log p_k$, simplified (use `delta(i,j)`).",
    vocab=_vocab((_p(), _y(), _z()), ("i", "j")),
    answer="-y_j*(delta(i,j) - p_i)",
    nice={"p": _P3, "y": _Y3},
    mistakes=(
        M(
            "bracket-index",
            "-y_j*(delta(i,j) - p_j)",
            "∂p_j/∂z_i = p_j(δ_ij − p_i): the bracket holds p_i, the probability of the input "
            "index",
            0.5,
        ),
        M("sign", "y_j*(delta(i,j) - p_i)", "∂L/∂p_j = −y_j/p_j: the minus sign is missing", 0.5),
        M("first-factor-only", "-y_j/p_j", "that is ∂L/∂p_j alone; multiply by ∂p_j/∂z_i", 0.25),
        M(
            "second-factor-only",
            "p_j*(delta(i,j) - p_i)",
            "that is ∂p_j/∂z_i alone; multiply by ∂L/∂p_j = −y_j/p_j",
            0.25,
        ),
        M(
            "no-delta",
            "-y_j*(1 - p_i)",
            "∂p_j/∂z_i needs δ_ij: the 1 holds only for j = i",
            0.25,
        ),
        M(
            "target-index",
            "-y_i*(delta(i,j) - p_i)",
            "∂L/∂p_j = −y_j/p_j: the target entry goes with p_j, so it is y_j, not y_i",
            0.25,
        ),
    ),
)
CE_DZ = Derivation(
    name="ce_dz",
    exercise="06_gradient",
    title="∂L/∂z_i for L = −Σ_k y_k log softmax(z)_k",
    statement="Give $\\partial L / \\partial z_i$ for $L = -\\sum_k y_k \\log p_k$, "
    "$p = \\operatorname{softmax}(z)$, and any target distribution $y$ ($\\sum_k y_k = 1$). "
    "Remember that $z_i$ reaches $L$ through every $p_j$.",
    vocab=_CE,
    answer="p_i - y_i",
    nice={"p": _P3, "y": _Y3},
    zero_sum="i",
    zero_sum_reason="Σ_i p_i = Σ_i y_i = 1, so " + _SUM0_Z,
    mistakes=(
        M(
            "one-route",
            "-y_i*(1 - p_i)",
            "that is −y_i/p_i · p_i(1 − p_i), the route through p_i only: z_i reaches L through "
            "every p_j, so sum (∂L/∂p_j)(∂p_j/∂z_i) over all j",
            0.25,
        ),
        M("sign", "y_i - p_i", "the sign: ∂L/∂z_i = p_i − y_i", 0.5),
        M(
            "assumed-true-class",
            "p_i - 1",
            "that assumes y_i = 1, true only at the true class of a one-hot label",
            0.25,
        ),
        M("stopped-at-p", "-y_i/p_i", "that is ∂L/∂p_i; continue through the softmax", 0.0),
        M(
            "bracket-index",
            "sum_j(y_j*p_j) - y_i",
            "∂p_j/∂z_i = p_j(δ_ij − p_i): the bracket holds p_i, the probability of the input "
            "index; then Σ_j y_j p_i = p_i",
            0.25,
        ),
    ),
)
TEMPERATURE_GRAD = Derivation(
    name="temperature_grad",
    exercise="06_gradient",
    title="∂L/∂z_i with a temperature T",
    statement="With $p = \\operatorname{softmax}(z / T)$ and $L = -\\sum_k y_k \\log p_k$, give "
    "$\\partial L / \\partial z_i$ (symbols `p_i`, `y_i`, `T`; `z` and `exp` also allowed).",
    vocab=_vocab((_p(), _y(), _z(), Family("T", (), "the temperature")), ("i",)),
    answer="(p_i - y_i)/T",
    nice={"p": _P3, "y": _Y3, "T": 2},
    zero_sum="i",
    zero_sum_reason=_SUM0_Z,
    mistakes=(
        M(
            "no-temperature",
            "p_i - y_i",
            "the chain rule through z/T brings ∂(z_i/T)/∂z_i = 1/T: divide by T",
            0.5,
        ),
        M("times-temperature", "T*(p_i - y_i)", "the factor is 1/T, not T", 0.25),
        M("T-squared", "(p_i - y_i)/T^2", "one factor 1/T only, from ∂(z_i/T)/∂z_i", 0.25),
        M("sign", "(y_i - p_i)/T", "the sign: (p_i − y_i)/T", 0.5),
        M("half-scaled", "p_i/T - y_i", "1/T multiplies the whole p_i − y_i", 0.25),
    ),
)
_BATCH_IDX = {"n": "sample", "m": "sample", "i": "class", "j": "class", "k": "class"}
BATCH_DZ = Derivation(
    name="batch_dz",
    exercise="06_gradient",
    title="∂L/∂z_{n,i} for the mean loss over a batch",
    statement="For a batch of $N$ examples, $L = \\frac{1}{N} \\sum_n L_n$ with "
    "$L_n = -\\sum_k y_{n,k} \\log p_{n,k}$, give $\\partial L / \\partial z_{n,i}$ "
    "(symbols `p_{n,i}`, `y_{n,i}`, `N`).",
    vocab=_vocab(
        (_p(("sample", "class")), _y(("sample", "class")), _z(("sample", "class")), Family("N")),
        ("n", "i"),
        indices=_BATCH_IDX,
    ),
    answer="(p_{n,i} - y_{n,i})/N",
    nice={"p": _P23, "y": _Y23},
    zero_sum="i",
    zero_sum_reason=_SUM0_Z,
    mistakes=(
        M(
            "no-mean",
            "p_{n,i} - y_{n,i}",
            "the loss is the mean over the batch: the 1/N is missing",
            0.5,
        ),
        M("times-N", "N*(p_{n,i} - y_{n,i})", "the mean divides by N, it does not multiply", 0.25),
        M("N-squared", "(p_{n,i} - y_{n,i})/N^2", "one factor 1/N, from the mean", 0.25),
        M(
            "summed-batch",
            "sum_m(p_{m,i} - y_{m,i})/N",
            "logit row n enters only L_n: no sum over the batch (that sum is the bias gradient)",
            0.25,
        ),
        M("sign", "(y_{n,i} - p_{n,i})/N", "the sign: (p − y)/N", 0.5),
    ),
)

# ---------------------------------------------------------------- 07 gradient checks
_TAYLOR = _vocab(
    (
        Family("h", (), "the step"),
        Family("f1", (), "f'(x)"),
        Family("f2", (), "f''(x)"),
        Family("f3", (), "f'''(x)"),
    ),
    (),
    indices={},
    functions={"abs"},
)
CENTRAL_ERROR = Derivation(
    name="central_error",
    exercise="07_gradient_check",
    title="leading error of the central difference",
    statement="Give the leading term of $\\frac{f(x+h) - f(x-h)}{2h} - f'(x)$ from Taylor's "
    "formula, with `h`, `f1` $= f'(x)$, `f2` $= f''(x)$, `f3` $= f'''(x)$.",
    vocab=_TAYLOR,
    answer="h^2/6*f3",
    mistakes=(
        M(
            "forward-error",
            "h/2*f2",
            "that is the forward difference's error; in the central difference the f'' terms "
            "cancel",
            0.25,
        ),
        M(
            "not-halved",
            "h^2/3*f3",
            "the two h³f'''/6 terms add to h³f'''/3, then the division by 2h gives h²f'''/6",
            0.5,
        ),
        M(
            "not-divided",
            "h^3/6*f3",
            "divide by 2h: the difference quotient is (f(x+h) − f(x−h))/(2h)",
            0.5,
        ),
        M("factorial", "h^2/2*f3", "the Taylor coefficient of h³ is f'''/3! = f'''/6", 0.25),
        M("sign", "-h^2/6*f3", "the sign: the error is +h² f'''/6", 0.5),
        M("no-factorial", "h^2*f3", "Taylor's h³ term has 1/3! = 1/6", 0.25),
    ),
)
FORWARD_ERROR = Derivation(
    name="forward_error",
    exercise="07_gradient_check",
    title="leading error of the forward difference",
    statement="Give the leading term of $\\frac{f(x+h) - f(x)}{h} - f'(x)$, with `h`, `f1`, "
    "`f2`, `f3` as above.",
    vocab=_TAYLOR,
    answer="h/2*f2",
    mistakes=(
        M("no-half", "h*f2", "Taylor's h² term is h²f''/2: the 1/2 is missing", 0.5),
        M("central-error", "h^2/6*f3", "that is the central difference's error", 0.25),
        M("not-divided", "h^2/2*f2", "divide the h² f''/2 term by h", 0.5),
        M("sign", "-h/2*f2", "the sign: the error is +h f''/2", 0.5),
    ),
)

# ---------------------------------------------------------------- 08 linear classifier
_LIN_IDX = {
    "n": "sample",
    "m": "sample",
    "d": "feature",
    "e": "feature",
    "c": "class",
    "k": "class",
}
_LIN_FAMS = (
    Family("x", ("sample", "feature"), "the inputs X", ("X",)),
    Family("W", ("feature", "class"), "the weights"),
    Family("b", ("class",), "the biases"),
    _p(("sample", "class")),
    _y(("sample", "class")),
    Family("N"),
    Family("reg", (), "the L2 strength"),
)
_DATA = "sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N"
_LIN_NICE = {  # p is softmax(xW + b) there
    "y": _Y23,
    "x": ((1.0, 2.0), (-1.0, 0.5)),
    "W": ((0.1, -0.2, 0.3), (0.4, 0.0, -0.1)),
    "b": (0.0, 0.1, -0.1),
    "reg": 0.5,
}
LINEAR_DW = Derivation(
    name="linear_dW",
    exercise="08_linear_classifier",
    title="∂L_data/∂W_dc for Z = XW, L_data = mean cross-entropy",
    statement="With $Z = XW + b$, $P = \\operatorname{softmax}(Z)$ row by row and "
    "$L_\\text{data} = \\frac{1}{N} \\sum_n -\\sum_c y_{n,c} \\log p_{n,c}$, give "
    "$\\partial L_\\text{data} / \\partial W_{dc}$ in index form (symbols `x_{n,d}`, "
    "`p_{n,c}`, `y_{n,c}`, `N`, a sum over `n`).",
    vocab=_vocab(_LIN_FAMS, ("d", "c"), indices=_LIN_IDX),
    answer=_DATA,
    nice=_LIN_NICE,
    mistakes=(
        M(
            "no-x",
            "sum_n(p_{n,c} - y_{n,c})/N",
            "W_dc multiplies x_{n,d} in Z_{n,c} = Σ_d x_{n,d} W_dc, so the chain rule brings the "
            "factor x_{n,d}",
            0.25,
        ),
        M("no-mean", "sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))", "the 1/N of the mean is missing", 0.5),
        M(
            "included-penalty",
            _DATA + " + 2*reg*W_{d,c}",
            "this question asks for the data term only (no penalty)",
            0.5,
        ),
        M("sign", "sum_n(x_{n,d}*(y_{n,c} - p_{n,c}))/N", "the sign: P − Y, not Y − P", 0.5),
        M("no-Y", "sum_n(x_{n,d}*p_{n,c})/N", "the −Y of ∂L/∂Z = (P − Y)/N is missing", 0.25),
        M(
            "product-of-sums",
            "sum_n(x_{n,d})*sum_m(p_{m,c} - y_{m,c})/N",
            "a sum of products over n, not a product of two sums: (Xᵀ G)_dc = Σ_n x_{n,d} G_{n,c}",
            0.25,
        ),
    ),
)
LINEAR_DW_REG = Derivation(
    name="linear_dW_reg",
    exercise="08_linear_classifier",
    title="∂L/∂W_dc with the L2 penalty reg·Σ W²",
    statement="As above, but for $L = L_\\text{data} + \\mathrm{reg} \\sum_{d,c} W_{dc}^2$ "
    "(symbols as above, `W_{d,c}`, `reg`).",
    vocab=_vocab(_LIN_FAMS, ("d", "c"), indices=_LIN_IDX),
    answer=_DATA + " + 2*reg*W_{d,c}",
    nice=_LIN_NICE,
    mistakes=(
        M(
            "penalty-no-2",
            _DATA + " + reg*W_{d,c}",
            "the derivative of reg·W_dc² is 2·reg·W_dc: the 2 is missing",
            0.5,
        ),
        M("no-penalty", _DATA, "the penalty's derivative 2·reg·W_dc is missing", 0.5),
        M(
            "penalty-no-W",
            _DATA + " + 2*reg",
            "∂(reg W_dc²)/∂W_dc = 2·reg·W_dc: the W_dc is missing",
            0.25,
        ),
        M(
            "penalty-averaged",
            _DATA + " + 2*reg*W_{d,c}/N",
            "the penalty is not part of the mean over examples: no 1/N on 2·reg·W_dc",
            0.5,
        ),
        M("penalty-sign", _DATA + " - 2*reg*W_{d,c}", "the penalty adds +2·reg·W_dc", 0.5),
        M(
            "data-no-mean",
            "sum_n(x_{n,d}*(p_{n,c} - y_{n,c})) + 2*reg*W_{d,c}",
            "the data term's 1/N is missing",
            0.5,
        ),
        M(
            "penalty-itself",
            _DATA + " + reg*W_{d,c}^2",
            "reg·W_dc² is the penalty; its derivative is 2·reg·W_dc",
            0.25,
        ),
    ),
)
LINEAR_DB = Derivation(
    name="linear_db",
    exercise="08_linear_classifier",
    title="∂L/∂b_c for Z = XW + b",
    statement="Give $\\partial L / \\partial b_c$ for the loss above (biases are not penalised).",
    vocab=_vocab(_LIN_FAMS, ("c",), indices=_LIN_IDX),
    answer="sum_n(p_{n,c} - y_{n,c})/N",
    nice=_LIN_NICE,
    mistakes=(
        M("no-mean", "sum_n(p_{n,c} - y_{n,c})", "the 1/N of the mean is missing", 0.5),
        M(
            "penalised-bias",
            "sum_n(p_{n,c} - y_{n,c})/N + 2*reg*b_c",
            "the biases are not penalised: no 2·reg·b_c",
            0.5,
        ),
        M("sign", "sum_n(y_{n,c} - p_{n,c})/N", "the sign: P − Y", 0.5),
        M("no-Y", "sum_n(p_{n,c})/N", "the −Y of (P − Y)/N is missing", 0.25),
        M(
            "times-x",
            "sum_n(sum_d(x_{n,d})*(p_{n,c} - y_{n,c}))/N",
            "b_c enters Z_{n,c} with the factor 1 (the ones column), not the inputs x",
            0.25,
        ),
    ),
)

# ---------------------------------------------------------------- 09 two-layer network
RELU_BACKWARD = Derivation(
    name="relu_backward",
    exercise="09_two_layer_net",
    title="∂L/∂a through h = max(0, a)",
    statement="A hidden unit computes $h = \\max(0, a)$ and receives the upstream gradient "
    "$g = \\partial L / \\partial h$. Give $\\partial L / \\partial a$ for $a \\ne 0$ with "
    "`g`, `a`, `step(a)` ($= 1$ for $a > 0$, else 0) or `max`.",
    vocab=_vocab(
        (Family("g", (), "∂L/∂h"), Family("a", (), "the pre-activation")),
        (),
        indices={},
        functions={"step", "max", "abs"},
    ),
    answer="g*step(a)",
    ranges={"a": (0.2, 2.0, True), "g": (0.2, 2.0, True)},
    sign_cases=("a", "g"),
    mistakes=(
        M("ungated", "g", "ReLU blocks the gradient where a < 0: multiply by step(a)", 0.25),
        M(
            "times-activation",
            "g*max(0, a)",
            "the gate is the slope of max(0, a), which is step(a), not its value",
            0.25,
        ),
        M("no-upstream", "step(a)", "the upstream gradient g is missing (chain rule)", 0.25),
        M("times-a", "g*a", "the local derivative of max(0, a) is 1 or 0, not a", 0.0),
        M("gate-inverted", "g*step(-a)", "the gate is open where a > 0, not a < 0", 0.25),
        M("gate-on-g", "max(0, g)", "the gate depends on the sign of a, not of the gradient", 0.25),
    ),
)

DERIVATIONS: tuple[Derivation, ...] = (
    CHAIN_DZ_DB,
    CHAIN_DZ_DY,
    TEMPERATURE_RATIO,
    LOGSUMEXP_GRAD,
    LOG_SOFTMAX_GRAD,
    JACOBIAN_DIAG,
    JACOBIAN_OFFDIAG,
    JACOBIAN_DELTA,
    CE_DP,
    SMOOTHING_GRAD,
    CE_CHAIN_TERM,
    CE_DZ,
    TEMPERATURE_GRAD,
    BATCH_DZ,
    CENTRAL_ERROR,
    FORWARD_ERROR,
    LINEAR_DW,
    LINEAR_DW_REG,
    LINEAR_DB,
    RELU_BACKWARD,
)
"""Every derivation question, in course order."""


def get_derivation(name: str) -> Derivation:
    """The question called ``name``; ``KeyError`` listing the names otherwise."""
    for d in DERIVATIONS:
        if d.name == name:
            return d
    known = ", ".join(d.name for d in DERIVATIONS)
    raise KeyError(f"no derivation question called {name!r}; the questions are {known}")


def derivations_of(exercise: str) -> list[Derivation]:
    """The questions of one exercise notebook (``"04_jacobian"``), in order."""
    return [d for d in DERIVATIONS if d.exercise == exercise]
