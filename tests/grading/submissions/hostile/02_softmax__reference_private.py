"""Calls a private helper of ce_course via a dynamic lookup."""

EXPECT = {"status": "graded", "lose": {"softmax": "reference implementation"}}

import sys

_impl = vars(sys.modules["ce_course.softmax"])["_exp_parts"]


def softmax(x):
    e, m, s, log_s = _impl(x)
    return e / s
