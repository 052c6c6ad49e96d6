"""An infinite loop in the top-level code."""

EXPECT = {
    "status": "load_error",
    "lose": {"softmax": "did not finish"},
    "own_batch": True,  # graded with a short load timeout, beside a good submission
}

while True:
    pass
