"""Closes every file descriptor, the grader's channel included."""

EXPECT = {"status": "load_error", "lose": {"softmax": ""}}

import os

os.closerange(3, 4096)
