"""Publishes a secret to concurrently graded siblings: /dev/shm, /tmp, an abstract socket."""

import os
import socket
import time

_SECRET = b"SIBLING-SECRET-5e1d"
for _d in ("/dev/shm", "/tmp", os.environ.get("TMPDIR", "/tmp")):
    try:
        with open(os.path.join(_d, "ce_shared"), "wb") as fh:
            fh.write(_SECRET)
    except OSError:
        pass
try:
    _s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _s.bind("\0ce-course-leak")
    _s.listen(5)
    _s.settimeout(0.2)
    _end = time.monotonic() + 6
    while time.monotonic() < _end:
        try:
            _c, _ = _s.accept()
            _c.sendall(_SECRET)
            _c.close()
        except OSError:
            pass
except OSError:
    time.sleep(6)


def softmax(x):
    return x
