"""Tries to overwrite the grader's test definitions."""

EXPECT = {"status": "graded", "lose": {"softmax": "writing"}}

import os

import ce_course


def softmax(x):
    here = os.path.dirname(ce_course.__file__)
    with open(os.path.join(here, "grading", "exercises", "ex02_softmax.py"), "a") as fh:
        fh.write("# pwned")
