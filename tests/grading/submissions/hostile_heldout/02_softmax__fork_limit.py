"""Starts 80 sleeping children (fewer than 100 if the limit fails), bypassing the audit hook."""

import ctypes
import time

_libc = ctypes.CDLL(None)
_STARTED = 0
for _ in range(80):
    pid = _libc.fork()
    if pid == 0:
        time.sleep(40)
        _libc._exit(0)
    if pid < 0:
        break
    _STARTED += 1
print("started", _STARTED)


def softmax(x):
    raise ValueError(f"started {_STARTED} children")
