"""An infinite loop in the graded function."""

EXPECT = {"status": "graded", "lose": {"softmax": "timed out"}}


def softmax(x):
    while True:
        pass
