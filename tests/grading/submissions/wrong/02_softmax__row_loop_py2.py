"""Python 2-era loop over the rows with an xrange shim."""

EXPECT = {
    "lose": {"softmax": "loops over the examples"},
    "mistakes": {"softmax": ["loop"]},
    "min_share": 0.9,
}

import numpy as np

try:
    xrange
except NameError:
    xrange = range


def softmax(x):
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if x.ndim == 1:
        e = np.exp(x - x.max())
        return e / e.sum()
    out = np.empty_like(x)
    for i in xrange(x.shape[0]):
        e = np.exp(x[i] - x[i].max())
        out[i] = e / e.sum()
    return out
