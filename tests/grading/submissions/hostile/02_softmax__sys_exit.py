"""Calls sys.exit() inside the function."""

EXPECT = {"status": "graded", "lose": {"softmax": "sys.exit"}}

import sys


def softmax(x):
    sys.exit(0)
