"""Tries to fork."""

EXPECT = {"status": "graded", "lose": {"softmax": "starting a process"}}

import os


def softmax(x):
    os.fork()
