"""Uses scipy.special.softmax."""

EXPECT = {"status": "graded", "lose": {"softmax": "scipy.special.softmax"}}

from scipy.special import softmax as _sp


def softmax(x):
    return _sp(x, axis=-1)
