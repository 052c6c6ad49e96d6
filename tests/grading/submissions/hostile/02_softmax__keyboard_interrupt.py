"""Raises KeyboardInterrupt and SystemExit-like exceptions."""

EXPECT = {"status": "graded", "lose": {"softmax": "KeyboardInterrupt"}}


def softmax(x):
    raise KeyboardInterrupt
