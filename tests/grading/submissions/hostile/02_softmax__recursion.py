"""Infinite recursion."""

EXPECT = {"status": "graded", "lose": {"softmax": "recursion"}}


def softmax(x):
    return softmax(x)
