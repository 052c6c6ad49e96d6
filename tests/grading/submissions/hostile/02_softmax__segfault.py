"""Segfaults with ctypes."""

EXPECT = {"status": "graded", "lose": {"softmax": "segmentation fault"}}

import ctypes


def softmax(x):
    ctypes.memset(0, 1, 8)  # write to address 0
    return x
