"""Returns enormous nested lists instead of an array."""

EXPECT = {"status": "graded", "lose": {"softmax": "returned a list of 2000 values"}}


def softmax(x):
    return [[0.0] * 500 for _ in range(2000)]
