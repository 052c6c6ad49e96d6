"""Disables the profile hook before calling the reference."""

EXPECT = {"status": "graded", "lose": {"softmax": "sys.setprofile"}}

import sys

_f = getattr(sys.modules["ce_course"], "soft" + "max")
_off = getattr(sys, "set" + "profile")


def softmax(x):
    _off(None)
    return _f(x)
