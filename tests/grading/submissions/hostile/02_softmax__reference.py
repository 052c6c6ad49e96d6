"""Calls ce_course.softmax inside the function."""

EXPECT = {"status": "graded", "lose": {"softmax": "reference implementation"}}

from ce_course import softmax as _reference


def softmax(x):
    return _reference(x)
