"""Kills its own process with os._exit()."""

EXPECT = {"status": "graded", "lose": {"softmax": "exited with code 7"}}

import os


def softmax(x):
    os._exit(7)
