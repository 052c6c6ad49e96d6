r"""Cross-entropy of a linear layer's output, without ever holding the (N, V) logits.

A language model's last layer maps hidden states ``H (N, D)`` through ``W (D, V)`` to logits
``Z = H W + b`` of shape ``(N, V)``, with ``V`` a vocabulary of 32k to 256k words. Those logits are
by far the largest array of training (8192 tokens x 256k classes x 4 bytes = 8.6 GB), yet the loss
and all its gradients only need, per row, the log-sum-exp and, per block of classes, the matrix
``P - Y``:

.. math::

    L = \frac1N \sum_i \bigl(\mathrm{LSE}(z_i) - z_{i y_i}\bigr), \qquad
    \frac{\partial L}{\partial Z} = \frac1N (P - Y), \qquad
    \frac{\partial L}{\partial H} = \frac1N (P - Y) W^\top, \qquad
    \frac{\partial L}{\partial W} = \frac1N H^\top (P - Y).

:func:`linear_cross_entropy` walks through blocks of the vocabulary twice. The forward pass keeps
an online log-sum-exp per row (Milakov and Gimelshein 2018): a running maximum and the sum of the
exponentials shifted by it, rescaled whenever a later block raises the maximum. The backward pass
recomputes each block of logits, turns it into ``(P - Y) / N`` with the saved log-sum-exp, and
folds it into ``dH`` and ``dW`` with two matrix products (this is Cut Cross-Entropy, Wijmans et
al. 2025). When a whole row of logits fits in the memory budget the two passes fuse into one.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import numbers
import os
import threading

import numpy as np
from numpy.typing import ArrayLike

from . import _linear_ce_kernel as _kernel
from ._validation import as_float_array, check_class_indices, fmt_value
from .losses import Reduction, _check_options, _thread_pool

__all__ = ["linear_cross_entropy", "plan_blocks"]

# The default memory budget of the blocks: 1/24 of the (N, V) logits, kept within these bounds.
_BUDGET_FRACTION = 24
_MIN_BUDGET = 1 << 20
_MAX_BUDGET = 64 << 20
# A vocabulary block narrower than this makes the matrix products inefficient: take fewer rows.
_MIN_BLOCK = 256
# Threads are used for at least this many multiply-adds (N * D * V) each.
_MIN_WORK_PER_THREAD = 1 << 28


def plan_blocks(
    N: int,
    D: int,
    V: int,
    itemsize: int,
    *,
    block_size: int | None = None,
    memory_budget: int | None = None,
    threads: int = 1,
) -> tuple[int, int, int]:
    """Rows per chunk, vocabulary block width and the budget :func:`linear_cross_entropy` uses.

    Parameters
    ----------
    N, D, V : int
        Batch size, hidden size and vocabulary size.
    itemsize : int
        Bytes per element (4 for float32, 8 for float64).
    block_size : int, optional
        A fixed vocabulary block width; by default chosen from the budget.
    memory_budget : int, optional
        Bytes for the working arrays of all threads together: per thread, one block of logits
        ``(R, B)``, one ``(R, D)`` product and, when the rows come in chunks, one ``(B, D)``
        product. By default ``N * V * itemsize / 24``, clipped to
        [1 MiB, 64 MiB].
    threads : int, default 1
        Threads sharing the budget, each working on its own part of the vocabulary.

    Returns
    -------
    rows : int
        Rows ``R`` handled together: all ``N`` unless the budget forbids a block of at least 256
        classes, else ``N`` split into equal chunks.
    block : int
        Vocabulary block width ``B`` (``V`` when one block holds every class).
    budget : int
        The budget in bytes.

    Examples
    --------
    >>> from ce_course.linear_ce import plan_blocks
    >>> plan_blocks(4096, 256, 50257, 4)  # 1/24 of 786 MiB: 4096 x 1838 logits, a (4096, 256) product
    (4096, 1838, 34308778)
    >>> plan_blocks(4096, 256, 50257, 4, threads=2)  # the same budget for two threads
    (4096, 791, 34308778)
    >>> plan_blocks(64, 32, 1000, 8)  # small: one block holds every class
    (64, 1000, 1048576)
    """
    if memory_budget is None:
        budget = N * V * itemsize // _BUDGET_FRACTION
        budget = int(min(_MAX_BUDGET, max(_MIN_BUDGET, budget)))
    else:
        budget = int(memory_budget)
    per_thread = budget // max(1, threads)
    want = V if block_size is None else min(int(block_size), V)
    floor = min(want, _MIN_BLOCK) if block_size is None else want
    # All N rows if the block can still be at least `floor` classes wide, else equal chunks.
    rows = int(max(1, min(N, per_thread // ((D + floor) * itemsize))))
    if 0 < rows < N:
        chunks = -(-N // rows)
        rows = -(-N // chunks)
    if block_size is None:
        # Rows in chunks also need a (B, D) product to add each chunk's H^T G into dW.
        per_class = (rows + (D if rows < N else 0)) * itemsize
        block = int(max(floor, (per_thread - rows * D * itemsize) // max(per_class, 1)))
        block = min(block, V)
    else:
        block = want
    return rows, block, budget


def _check_matrix(a: np.ndarray, fname: str, argname: str, shape_text: str) -> None:
    if a.ndim != 2:
        raise ValueError(f"{fname}: {argname} must have shape {shape_text}, got shape {a.shape}")


def linear_cross_entropy(
    H: ArrayLike,
    W: ArrayLike,
    target: ArrayLike,
    *,
    bias: ArrayLike | None = None,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
    block_size: int | None = None,
    memory_budget: int | None = None,
    skip_threshold: float | None = None,
) -> tuple[np.generic | np.ndarray, dict[str, np.ndarray]]:
    r"""Loss and gradients of ``cross_entropy(H @ W + bias, target)``, blockwise.

    Parameters
    ----------
    H : array_like, shape (N, D)
        Inputs of the output layer (hidden states), one row per example.
    W : array_like, shape (D, V)
        Weights: column ``k`` scores class ``k``.
    target : array_like of int, shape (N,)
        Class indices in ``[0, V)``.
    bias : array_like, shape (V,), optional
        Added to every row of logits.
    reduction : {"mean", "sum", "none"}, default "mean"
        As in :func:`~ce_course.cross_entropy`. With ``"none"`` the loss is one value per row and
        the gradients are those of the **sum** of the rows' losses.
    label_smoothing : float in [0, 1], default 0.0
        The target becomes ``(1 - label_smoothing) * one_hot + label_smoothing / V``.
    block_size : int, optional
        Width ``B`` of a vocabulary block. By default chosen with :func:`plan_blocks` from the
        shapes and ``memory_budget``.
    memory_budget : int, optional
        Bytes allowed for the working arrays of all threads (per thread one ``(R, B)`` block of
        logits and one ``(R, D)`` product, see :func:`plan_blocks`); by default 1/24 of the
        logits' size, within [1 MiB, 64 MiB]. When ``N`` rows do not fit with a block of at least
        256 classes, rows are taken ``R < N`` at a time.
    skip_threshold : float, optional
        Off (exact) by default. If set, a row of a block whose probabilities are all below it,
        and which does not hold the row's target, is left out of the gradient products of that
        block, as Cut Cross-Entropy does (it suggests ``eps / 32`` of the dtype). Each dropped
        probability is below the threshold, so a row's gradient loses at most ``V`` times it
        in total. The loss is always exact. The kept rows are gathered into a copy, which may
        need as much memory again as the block.

    Returns
    -------
    loss : scalar, or ndarray of shape (N,) for ``reduction="none"``
        In the dtype of the computation (float32 if ``H``, ``W`` and ``bias`` are all float32,
        else float64).
    grads : dict of ndarray
        ``"H"`` of shape (N, D), ``"W"`` of shape (D, V) (Fortran-ordered: it is built one block
        of classes at a time) and, when a bias is given, ``"b"`` of shape (V,).

    Raises
    ------
    ValueError
        Naming the function and the bad value: wrong shapes or dtypes, shapes that do not agree,
        ``nan`` or ``inf`` in ``H``, ``W`` or ``bias``, a class index outside ``[0, V)``, an
        unknown ``reduction``, ``label_smoothing`` outside [0, 1], a bad block size, budget or
        threshold, or an empty batch with ``reduction="mean"``.

    Notes
    -----
    Row :math:`i` has logits :math:`z_i = h_i W + b`. The forward pass visits vocabulary blocks
    :math:`\mathcal B_1, \mathcal B_2, \dots` keeping a running maximum :math:`m_i` and
    :math:`t_i = \sum_{k \ne k^*} e^{z_{ik} - m_i}` (every class seen so far except the arg max
    :math:`k^*`). When block :math:`\mathcal B` raises the maximum to :math:`m'`,

    .. math::

        t_i \leftarrow (1 + t_i)\, e^{m_i - m'} + \sum_{k \in \mathcal B,\, k \ne k^*}
        e^{z_{ik} - m'}, \qquad m_i \leftarrow m',

    otherwise :math:`t_i \leftarrow t_i + \sum_{k \in \mathcal B} e^{z_{ik} - m_i}`. At the end
    :math:`\mathrm{LSE}_i = m_i + \log(1 + t_i)` and, with smoothing :math:`\varepsilon`,

    .. math::

        L_i = (1 - \varepsilon)(m_i - z_{i y_i}) + \varepsilon\,(m_i - \bar z_i) + \log(1 + t_i),

    where :math:`\bar z_i = h_i \bar w + \bar b` is the mean logit (:math:`\bar w` the mean
    column of W). The backward pass recomputes each block, forms
    :math:`G = s\,(P - (1-\varepsilon) Y)` with :math:`s = 1/N` (``"mean"``) or 1, and adds
    :math:`G W_{\mathcal B}^\top` to dH and :math:`H^\top G` to the block's columns of dW; the
    uniform part :math:`-s\varepsilon/V` of the target is added once at the end in closed form.

    Stability contract: every exponent is at most 0 (shifted by the running maximum), so nothing
    overflows for finite logits; the loss is a sum of non-negative terms taken with ``log1p``,
    so a confidently classified row keeps a tiny loss to full relative accuracy; and where the
    target is the arg max with :math:`t_i < 1`, :math:`p - 1` is formed as :math:`-t/(1+t)` to
    avoid cancellation. float32 input is computed in float32 throughout. Memory: besides the
    returned gradients, one block of logits, one ``(R, D)`` product and O(N + D) vectors per
    thread.

    Threads: a problem of at least :math:`2^{29}` multiply-adds (``N * D * V``) is split among
    the CPUs (at most 4), each thread taking a contiguous part of the vocabulary; their
    forward states are merged like two blocks (the part with the larger maximum keeps its
    :math:`t`, the other adds its whole rescaled sum), and they add into one dH under a lock.
    Meanwhile OpenBLAS is held to one thread per call, process-wide, and restored afterwards
    (its own threads synchronise at every one of the many block products, which costs badly
    on a busy machine). Call it from one thread at a time.

    Examples
    --------
    >>> import numpy as np
    >>> from ce_course import cross_entropy, cross_entropy_grad, linear_cross_entropy
    >>> rng = np.random.default_rng(0)
    >>> H, W = rng.normal(size=(6, 4)), rng.normal(size=(4, 10))
    >>> y = np.array([0, 3, 9, 1, 1, 5])
    >>> loss, grads = linear_cross_entropy(H, W, y, block_size=3)
    >>> bool(np.isclose(loss, cross_entropy(H @ W, y)))
    True
    >>> G = cross_entropy_grad(H @ W, y)  # (P - Y) / N
    >>> bool(np.allclose(grads["H"], G @ W.T) and np.allclose(grads["W"], H.T @ G))
    True
    """
    fname = "linear_cross_entropy"
    eps_ls = _check_options(reduction, label_smoothing, fname)
    H = as_float_array(H, fname, "H")
    W = as_float_array(W, fname, "W")
    _check_matrix(H, fname, "H", "(N, D)")
    _check_matrix(W, fname, "W", "(D, V)")
    b = None if bias is None else as_float_array(bias, fname, "bias")
    arrays = [H, W] if b is None else [H, W, b]
    for name, a in zip(("H", "W", "bias"), arrays, strict=False):
        if a.dtype.kind == "c":
            raise ValueError(f"{fname}: {name} must be real, got dtype {a.dtype}")
    N, D = H.shape
    if W.shape[0] != D:
        raise ValueError(
            f"{fname}: W of shape {W.shape} does not match H of shape {H.shape}: "
            f"W must have D={D} rows"
        )
    V = W.shape[1]
    if V == 0:
        raise ValueError(f"{fname}: W has no classes (shape {W.shape})")
    if b is not None and b.shape != (V,):
        raise ValueError(f"{fname}: bias must have shape (V,) = ({V},), got shape {b.shape}")
    if reduction == "mean" and N == 0:
        raise ValueError(f"{fname}: the mean over an empty batch is undefined (H shape {H.shape})")
    t_arr = np.asarray(target)
    if t_arr.shape != (N,):
        raise ValueError(
            f"{fname}: target must be class indices of shape (N,) = ({N},), got shape {t_arr.shape}"
        )
    labels = check_class_indices(t_arr, V, fname, "target")
    for name, a in zip(("H", "W", "bias"), arrays, strict=False):
        if not np.isfinite(a).all():
            raise ValueError(f"{fname}: {name} contains nan or inf ({fmt_value(a)})")
    if block_size is not None and (
        isinstance(block_size, bool)
        or not isinstance(block_size, numbers.Integral)
        or block_size < 1
    ):
        raise ValueError(f"{fname}: block_size must be a positive int, got {block_size!r}")
    if memory_budget is not None and (
        isinstance(memory_budget, bool)
        or not isinstance(memory_budget, numbers.Integral)
        or memory_budget < 1
    ):
        raise ValueError(
            f"{fname}: memory_budget must be a positive int (bytes), got {memory_budget!r}"
        )
    if skip_threshold is not None and (
        isinstance(skip_threshold, bool)
        or not isinstance(skip_threshold, numbers.Real)
        or not 0 <= skip_threshold < 1
    ):
        raise ValueError(
            f"{fname}: skip_threshold must be None or a number in [0, 1), got {skip_threshold!r}"
        )

    dtype = np.result_type(*arrays)
    H = np.ascontiguousarray(H, dtype=dtype)
    W = np.asarray(W, dtype=dtype)
    if b is not None:
        b = np.ascontiguousarray(b, dtype=dtype)
    threads = _threads_for(N, D, V)
    R, B, _ = plan_blocks(
        N,
        D,
        V,
        dtype.itemsize,
        block_size=block_size,
        memory_budget=memory_budget,
        threads=threads,
    )
    if B >= V or threads == 1:
        threads = 1  # one block of classes: the fused pass, one thread
        R, B, _ = plan_blocks(
            N, D, V, dtype.itemsize, block_size=block_size, memory_budget=memory_budget
        )
    R = max(1, min(R, N))
    scale = 1.0 / N if reduction == "mean" else 1.0
    thr = None if skip_threshold is None else dtype.type(skip_threshold * scale)

    loss_rows = np.empty(N, dtype=dtype)
    # dH: written by the first block's product, unless threads share it or rows are skipped.
    zero_dH = threads > 1 or skip_threshold is not None
    dH = np.zeros((N, D), dtype=dtype) if zero_dH else np.empty((N, D), dtype=dtype)
    dWT = np.zeros((V, D), dtype=dtype)  # dW transposed: a block of classes is a block of rows
    db = np.zeros(V, dtype=dtype) if b is not None else None
    w_mean = W.sum(axis=1) / V if eps_ls else None

    with np.errstate(all="ignore"):  # finite input gives no warning; overflowing logits give nan
        if B >= V:
            buf = np.empty((R, V), dtype=dtype)
            prod_w = np.empty((V, D), dtype=dtype) if N > R else None
            for r0 in range(0, N, R):
                r1 = min(N, r0 + R)
                Hr = H[r0:r1]
                _kernel.fused_chunk(
                    Hr,
                    W,
                    b,
                    labels[r0:r1],
                    eps_ls,
                    scale,
                    buf,
                    None if r0 == 0 else prod_w,
                    loss_rows[r0:r1],
                    dH[r0:r1],
                    dWT,
                    db,
                    thr,
                    _zbar(Hr, w_mean, b),
                )
        else:
            _blocked(H, W, b, labels, eps_ls, scale, R, B, threads, thr, w_mean,
                     loss_rows, dH, dWT, db)  # fmt: skip
        if eps_ls and N:
            # The uniform part of the smoothed target, -s * eps / V in every entry of G.
            u = dtype.type(scale * eps_ls / V)
            dH -= u * W.sum(axis=1)
            dWT -= u * H.sum(axis=0)
            if db is not None:
                db -= u * N

    if reduction == "mean":
        loss = loss_rows.mean()
    elif reduction == "sum":
        loss = loss_rows.sum()
    else:
        loss = loss_rows
    grads = {"H": dH, "W": dWT.T}
    if db is not None:
        grads["b"] = db
    return loss, grads


def _zbar(Hr: np.ndarray, w_mean: np.ndarray | None, b: np.ndarray | None):
    """The mean logit of each row, ``h W 1 / V + mean(b)`` (only with label smoothing)."""
    if w_mean is None:
        return None
    zbar = Hr @ w_mean
    if b is not None:
        zbar += b.mean()
    return zbar


def _threads_for(N: int, D: int, V: int) -> int:
    """Threads for the blocked passes: one per CPU (at most 4) for a large enough problem whose
    OpenBLAS can be held to one thread per call; else 1."""
    if N * D * V < _MIN_WORK_PER_THREAD * 2 or not _kernel.blas_is_controllable():
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus, N * D * V // _MIN_WORK_PER_THREAD))


def _blocked(H, W, b, labels, eps_ls, scale, R, B, threads, thr, w_mean, loss_rows, dH, dWT, db):
    """Forward and backward passes over vocabulary blocks, rows ``R`` at a time; with several
    threads each takes a contiguous part of the blocks (its own buffers) and shares ``dH``."""
    N, D = H.shape
    V = W.shape[1]
    dtype = H.dtype
    blocks = [(j, min(V, j + B)) for j in range(0, V, B)]
    threads = min(threads, len(blocks))
    cuts = [len(blocks) * k // threads for k in range(threads + 1)]
    parts = [blocks[cuts[k] : cuts[k + 1]] for k in range(threads)]
    bufs = [np.empty((R, B), dtype=dtype) for _ in range(threads)]
    prods = [np.empty((R, D), dtype=dtype) for _ in range(threads)]
    prod_ws = [np.empty((B, D), dtype=dtype) for _ in range(threads)] if N > R else None
    lock = threading.Lock() if threads > 1 else None

    def run(tasks):
        """Run the callables, the first in this thread, the others in the pool."""
        if len(tasks) == 1:
            return [tasks[0]()]
        pool = _thread_pool()
        ctx = contextvars.copy_context
        futures = [pool.submit(ctx().run, task) for task in tasks[1:]]
        return [tasks[0](), *(future.result() for future in futures)]

    blas = _kernel.single_threaded_blas() if threads > 1 else contextlib.nullcontext()
    with blas:
        for r0 in range(0, N, R):
            r1 = min(N, r0 + R)
            Hr, tr = H[r0:r1], labels[r0:r1]
            states = run(
                [
                    functools.partial(_kernel.forward_part, Hr, W, b, tr, part, bufs[k])
                    for k, part in enumerate(parts)
                ]
            )
            m, t, amax, zt = _kernel.merge_parts(states)
            q, sure, g_sure = _kernel.finish_forward(
                m, t, amax, zt, tr, eps_ls, scale, loss_rows[r0:r1], _zbar(Hr, w_mean, b)
            )
            y_weight = scale * (1 - eps_ls)
            run(
                [
                    functools.partial(
                        _kernel.backward_part,
                        Hr,
                        W,
                        b,
                        tr,
                        m,
                        q,
                        sure,
                        g_sure,
                        y_weight,
                        part,
                        bufs[k],
                        prods[k],
                        None if r0 == 0 else prod_ws[k],
                        dH[r0:r1],
                        lock,
                        dWT,
                        db,
                        thr,
                    )
                    for k, part in enumerate(parts)
                ]
            )
