"""The blocked kernels behind :func:`ce_course.linear_cross_entropy` (private).

:func:`forward_part` runs the online log-sum-exp over some vocabulary blocks, :func:`merge_parts`
combines the states of several parts (the same rescaling as between two blocks), and
:func:`backward_part` recomputes the blocks and folds ``G = s (P - (1 - eps) Y)`` into dH and dW.
:func:`fused_chunk` does both passes on one block that holds every class. Several threads can
each take a contiguous part of the vocabulary; OpenBLAS is then held to one thread per call
(:func:`single_threaded_blas`), because its own threads spin at every one of the many medium-size
products and lose badly on a busy machine.

Every function expects ``np.errstate(all="ignore")`` from its caller.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterator, Sequence

import numpy as np

Block = tuple[int, int]


def _logits(Hr: np.ndarray, W: np.ndarray, b: np.ndarray | None, j0: int, j1: int, buf):
    """The logits of rows ``Hr`` and classes ``j0:j1``, in a contiguous piece of ``buf`` (a
    strided output would make NumPy allocate a temporary for the product)."""
    n = Hr.shape[0] * (j1 - j0)
    Z = buf.reshape(-1)[:n].reshape(Hr.shape[0], j1 - j0)
    np.matmul(Hr, W[:, j0:j1], out=Z)
    if b is not None:
        Z += b[j0:j1]
    return Z


def forward_part(
    Hr: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    tr: np.ndarray,
    blocks: Sequence[Block],
    buf: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Online log-sum-exp of the rows ``Hr`` over ``blocks``: ``(m, t, amax, zt)``.

    ``m`` is the running maximum, ``t`` the sum of ``exp(z - m)`` over the classes seen except the
    arg max ``amax``, and ``zt`` the target's logit where the target lies in these blocks (0
    elsewhere).
    """
    R = Hr.shape[0]
    rows = np.arange(R)
    dtype = Hr.dtype
    m = np.full(R, -np.inf, dtype=dtype)
    t = np.zeros(R, dtype=dtype)
    amax = np.zeros(R, dtype=np.intp)
    zt = np.zeros(R, dtype=dtype)
    for j0, j1 in blocks:
        Z = _logits(Hr, W, b, j0, j1, buf)
        ib = Z.argmax(axis=1)
        mb = Z[rows, ib]
        inb = (tr >= j0) & (tr < j1)
        zt[inb] = Z[rows[inb], tr[inb] - j0]
        new = mb > m
        m_new = np.where(new, mb, m)
        np.subtract(Z, m_new[:, np.newaxis], out=Z)
        np.exp(Z, out=Z)
        Z[rows[new], ib[new]] = 0  # the new maximum's own term, exactly 1, is not part of t
        bs = np.add.reduce(Z, axis=1)
        alpha = np.exp(m - m_new)  # rescale the old sum (and the old maximum's 1) to m_new
        t = np.where(new, (1 + t) * alpha + bs, t + bs)
        amax = np.where(new, ib + j0, amax)
        m = m_new
    return m, t, amax, zt


def merge_parts(
    parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Combine the forward states of disjoint parts of the vocabulary.

    The part holding the overall maximum keeps its ``t``; every other part adds its whole sum
    ``(1 + t_k) exp(m_k - m)``, its own maximum's term included. No cancellation: ``t`` stays the
    sum of every term but the overall arg max's.
    """
    if len(parts) == 1:
        return parts[0]
    M = np.stack([p[0] for p in parts])
    k = M.argmax(axis=0)
    rows = np.arange(M.shape[1])
    m = M[k, rows]
    T = np.stack([p[1] for p in parts])
    whole = (1 + T) * np.exp(M - m)
    whole[k, rows] = T[k, rows]
    t = np.add.reduce(whole, axis=0)
    amax = np.stack([p[2] for p in parts])[k, rows]
    zt = np.add.reduce(np.stack([p[3] for p in parts]), axis=0)  # one part is nonzero per row
    return m, t, amax, zt


def backward_part(
    Hr: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    tr: np.ndarray,
    m: np.ndarray,
    q: np.ndarray,
    sure: np.ndarray,
    g_sure: np.ndarray,
    y_weight: float,
    blocks: Sequence[Block],
    buf: np.ndarray,
    prod: np.ndarray,
    prod_w: np.ndarray | None,
    dH: np.ndarray,
    dH_lock: threading.Lock | None,
    dWT: np.ndarray,
    db: np.ndarray | None,
    thr: np.generic | None,
) -> None:
    """Add the blocks' ``G W_B^T`` to ``dH`` and write ``H^T G`` into ``dWT`` (dW transposed).

    ``G = q exp(z - m) - y_weight Y``, with ``g_sure`` replacing it at the target of the rows
    ``sure`` (target = arg max with p > 1/2, where ``p - 1`` would cancel). ``dH`` must start at 0
    when ``dH_lock`` is given (several threads share it); otherwise the first block overwrites it.
    ``prod_w`` is None when ``dWT`` is written rather than accumulated (the first rows).
    """
    R = Hr.shape[0]
    rows = np.arange(R)
    for bi, (j0, j1) in enumerate(blocks):
        Z = _logits(Hr, W, b, j0, j1, buf)
        np.subtract(Z, m[:, np.newaxis], out=Z)
        np.exp(Z, out=Z)
        Z *= q[:, np.newaxis]
        _subtract_targets(Z, rows, tr, j0, j1, sure, g_sure, y_weight)
        Zk, Hk, keep = _skip_rows(Z, Hr, tr, j0, j1, thr)
        Wb = W[:, j0:j1]
        # dH += G W_B^T
        if keep is not None:
            contribution = Zk @ Wb.T
            with dH_lock or contextlib.nullcontext():
                dH[keep] += contribution
        elif bi == 0 and dH_lock is None:
            np.matmul(Zk, Wb.T, out=dH)
        else:
            np.matmul(Zk, Wb.T, out=prod[:R])
            with dH_lock or contextlib.nullcontext():
                dH += prod[:R]
        # dW[:, B] (+)= H^T G, stored transposed so that a block of classes is a block of rows
        if prod_w is None:
            np.matmul(Zk.T, Hk, out=dWT[j0:j1])
        else:
            pw = prod_w[: j1 - j0]
            np.matmul(Zk.T, Hk, out=pw)
            dWT[j0:j1] += pw
        if db is not None:
            db[j0:j1] += np.add.reduce(Zk, axis=0)


def _subtract_targets(Z, rows, tr, j0, j1, sure, g_sure, y_weight) -> None:
    inb = (tr >= j0) & (tr < j1)
    Z[rows[inb], tr[inb] - j0] -= Z.dtype.type(y_weight)
    s_in = inb & sure
    Z[rows[s_in], tr[s_in] - j0] = g_sure[s_in]


def _skip_rows(Z, Hr, tr, j0, j1, thr):
    """Rows of the block to fold in: all, or (with a threshold) those with a probability at or
    above it or their target here. Returns ``(Zk, Hk, kept row indices or None)``."""
    if thr is None:
        return Z, Hr, None
    keep = ((tr >= j0) & (tr < j1)) | (Z.max(axis=1) >= thr)
    if keep.all():
        return Z, Hr, None
    idx = np.flatnonzero(keep)
    return Z[idx], Hr[idx], idx


def fused_chunk(
    Hr: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    tr: np.ndarray,
    eps_ls: float,
    scale: float,
    buf: np.ndarray,
    prod_w: np.ndarray | None,
    loss_out: np.ndarray,
    dH: np.ndarray,
    dWT: np.ndarray,
    db: np.ndarray | None,
    thr: np.generic | None,
    zbar: np.ndarray | None,
) -> None:
    """Both passes on one block holding every class: the logits are computed once."""
    R, V = Hr.shape[0], W.shape[1]
    rows = np.arange(R)
    Z = _logits(Hr, W, b, 0, V, buf)
    ib = Z.argmax(axis=1)
    m = Z[rows, ib]
    zt = Z[rows, tr]
    np.subtract(Z, m[:, np.newaxis], out=Z)
    np.exp(Z, out=Z)
    Z[rows, ib] = 0
    t = np.add.reduce(Z, axis=1)
    Z[rows, ib] = 1
    q, sure, g_sure = finish_forward(m, t, ib, zt, tr, eps_ls, scale, loss_out, zbar)
    Z *= q[:, np.newaxis]
    _subtract_targets(Z, rows, tr, 0, V, sure, g_sure, scale * (1 - eps_ls))
    Zk, Hk, keep = _skip_rows(Z, Hr, tr, 0, V, thr)
    if keep is None:
        np.matmul(Zk, W.T, out=dH)
    else:
        dH[...] = 0
        dH[keep] = Zk @ W.T
    if prod_w is None:
        np.matmul(Zk.T, Hk, out=dWT)
    else:
        np.matmul(Zk.T, Hk, out=prod_w)
        dWT += prod_w
    if db is not None:
        db += np.add.reduce(Zk, axis=0)


def finish_forward(m, t, amax, zt, tr, eps_ls, scale, loss_out, zbar):
    """Write the rows' losses; return ``(q, sure, g_sure)`` for the backward pass.

    ``loss = (1 - eps)(m - z_y) + eps (m - zbar) + log1p(t)``; ``s p = q exp(z - m)`` with
    ``q = s / (1 + t)``; at the target of a row whose target is the arg max and ``t < 1``, the
    gradient is ``s (eps - t / (1 + t))``, free of the cancellation in ``p - 1``.
    """
    dtype = m.dtype
    log_s = np.log1p(t)
    if eps_ls:
        loss_out[...] = (1 - eps_ls) * (m - zt) + eps_ls * (m - zbar) + log_s
    else:
        loss_out[...] = (m - zt) + log_s
    sure = (tr == amax) & (t < 1)
    g_sure = (scale * (eps_ls - t / (1 + t))).astype(dtype)
    q = (scale / (1 + t)).astype(dtype)
    return q, sure, g_sure


# ----------------------------------------------------------------------------------------------
# OpenBLAS threads


_BLAS: tuple | bool | None = False  # False: not looked up yet; None: not available


def _openblas() -> tuple | None:
    """``(get_num_threads, set_num_threads)`` of the OpenBLAS NumPy loaded, or None."""
    global _BLAS
    if _BLAS is not False:
        return _BLAS
    _BLAS = None
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "")):
            get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                get.restype = ctypes.c_int
                set_.argtypes = [ctypes.c_int]
                _BLAS = (get, set_)
                return _BLAS
    return None


def blas_is_controllable() -> bool:
    return _openblas() is not None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Hold OpenBLAS to one thread per call for the duration (process-wide)."""
    blas = _openblas()
    if blas is None:
        yield
        return
    get, set_ = blas
    before = get()
    set_(1)
    try:
        yield
    finally:
        set_(before)
